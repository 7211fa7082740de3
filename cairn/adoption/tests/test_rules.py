"""The domain rules: KPI status from baseline, milestones and target; risk score bands; the
plan's approval before its detail; readiness items carried into the challenge log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cairn.adoption import actions
from cairn.adoption.measurements import KpiStatus, assess, expected_at, target_path
from cairn.adoption.models import (
    AdoptionPlan,
    Challenge,
    KpiReading,
    Pilot,
    PilotCriterion,
    PilotResult,
    ReadinessItem,
    ReadinessStatus,
    ReadinessWorkshop,
    Risk,
    RiskLevel,
    WorkPackage,
    overall_result,
    risk_level,
)
from cairn.adoption.tests.conftest import add_milestone, make_kpi
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db

D = dt.date


def _status(kpi, value: str, day: dt.date) -> KpiStatus:  # type: ignore[no-untyped-def]
    reading = KpiReading(kpi=kpi, date=day, value=Decimal(value))
    return assess(kpi, kpi.milestones.all(), [reading]).status


def test_a_kpi_without_readings_is_not_started(engagement):
    kpi = make_kpi(engagement)
    assert assess(kpi, [], []).status == KpiStatus.NOT_STARTED


def test_the_target_path_is_interpolated_between_baseline_milestones_and_target(engagement):
    kpi = make_kpi(engagement, direction="higher", baseline_value=Decimal(0), target_value=Decimal(100),
                   baseline_date=D(2026, 1, 1), target_date=D(2026, 1, 21))
    add_milestone(kpi, D(2026, 1, 11), "80")
    path = target_path(kpi, kpi.milestones.all())
    assert expected_at(path, D(2026, 1, 6)) == Decimal(40)  # half way to the milestone
    assert expected_at(path, D(2026, 1, 16)) == Decimal(90)  # half way from milestone to target
    assert expected_at(path, D(2025, 12, 1)) == Decimal(0)  # before the baseline: the baseline
    assert expected_at(path, D(2027, 3, 1)) == Decimal(100)  # after the target date: the target


def test_higher_is_better_status_uses_ten_percent_of_the_distance(engagement):
    # Baseline 0, target 100 over 10 days: expected 50 on day 5; tolerance 10.
    kpi = make_kpi(engagement, direction="higher", baseline_value=Decimal(0), target_value=Decimal(100),
                   baseline_date=D(2026, 1, 1), target_date=D(2026, 1, 11))
    day = D(2026, 1, 6)
    assert _status(kpi, "50", day) == KpiStatus.ON_TRACK
    assert _status(kpi, "70", day) == KpiStatus.ON_TRACK
    assert _status(kpi, "40", day) == KpiStatus.AT_RISK  # exactly the tolerance short
    assert _status(kpi, "39.99", day) == KpiStatus.OFF_TRACK


def test_lower_is_better_status_mirrors_the_direction(engagement):
    # Baseline 124, target 90 over 100 days: expected 107 on day 50; tolerance 3.4.
    kpi = make_kpi(engagement, baseline_date=D(2026, 1, 1), target_date=D(2026, 4, 11))
    day = D(2026, 2, 20)
    assert _status(kpi, "107", day) == KpiStatus.ON_TRACK
    assert _status(kpi, "100", day) == KpiStatus.ON_TRACK
    assert _status(kpi, "110.4", day) == KpiStatus.AT_RISK
    assert _status(kpi, "110.5", day) == KpiStatus.OFF_TRACK


def test_a_milestone_changes_what_is_expected(engagement):
    kpi = make_kpi(engagement, direction="higher", baseline_value=Decimal(0), target_value=Decimal(100),
                   baseline_date=D(2026, 1, 1), target_date=D(2026, 1, 11))
    day = D(2026, 1, 6)
    assert _status(kpi, "45", day) == KpiStatus.AT_RISK  # straight path expects 50
    add_milestone(kpi, day, "30")  # a slow start was agreed
    assert _status(kpi, "45", day) == KpiStatus.ON_TRACK


def test_only_the_latest_reading_decides(engagement):
    kpi = make_kpi(engagement, direction="higher", baseline_value=Decimal(0), target_value=Decimal(100),
                   baseline_date=D(2026, 1, 1), target_date=D(2026, 1, 11))
    readings = [KpiReading(kpi=kpi, date=D(2026, 1, 6), value=Decimal(10)),
                KpiReading(kpi=kpi, date=D(2026, 1, 3), value=Decimal(30))]
    assessment = assess(kpi, [], readings)
    assert assessment.latest is not None and assessment.latest.date == D(2026, 1, 6)
    assert assessment.status == KpiStatus.OFF_TRACK


def test_a_kpi_target_must_lie_in_its_direction(engagement):
    kpi = make_kpi(engagement)
    kpi.target_value = Decimal(130)
    with pytest.raises(ValidationError) as exc:
        kpi.full_clean()
    assert "target_value" in exc.value.message_dict


def test_milestones_and_readings_stay_inside_the_kpi_dates(engagement):
    kpi = make_kpi(engagement)
    from cairn.adoption.models import KpiMilestone

    with pytest.raises(ValidationError) as exc:
        KpiMilestone(kpi=kpi, date=D(2027, 1, 5), expected=Decimal(95)).full_clean()
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        KpiReading(kpi=kpi, date=D(2025, 12, 1), value=Decimal(1)).full_clean()
    assert "date" in exc.value.message_dict


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [
        (1, 1, RiskLevel.LOW), (2, 2, RiskLevel.LOW), (1, 4, RiskLevel.LOW),  # 4: top of low
        (1, 5, RiskLevel.MEDIUM), (3, 3, RiskLevel.MEDIUM),  # 5 and 9: medium's edges
        (2, 5, RiskLevel.HIGH), (4, 4, RiskLevel.HIGH),  # 10 and 16: high's edges
        (4, 5, RiskLevel.CRITICAL), (5, 5, RiskLevel.CRITICAL),  # 20 and 25
    ],
)
def test_risk_scores_fall_in_their_bands(engagement, likelihood, impact, level):
    risk = Risk(engagement=engagement, title="x", likelihood=likelihood, impact=impact)
    assert risk.score == likelihood * impact
    assert risk.level == level


def test_band_edges_by_score():
    assert [risk_level(s) for s in (4, 5, 9, 10, 16, 17)] == [
        RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.HIGH, RiskLevel.CRITICAL,
    ]


def test_risk_scales_are_one_to_five(engagement):
    with pytest.raises(ValidationError) as exc:
        Risk(engagement=engagement, title="x", likelihood=6, impact=0).full_clean()
    assert {"likelihood", "impact"} <= set(exc.value.message_dict)


def test_the_detailed_plan_waits_for_the_outline_approval(engagement, carol, derek):
    with pytest.raises(ValidationError) as exc:
        actions.write_detailed(engagement, "# Detail\n\n## Training\n\nAll nurses", by=carol)
    assert "detailed" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 2), by=carol)
    actions.write_outline(engagement, "# Outline\n\n## Training\n\nNurses first", by=carol)
    plan = actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 2), by=carol,
                                   note="Agreed in the steering group")
    assert plan.approved_version == 1 and plan.approver_name == "Derek Shaw, VP Operations"
    assert Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE, title__contains="approved by Derek").exists()
    plan = actions.write_detailed(engagement, "# Detail\n\n## Training\n\nAll nurses", by=carol)
    assert plan.detailed is not None and plan.stage == "detailed"


def test_an_edit_after_the_approval_is_a_new_version_that_needs_a_new_approval(engagement, carol, derek):
    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nTwo wards", by=carol)
    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nThree wards", by=carol)
    plan = actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 2), by=carol)
    assert plan.approved_version == 2 and not plan.awaits_approval
    with pytest.raises(ValidationError) as exc:
        actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 3), by=carol)
    assert "approved version 2, the current one, already" in str(exc.value)
    plan = actions.write_outline(engagement, "# Outline\n\n## Scope\n\nAll wards", by=carol)
    assert plan.outline.current_version.number == 3
    assert plan.approved_version == 2 and plan.awaits_approval and plan.is_approved
    assert Entry.objects.filter(
        title="Outline adoption plan changed after Derek Shaw, VP Operations approved version 2: "
              "version 3 awaits approval"
    ).exists()
    # The detail started from the approved version, not the one awaiting approval.
    assert "Three wards" in actions.detailed_start_text(engagement, plan)
    with pytest.raises(ValidationError) as exc:
        actions.save_work_package(WorkPackage(engagement=engagement, title="x", owner="y", deliverables="z"),
                                  by=carol, from_section="Scope")
    assert "plan_section" in exc.value.message_dict
    plan = actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 20), by=carol)
    assert plan.approved_version == 3 and not plan.awaits_approval
    assert plan.history.filter(approved_version=2).exists()  # the earlier approval stays on record


def test_a_changed_outline_is_approved_again_through_a_customer_link(engagement, carol, derek):
    from cairn.adoption import approval
    from cairn.sharing import actions as sharing
    from cairn.sharing.models import SharedLink

    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nTwo wards", by=carol)
    actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 2), by=carol)
    with pytest.raises(ValidationError):
        approval.send_outline(engagement, contact=derek, by=carol)  # version 1 is approved already
    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nThree wards", by=carol)
    approval.send_outline(engagement, contact=derek, by=carol)
    link = SharedLink.objects.get()
    assert link.version_number == 2
    sharing.respond(link, accept=True, typed_name="Derek Shaw")
    plan = AdoptionPlan.objects.get(engagement=engagement)
    assert plan.approved_version == 2 and not plan.awaits_approval


def test_an_approval_needs_a_contact_of_the_account(engagement, carol):
    from cairn.customers.models import Account, Contact

    other = Account.objects.create(name="Other", owner=carol)
    stranger = Contact.objects.create(account=other, first_name="Sam")
    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nTwo wards", by=carol)
    with pytest.raises(ValidationError) as exc:
        actions.approve_outline(engagement, stakeholder=stranger, approved_on=D(2026, 9, 2), by=carol)
    assert "approved_by" in exc.value.message_dict


def test_a_work_package_records_the_plan_section_and_version_it_came_from(engagement, carol, derek):
    actions.write_outline(engagement, "# Outline\n\n## Training\n\nNurses first", by=carol)
    actions.approve_outline(engagement, stakeholder=derek, approved_on=D(2026, 9, 2), by=carol)
    actions.write_detailed(engagement, "# Detail\n\n## Training plan\n\nTwo sessions per ward", by=carol)
    package = actions.save_work_package(
        WorkPackage(engagement=engagement, title="Ward training", owner="Ruth", deliverables="Sessions"),
        by=carol, from_section="Training plan",
    )
    assert package.plan_document == AdoptionPlan.objects.get(engagement=engagement).detailed
    assert package.plan_version == 1 and package.plan_section == "Training plan"
    with pytest.raises(ValidationError) as exc:
        actions.save_work_package(
            WorkPackage(engagement=engagement, title="x", owner="y", deliverables="z"),
            by=carol, from_section="No such section",
        )
    assert "plan_section" in exc.value.message_dict


def test_carrying_a_readiness_item_opens_a_challenge(engagement, carol):
    workshop = ReadinessWorkshop.objects.create(engagement=engagement, held_on=D(2026, 9, 3), participants="Ruth")
    item = ReadinessItem.objects.create(workshop=workshop, item="Night shift laptops not imaged")
    challenge = actions.carry_as_issue(item, impact="Night shift cannot log in on day one", by=carol)
    item.refresh_from_db()
    assert item.status == ReadinessStatus.CARRIED and item.challenge == challenge
    assert Challenge.objects.get().challenge == "Night shift laptops not imaged"
    with pytest.raises(ValidationError):
        actions.resolve_item(item, "done", by=carol)


def test_a_closed_engagement_refuses_adoption_changes(engagement, carol):
    from cairn.engagements.actions import set_status

    set_status(engagement, "closed", by=carol)
    with pytest.raises(ValidationError):
        actions.save_item(Risk(engagement=engagement, title="x", likelihood=1, impact=1), engagement, by=carol)
    assert not Risk.objects.exists()


def test_a_lesson_needs_its_text(engagement):
    with pytest.raises(ValidationError) as exc:
        Challenge(engagement=engagement, challenge="c", impact="i", raised_on=D(2026, 9, 1), is_lesson=True).full_clean()
    assert "lesson" in exc.value.message_dict


def test_the_stakeholder_approves_the_outline_through_a_customer_link(engagement, carol, derek, as_carol):
    from django.urls import reverse

    from cairn.sharing import actions as sharing

    with pytest.raises(ValidationError):
        from cairn.adoption import approval

        approval.send_outline(engagement, contact=derek, by=carol)
    actions.write_outline(engagement, "# Outline\n\n## Training\n\nNurses first", by=carol)
    page = as_carol.post(reverse("adoption_send_outline", args=[engagement.pk]), {"contact": derek.pk, "days": 7})
    assert page.status_code == 200 and "/shared/" in page.content.decode()
    from cairn.sharing.models import SharedLink

    link = SharedLink.objects.get()
    sharing.respond(link, accept=True, typed_name="Derek Shaw", comment="Go ahead")
    plan = AdoptionPlan.objects.get(engagement=engagement)
    assert plan.is_approved and plan.approved_by == derek and plan.approved_version == 1
    assert plan.approver_name == "Derek Shaw, VP Operations"
    actions.write_detailed(engagement, "# Detail\n\n## Training\n\nAll wards", by=carol)


def test_a_new_outline_version_withdraws_the_links_sent_for_the_old_one(engagement, carol, derek):
    from cairn.adoption import approval
    from cairn.sharing.models import SharedLink

    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nTwo wards", by=carol)
    approval.send_outline(engagement, contact=derek, by=carol)
    actions.write_outline(engagement, "# Outline\n\n## Scope\n\nThree wards", by=carol)
    assert SharedLink.objects.get().revoked_at is not None
    assert not AdoptionPlan.objects.get(engagement=engagement).is_approved


@pytest.mark.parametrize(
    ("results", "overall"),
    [
        ([], PilotResult.PENDING),  # nothing agreed yet
        (["met", "pending"], PilotResult.PENDING),  # one still to judge
        (["met", "met"], PilotResult.MET),
        (["not_met", "not_met"], PilotResult.NOT_MET),
        (["met", "not_met"], PilotResult.PARTLY),
        (["partly", "partly"], PilotResult.PARTLY),
        (["not_met", "partly"], PilotResult.PARTLY),  # partly is not nothing
    ],
)
def test_the_pilot_result_follows_from_its_criteria(results, overall):
    assert overall_result(results) == overall


def test_a_criterion_is_judged_on_evidence(engagement, carol):
    pilot = actions.save_item(
        Pilot(engagement=engagement, kind="pov", scope="Two wards", starts=D(2026, 9, 1), ends=D(2026, 10, 31)),
        engagement, by=carol,
    )
    with pytest.raises(ValidationError) as exc:
        actions.save_item(PilotCriterion(pilot=pilot, criterion="Wait under 4 h", result="met"), engagement, by=carol)
    assert exc.value.message_dict == {"evidence": ["Give the evidence the result rests on."]}
    criterion = actions.save_item(
        PilotCriterion(pilot=pilot, criterion="  Wait under 4 h ", result="met", evidence="3 h 50 median"),
        engagement, by=carol,
    )
    assert criterion.criterion == "Wait under 4 h"
    assert Pilot.objects.prefetch_related("criteria").get().result == PilotResult.MET
    assert Entry.objects.filter(title="Pilot success criterion added: Wait under 4 h").exists()
