"""Phase moves: gates on required outputs, overrides with reasons, moves back, the record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cairn.engagements import actions
from cairn.engagements.models import PhaseMove
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def phase(engagement, key):  # type: ignore[no-untyped-def]
    return engagement.playbook_version.phases.get(key=key)


def deliver_required(engagement, key, user):  # type: ignore[no-untyped-def]
    for item in engagement.outputs.filter(output__phase__key=key, output__required=True):
        actions.set_output(item, by=user, delivered=True)


def test_a_new_engagement_starts_in_preparation_with_the_whole_checklist(engagement):
    assert engagement.current_phase.key == "preparation"
    assert engagement.activities.count() == 61
    assert engagement.outputs.filter(output__required=True).count() == 6
    start = engagement.moves.get()
    assert start.from_phase is None and start.to_phase.key == "preparation"


def test_moving_forward_with_required_outputs_missing_is_blocked(engagement, carol):
    with pytest.raises(actions.GateBlocked) as blocked:
        actions.move_to_phase(engagement, phase(engagement, "commitment"), by=carol)
    assert {str(o.output) for o in blocked.value.missing} == {
        "Engagement documentation (complete or partial)",
        "Engagement strategy and roadmap",
    }
    engagement.refresh_from_db()
    assert engagement.current_phase.key == "preparation"
    assert engagement.moves.count() == 1


def test_an_override_needs_a_written_reason(engagement, carol):
    with pytest.raises(ValidationError) as error:
        actions.move_to_phase(
            engagement, phase(engagement, "commitment"), by=carol, override=True, reason="  "
        )
    assert "reason" in error.value.message_dict
    engagement.refresh_from_db()
    assert engagement.current_phase.key == "preparation"


def test_an_override_with_a_reason_moves_and_records_what_was_missing(engagement, carol):
    move = actions.move_to_phase(
        engagement, phase(engagement, "commitment"), by=carol, override=True,
        reason="Customer wants to meet this week; strategy follows.",
    )
    engagement.refresh_from_db()
    assert engagement.current_phase.key == "commitment"
    assert move.overridden
    assert move.moved_by == carol
    assert move.from_phase.key == "preparation"
    assert "Engagement strategy and roadmap" in move.missing_outputs
    entry = Entry.objects.get(engagement=engagement, kind=EntryKind.PHASE_MOVE, title__contains="overridden")
    assert entry.body.startswith("Customer wants")


def test_delivered_outputs_open_the_gate_without_override(engagement, carol):
    deliver_required(engagement, "preparation", carol)
    move = actions.move_to_phase(engagement, phase(engagement, "commitment"), by=carol)
    assert not move.overridden and move.missing_outputs == []


def test_jumping_several_phases_checks_every_phase_passed(engagement, carol):
    deliver_required(engagement, "preparation", carol)
    with pytest.raises(actions.GateBlocked) as blocked:
        actions.move_to_phase(engagement, phase(engagement, "adoption-planning"), by=carol)
    names = {str(o.output) for o in blocked.value.missing}
    assert names == {
        "Signed customer engagement proposal",
        "Onboarding report signed off by the customer",
    }


def test_moving_back_is_always_allowed_and_recorded(engagement, carol):
    actions.move_to_phase(
        engagement, phase(engagement, "onboarding"), by=carol, override=True, reason="Fast track"
    )
    move = actions.move_to_phase(
        engagement, phase(engagement, "commitment"), by=carol, reason="Sponsor changed"
    )
    assert not move.overridden
    assert move.from_phase.key == "onboarding" and move.to_phase.key == "commitment"
    assert PhaseMove.objects.filter(engagement=engagement).count() == 3
    assert Entry.objects.filter(engagement=engagement, title__startswith="Moved back to").exists()


def test_a_phase_of_another_playbook_version_is_refused(engagement, carol, playbook_version):
    from cairn.playbooks.actions import publish, start_draft

    v2 = publish(start_draft(playbook_version.playbook), carol)
    with pytest.raises(ValidationError) as error:
        actions.move_to_phase(engagement, v2.phases.get(key="commitment"), by=carol)
    assert "to_phase" in error.value.message_dict


def test_a_closed_engagement_does_not_change_phase(engagement, carol):
    actions.set_status(engagement, "closed", by=carol)
    with pytest.raises(ValidationError):
        actions.move_to_phase(engagement, phase(engagement, "commitment"), by=carol, override=True,
                              reason="x")


def test_evaluation_opens_while_value_realization_continues(engagement, carol):
    actions.move_to_phase(
        engagement, phase(engagement, "value-realization"), by=carol, override=True, reason="Migrated"
    )
    evaluation = actions.open_evaluation(engagement, by=carol)
    engagement.refresh_from_db()
    assert engagement.current_phase.key == "value-realization"
    with pytest.raises(ValidationError):
        actions.open_evaluation(engagement, by=carol)
    with pytest.raises(ValidationError, match="before closing the round"):
        actions.close_evaluation(evaluation, by=carol)
    evaluation.customer_values.create(what="12 % less energy", known_to_customer=True, known_to_us=True)
    evaluation.company_values.create(kind="retention", description="Renewal")
    actions.close_evaluation(evaluation, by=carol)
    second = actions.open_evaluation(engagement, by=carol)
    assert engagement.evaluations.count() == 2 and second.is_open


def test_skipping_an_activity_needs_a_reason(engagement, carol):
    item = engagement.activities.first()
    with pytest.raises(ValidationError) as error:
        actions.update_activity(item, by=carol, status="skipped", skip_reason="")
    assert "skip_reason" in error.value.message_dict
    item.refresh_from_db()
    assert item.status == "open"
    actions.update_activity(item, by=carol, status="skipped", skip_reason="Done by sales")
    item.refresh_from_db()
    assert item.status == "skipped" and item.completed_by == carol


def test_a_new_playbook_version_never_rewrites_a_running_engagement(engagement, carol, playbook_version):
    from cairn.playbooks.actions import publish, start_draft

    draft = start_draft(playbook_version.playbook)
    prep = draft.phases.get(key="preparation")
    prep.name = "Research"
    prep.save()
    prep.activities.all().delete()
    publish(draft, carol)
    engagement.refresh_from_db()
    assert engagement.playbook_version == playbook_version
    assert engagement.current_phase.name == "Preparation"
    assert engagement.activities.filter(activity__phase__key="preparation").count() == 10
