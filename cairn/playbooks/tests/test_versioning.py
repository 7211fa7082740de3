"""Versions: the shipped default, drafts, publishing, copies, and running engagements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cairn.engagements.actions import EngagementData, start_engagement
from cairn.engagements.models import Engagement
from cairn.playbooks import actions
from cairn.playbooks.models import (
    Activity,
    Output,
    Phase,
    Playbook,
    PlaybookVersion,
    Stage,
    VersionStatus,
)
from cairn.playbooks.tests.helpers import names, snapshot

pytestmark = pytest.mark.django_db


def test_the_default_playbook_file_loads_with_three_stages_and_seven_phases(
    standard: Playbook, playbook_version: PlaybookVersion
) -> None:
    phases = list(playbook_version.phases.order_by("position"))
    assert standard.is_default
    assert playbook_version.status == VersionStatus.PUBLISHED
    assert [p.stage for p in phases] == [
        Stage.INITIAL, Stage.INITIAL,
        Stage.READINESS, Stage.READINESS, Stage.READINESS,
        Stage.ONGOING, Stage.ONGOING,
    ]
    assert [p.key for p in phases] == [
        "preparation", "commitment", "onboarding", "adoption-planning",
        "adoption-implementation", "value-realization", "engagement-evaluation",
    ]
    assert [p.periodic for p in phases] == [False] * 6 + [True]
    for phase in phases:
        assert phase.purpose
        assert phase.activities.exists()
        assert phase.outputs.exists()
    required = Output.objects.filter(phase__version=playbook_version, required=True)
    assert set(required.values_list("phase__key", flat=True)) >= {
        "preparation", "commitment", "onboarding", "adoption-planning",
    }
    assert Output.objects.filter(phase__version=playbook_version, required=False).exists()


def test_installing_the_default_file_again_adds_no_version(standard: Playbook) -> None:
    before = standard.versions.count()
    actions.install_default_playbook()
    assert standard.versions.count() == before


def test_starting_a_draft_copies_the_latest_published_version(
    standard: Playbook, playbook_version: PlaybookVersion
) -> None:
    draft = actions.start_draft(standard)
    assert draft.is_draft
    assert draft.number == playbook_version.number + 1
    assert names(draft.phases) == names(playbook_version.phases)
    assert Activity.objects.filter(phase__version=draft).count() == Activity.objects.filter(
        phase__version=playbook_version
    ).count()
    # The copy is new rows: nothing of the published version is shared.
    assert not set(draft.phases.values_list("pk", flat=True)) & set(
        playbook_version.phases.values_list("pk", flat=True)
    )
    assert actions.start_draft(standard) == draft, "one draft per playbook"


def test_a_leader_publishes_a_draft_as_a_new_version(
    as_alice: Client, alice, standard: Playbook, playbook_version: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    response = as_alice.post(f"/playbooks/{standard.pk}/draft/")
    draft = standard.versions.get(status=VersionStatus.DRAFT)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?version={draft.number}")

    response = as_alice.post(
        f"/playbooks/versions/{draft.pk}/publish/", {"notes": "Shorter onboarding"}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_by == alice
    assert draft.published_at is not None
    assert draft.notes == "Shorter onboarding"
    assert actions.latest_published(standard) == draft
    assert actions.default_version() == draft
    page = as_alice.get(response["Location"]).content.decode()
    assert "Version 2 published" in page


def test_publishing_needs_notes_and_says_so(
    as_alice: Client, draft: PlaybookVersion
) -> None:
    response = as_alice.post(f"/playbooks/versions/{draft.pk}/publish/", {"notes": "  "})
    assert response.status_code == 400
    assert "What changed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_published_version_cannot_be_published_again(
    alice, playbook_version: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(ValidationError, match="is published and cannot be changed"):
        actions.publish(playbook_version, alice, "again")


def test_a_running_engagement_keeps_its_phases_and_checklist_after_a_new_version(
    alice, carol, acme, engagement: Engagement, playbook_version: PlaybookVersion, draft  # type: ignore[no-untyped-def]
) -> None:
    checklist = list(engagement.activities.values_list("activity__name", flat=True))
    outputs = list(engagement.outputs.values_list("output__name", "output__required"))
    v1_phases = names(playbook_version.phases)
    current = engagement.current_phase

    phases = list(draft.phases.order_by("position"))
    actions.update_phase(phases[0], name="Research", by=alice)
    actions.remove_phase(phases[1], by=alice)
    first_activity = phases[0].activities.order_by("position").first()
    actions.rename_activity(first_activity, "Book the handover", by=alice)
    actions.update_output(phases[0].outputs.first(), required=False, by=alice)
    actions.publish(draft, alice, "Commitment folded into preparation")

    engagement.refresh_from_db()
    assert engagement.playbook_version == playbook_version
    assert engagement.current_phase == current
    assert engagement.current_phase.name == "Preparation"
    assert list(engagement.activities.values_list("activity__name", flat=True)) == checklist
    assert list(engagement.outputs.values_list("output__name", "output__required")) == outputs
    assert names(playbook_version.phases) == v1_phases

    newer = start_engagement(
        acme,
        EngagementData(initiative="Second site", owner=carol, start_date=dt.date(2026, 10, 1)),
        by=carol,
    )
    assert newer.playbook_version == draft
    assert newer.current_phase.name == "Research"
    assert "Commitment" not in names(newer.playbook_version.phases)


def test_every_change_to_a_published_version_is_refused(
    alice, playbook_version: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    phase = playbook_version.phases.order_by("position").first()
    activity = phase.activities.first()
    output = phase.outputs.first()
    attempts = [
        lambda: actions.add_phase(playbook_version, "New", by=alice),
        lambda: actions.update_phase(phase, name="New", by=alice),
        lambda: actions.remove_phase(phase, by=alice),
        lambda: actions.move_phase_position(phase, "down", by=alice),
        lambda: actions.add_activity(phase, "New", by=alice),
        lambda: actions.rename_activity(activity, "New", by=alice),
        lambda: actions.remove_activity(activity, by=alice),
        lambda: actions.move_activity_position(activity, "down", by=alice),
        lambda: actions.add_output(phase, "New", by=alice),
        lambda: actions.update_output(output, required=not output.required, by=alice),
        lambda: actions.remove_output(output, by=alice),
        lambda: actions.move_output_position(output, "down", by=alice),
        lambda: actions.discard_draft(playbook_version, by=alice),
    ]
    before = snapshot(playbook_version)
    for attempt in attempts:
        with pytest.raises(ValidationError, match="is published and cannot be changed"):
            attempt()
    assert snapshot(playbook_version) == before


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/playbooks/phases/{phase}/", {"name": "Hacked", "stage": "initial"}),
        ("/playbooks/phases/{phase}/remove/", {}),
        ("/playbooks/phases/{phase}/move/", {"direction": "down"}),
        ("/playbooks/versions/{version}/phases/", {"name": "Hacked", "stage": "initial"}),
        ("/playbooks/phases/{phase}/activities/", {"name": "Hacked"}),
        ("/playbooks/activities/{activity}/", {"name": "Hacked"}),
        ("/playbooks/activities/{activity}/remove/", {}),
        ("/playbooks/activities/{activity}/move/", {"direction": "down"}),
        ("/playbooks/phases/{phase}/outputs/", {"name": "Hacked"}),
        ("/playbooks/outputs/{output}/", {"name": "Hacked", "required": "on"}),
        ("/playbooks/outputs/{output}/remove/", {}),
        ("/playbooks/outputs/{output}/move/", {"direction": "down"}),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_the_server_refuses_a_crafted_post_to_a_published_version(
    as_alice: Client, playbook_version: PlaybookVersion, path: str, data: dict[str, str],
    htmx: bool,
) -> None:
    phase = playbook_version.phases.order_by("position").first()
    url = path.format(
        phase=phase.pk, version=playbook_version.pk,
        activity=phase.activities.first().pk, output=phase.outputs.first().pk,
    )
    before = snapshot(playbook_version)
    headers = {"HX-Request": "true"} if htmx else {}

    response = as_alice.post(url, data, headers=headers)

    assert response.status_code == (200 if htmx else 400)
    assert "is published and cannot be changed" in response.content.decode()
    assert snapshot(playbook_version) == before


def test_a_leader_copies_a_playbook_for_the_team(
    as_alice: Client, standard: Playbook, playbook_version: PlaybookVersion
) -> None:
    response = as_alice.post(
        f"/playbooks/{standard.pk}/copy/",
        {"name": "  Enterprise onboarding  ", "version": playbook_version.number},
    )

    copy = Playbook.objects.get(name="Enterprise onboarding")
    assert response.status_code == 302
    assert response["Location"] == copy.get_absolute_url()
    assert not copy.is_default
    assert copy.copied_from == playbook_version
    draft = copy.versions.get()
    assert draft.is_draft and draft.number == 1
    assert names(draft.phases) == names(playbook_version.phases)
    assert Output.objects.filter(phase__version=draft, required=True).count() == (
        Output.objects.filter(phase__version=playbook_version, required=True).count()
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Cairn standard engagement", "already exists"),
        ("cairn STANDARD engagement", "already exists"),
        ("   ", "Give the new playbook a name."),
        ("x" * 151, "The new playbook name is too long"),
    ],
)
def test_copying_needs_a_new_unique_name(
    as_alice: Client, standard: Playbook, name: str, message: str
) -> None:
    response = as_alice.post(f"/playbooks/{standard.pk}/copy/", {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Playbook.objects.count() == 1


def test_a_leader_makes_a_published_copy_the_default(
    as_alice: Client, alice, carol, acme, standard: Playbook, playbook_version  # type: ignore[no-untyped-def]
) -> None:
    copy = actions.copy_playbook(playbook_version, "Team playbook", alice)
    actions.publish(copy.versions.get(), alice, "Ours")

    response = as_alice.post(f"/playbooks/{copy.pk}/default/")

    assert response.status_code == 302
    assert list(Playbook.objects.filter(is_default=True)) == [copy]
    started = start_engagement(
        acme, EngagementData(initiative="New", owner=carol, start_date=dt.date(2026, 9, 1)),
        by=carol,
    )
    assert started.playbook_version.playbook == copy


def test_a_playbook_with_only_a_draft_cannot_become_the_default(
    as_alice: Client, alice, standard: Playbook, playbook_version  # type: ignore[no-untyped-def]
) -> None:
    copy = actions.copy_playbook(playbook_version, "Team playbook", alice)

    response = as_alice.post(f"/playbooks/{copy.pk}/default/", follow=True)

    assert "has no published version yet" in response.content.decode()
    assert list(Playbook.objects.filter(is_default=True)) == [standard]


def test_discarding_a_draft_leaves_the_published_versions(
    as_alice: Client, standard: Playbook, draft: PlaybookVersion, playbook_version
) -> None:  # type: ignore[no-untyped-def]
    response = as_alice.post(f"/playbooks/versions/{draft.pk}/discard/")
    assert response.status_code == 302
    assert list(standard.versions.all()) == [playbook_version]
    assert not Phase.objects.filter(version_id=draft.pk).exists()


def test_discarding_the_only_draft_of_a_fresh_copy_removes_the_copy(
    as_alice: Client, alice, playbook_version  # type: ignore[no-untyped-def]
) -> None:
    copy = actions.copy_playbook(playbook_version, "Abandoned idea", alice)
    response = as_alice.post(f"/playbooks/versions/{copy.versions.get().pk}/discard/")
    assert response["Location"] == "/playbooks/"
    assert not Playbook.objects.filter(pk=copy.pk).exists()
