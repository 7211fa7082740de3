"""The domain actions of business reviews, and the figures a review gathers and drafts from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cairn.adoption.models import Risk, RiskStatus
from cairn.customers.models import Account, Contact, Product, Subscription
from cairn.engagements.actions import EngagementData, start_engagement
from cairn.expansion.tests import factories as expansion
from cairn.renewals.models import Renewal
from cairn.reviews import actions, facts
from cairn.reviews.models import DEFAULT_AGENDA, Decision, FollowUp, Format, Kind, Program, Review, Status
from cairn.reviews.tests.conftest import REVIEW_DAY
from cairn.timeline.models import Entry, Task, TaskStatus
from cairn.usage.models import SupportTicket
from cairn.value import actions as value
from cairn.value.models import ValueItem
from cairn.value.tests.conftest import make_kpi

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _errors(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


def _programme(account: Account, by: Any, **fields: Any) -> Program:
    fields.setdefault("purpose", "Show the value and agree the next quarter.")
    return actions.create_program(Program(account=account, **fields), by=by)


# --- Programmes -------------------------------------------------------------------------------


def test_a_programme_starts_from_its_kinds_agenda_and_is_on_the_timeline(acme, carol, contact):
    qbr = actions.create_program(Program(
        account=acme, kind=Kind.QBR, purpose="Quarterly", next_date=REVIEW_DAY,
    ), ours=[carol], theirs=[contact], by=carol)
    ebr = _programme(acme, carol, kind=Kind.EBR, agenda="Strategy\nAsks")
    assert qbr.agenda == DEFAULT_AGENDA[Kind.QBR] and ebr.agenda == "Strategy\nAsks"
    assert list(qbr.our_attendees.all()) == [carol] and list(qbr.customer_attendees.all()) == [contact]
    assert Entry.objects.filter(
        account=acme, title="QBR programme started: every 3 months, first on 01 Dec 2026"
    ).exists()
    assert _programme(Account.objects.create(name="Beta", owner=carol), carol, kind=Kind.EBR).agenda == (
        DEFAULT_AGENDA[Kind.EBR]
    )


@pytest.mark.parametrize(("fields", "field"), [
    ({"cadence_months": 0}, "cadence_months"),
    ({"cadence_months": 25}, "cadence_months"),
    ({"duration_minutes": 14}, "duration_minutes"),
    ({"duration_minutes": 481}, "duration_minutes"),
    ({"purpose": ""}, "purpose"),
    ({"format": "pigeon"}, "format"),
])
def test_a_programme_out_of_range_is_refused_naming_the_field(acme, carol, fields, field):
    with pytest.raises(ValidationError) as raised:
        _programme(acme, carol, **{"purpose": "Quarterly", **fields})
    assert field in _errors(raised)
    assert not Program.objects.exists()


def test_one_programme_per_kind_and_only_the_accounts_contacts_and_active_people(acme, carol, dave, program):
    with pytest.raises(ValidationError) as raised:
        _programme(acme, carol, kind=Kind.QBR)
    assert _errors(raised) == {"kind": ["This account already has a programme of this kind."]}
    stranger = Contact.objects.create(account=Account.objects.create(name="Beta", owner=dave), first_name="Bo")
    with pytest.raises(ValidationError) as raised:
        actions.create_program(Program(account=acme, kind=Kind.EBR, purpose="Board"), theirs=[stranger], by=carol)
    assert _errors(raised) == {"customer_attendees": ["Choose contacts of Acme Manufacturing."]}
    dave.is_active = False
    dave.save()
    with pytest.raises(ValidationError) as raised:
        actions.create_program(Program(account=acme, kind=Kind.EBR, purpose="Board"), ours=[dave], by=carol)
    assert "our_attendees" in _errors(raised)
    assert Program.objects.count() == 1


def test_a_programme_is_changed_and_its_attendees_replaced_one_side_at_a_time(acme, carol, alice, contact, program):
    changed = actions.update_program(
        program, {"cadence_months": 6, "format": Format.ON_SITE}, ours=[carol, alice], by=carol,
    )
    assert (changed.cadence_months, changed.format) == (6, Format.ON_SITE)
    assert set(changed.our_attendees.all()) == {carol, alice}
    assert list(changed.customer_attendees.all()) == [contact]  # left as it was
    actions.update_program(program, {}, theirs=[], by=carol)
    assert not program.customer_attendees.exists() and program.our_attendees.count() == 2
    with pytest.raises(ValidationError) as raised:
        actions.update_program(program, {"account": acme, "duration_minutes": 5}, by=carol)
    assert _errors(raised) == {"account": ["This cannot be changed here."]}
    _programme(acme, carol, kind=Kind.EBR)
    with pytest.raises(ValidationError) as raised:
        actions.update_program(program, {"kind": Kind.EBR}, by=carol)
    assert "kind" in _errors(raised)
    program.refresh_from_db()
    assert program.kind == Kind.QBR and program.cadence_months == 6


def test_deleting_a_programme_takes_its_reviews_and_keeps_their_tasks(acme, carol, review):
    follow_up = actions.add_follow_up(review, actions.Task("Call Maria", carol), by=carol)
    actions.delete_program(review.program, by=carol)
    assert not Program.objects.exists() and not Review.objects.exists()
    assert Task.objects.filter(pk=follow_up.task_id).exists() and not FollowUp.objects.exists()
    assert Entry.objects.filter(account=acme, title="QBR programme stopped").exists()


# --- Preparing and editing ----------------------------------------------------------------------


def test_the_period_runs_one_cadence_back_then_since_the_last_review_held(carol, program, engagement):
    first = actions.prepare_review(program, actions.Prepare(date=REVIEW_DAY), by=carol)
    assert (first.period_start, first.period_end) == (REVIEW_DAY - relativedelta(months=3), REVIEW_DAY)
    assert first.engagement == engagement and first.agenda == program.agenda and first.prepared_by == carol
    actions.record_meeting(first, actions.Meeting(held_on=dt.date(2026, 12, 3), minutes="Done."), by=carol)
    second = actions.prepare_review(program, actions.Prepare(date=dt.date(2027, 3, 1)), by=carol)
    assert (second.period_start, second.period_end) == (dt.date(2026, 12, 3), dt.date(2027, 3, 1))
    chosen = actions.prepare_review(program, actions.Prepare(
        date=dt.date(2027, 3, 2), period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 2, 28),
    ), by=carol)
    assert (chosen.period_start, chosen.period_end) == (dt.date(2027, 1, 1), dt.date(2027, 2, 28))


def test_the_draft_is_filled_from_the_accounts_data(acme, carol, program, engagement):
    value.save_item(ValueItem(
        engagement=engagement, commitment="promised", statement="Energy use down 20 % within a year",
    ), by=carol)
    for n in range(3):
        SupportTicket.objects.create(
            external_id=f"t-{n}", account=acme, subject=f"Ticket {n}",
            opened_at=timezone.make_aware(dt.datetime(2026, 11, 10 + n, 9)),
        )
    review = actions.prepare_review(program, actions.Prepare(date=REVIEW_DAY), by=carol)
    assert "Energy use down 20 % within a year" in review.value_text
    assert review.support_text.startswith("3 tickets opened and 0 solved in the period.")
    assert "3 open at the end of the period" in review.support_text
    assert review.summary.startswith("Quarterly business review of Acme Manufacturing, covering 1 Sep 2026")
    assert all(text for _, _, text in review.sections())
    assert Entry.objects.filter(account=acme, title="QBR prepared for 01 Dec 2026").exists()


def test_an_engagement_of_another_account_is_refused(carol, program):
    other = start_engagement(Account.objects.create(name="Beta", owner=carol), EngagementData(
        initiative="Beta rollout", owner=carol, start_date=dt.date(2026, 9, 1), challenge="Slow", solution="Fast",
    ), by=carol)
    with pytest.raises(ValidationError) as raised:
        actions.prepare_review(program, actions.Prepare(date=REVIEW_DAY, engagement=other), by=carol)
    assert _errors(raised) == {"engagement": ["Choose an engagement of Acme Manufacturing."]}
    review = actions.prepare_review(program, actions.Prepare(date=REVIEW_DAY), by=carol)
    with pytest.raises(ValidationError) as raised:
        actions.update_review(review, {"engagement": other}, by=carol)
    assert "engagement" in _errors(raised)
    assert Review.objects.get().engagement is None  # Acme has no engagement here


def test_a_draft_is_edited_until_it_is_held(carol, review):
    edited = actions.update_review(review, {"summary": "Our year", "period_start": dt.date(2026, 10, 1)}, by=carol)
    assert (edited.summary, edited.period_start) == ("Our year", dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as raised:
        actions.update_review(review, {"period_end": dt.date(2026, 9, 1)}, by=carol)
    assert "period_end" in _errors(raised)
    with pytest.raises(ValidationError) as raised:
        actions.update_review(review, {"status": Status.HELD}, by=carol)
    assert _errors(raised) == {"status": ["This cannot be changed here."]}
    actions.record_meeting(review, actions.Meeting(held_on=REVIEW_DAY, minutes="Held."), by=carol)
    with pytest.raises(ValidationError, match=r"It was held: the review cannot change any more\."):
        actions.update_review(review, {"summary": "Rewritten"}, by=carol)
    review.refresh_from_db()
    assert review.summary == "Our year"


# --- The meeting, cancelling, follow-ups ---------------------------------------------------------


def test_recording_the_meeting_keeps_the_decisions_in_order_and_moves_the_next_date(acme, carol, review):
    held = actions.record_meeting(review, actions.Meeting(
        held_on=dt.date(2026, 12, 2), minutes="  Maria wants Lyon next.  ",
        decisions=["Extend to Lyon", "", "  Monthly energy report  ", "Renew early"],
    ), by=carol)
    assert (held.status, held.held_on, held.minutes) == (Status.HELD, dt.date(2026, 12, 2), "Maria wants Lyon next.")
    assert list(Decision.objects.values_list("text", "position")) == [
        ("Extend to Lyon", 0), ("Monthly energy report", 1), ("Renew early", 2),
    ]
    review.program.refresh_from_db()
    assert review.program.next_date == dt.date(2027, 3, 2)
    entry = Entry.objects.get(account=acme, title="QBR held on 02 Dec 2026")
    assert entry.body == "Decisions: Extend to Lyon; Monthly energy report; Renew early"
    # Recorded again (corrected): the decisions are replaced, the next date stays.
    actions.record_meeting(review, actions.Meeting(
        held_on=dt.date(2026, 12, 2), minutes="Corrected.", decisions=["Only this"],
    ), by=carol)
    assert list(Decision.objects.values_list("text", flat=True)) == ["Only this"]
    review.program.refresh_from_db()
    assert review.program.next_date == dt.date(2027, 3, 2)


def test_a_review_held_early_moves_the_next_date_on_once(acme, carol, program, review):
    # Planned for 1 December, held three weeks early: the next is a quarter after the meeting.
    held_on = REVIEW_DAY - dt.timedelta(days=21)
    actions.record_meeting(review, actions.Meeting(held_on=held_on, minutes="Held early."), by=carol)
    program.refresh_from_db()
    assert program.next_date == held_on + relativedelta(months=3)
    # Correcting the minutes neither moves it again nor writes the timeline twice.
    actions.record_meeting(review, actions.Meeting(held_on=held_on, minutes="Corrected."), by=carol)
    program.refresh_from_db()
    assert program.next_date == held_on + relativedelta(months=3)
    assert Entry.objects.filter(account=acme, title__startswith="QBR held on").count() == 1


def test_only_a_draft_is_built_and_only_by_who_may_add_to_its_repository(
    acme, carol, dave, playbook_version, review
):
    # Dave works on another engagement of the account: he may change the account's reviews,
    # not add documents to Carol's engagement's repository.
    other = start_engagement(acme, EngagementData(
        initiative="Water", owner=dave, start_date=dt.date(2026, 10, 1),
    ), version=playbook_version, by=dave)
    assert other.account_id == acme.pk
    assert not actions.can_export(dave, review) and actions.can_export(carol, review)
    actions.cancel_review(review, by=carol)
    with pytest.raises(ValidationError, match="cancelled"):
        actions.export_review(review, by=carol)


def test_a_later_review_already_planned_keeps_its_date(carol, program, review):
    actions.update_program(program, {"next_date": dt.date(2027, 1, 15)}, by=carol)
    actions.record_meeting(review, actions.Meeting(held_on=REVIEW_DAY, minutes="Held."), by=carol)
    program.refresh_from_db()
    assert program.next_date == dt.date(2027, 1, 15)


def test_empty_minutes_are_refused_naming_them_and_nothing_is_kept(carol, review):
    with pytest.raises(ValidationError) as raised:
        actions.record_meeting(review, actions.Meeting(held_on=REVIEW_DAY, minutes="  \n ", decisions=["X"]),
                               by=carol)
    assert list(_errors(raised)) == ["minutes"]
    review.refresh_from_db()
    assert review.status == Status.DRAFT and review.held_on is None and not Decision.objects.exists()
    review.program.refresh_from_db()
    assert review.program.next_date == REVIEW_DAY


def test_a_meeting_in_the_future_is_refused_naming_its_date(carol, review):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        actions.record_meeting(review, actions.Meeting(held_on=tomorrow, minutes="Said."), by=carol)
    assert list(_errors(raised)) == ["held_on"]
    review.refresh_from_db()
    assert review.status == Status.DRAFT


def test_progress_is_what_the_kpis_said_at_the_periods_end(carol, program, engagement):
    # Energy from 100 to 80: 95 by the period's end (25 %), 80 today (100 %).
    kpi = make_kpi(engagement, carol, "Energy per unit", [(-50, "95"), (-1, "80")])
    value.save_item(ValueItem(engagement=engagement, commitment="expected", statement="Energy down"),
                    by=carol, kpis=[kpi])
    value.save_item(ValueItem(engagement=engagement, commitment="promised", statement="Zero outages"),
                    by=carol)

    found = facts.gather(_review(program, engagement))

    assert [(v.commitment, v.statement, v.progress) for v in found.value] == [
        ("Promised", "Zero outages", None), ("Expected", "Energy down", 25),
    ]
    assert found.kpis[0].progress == 25 and found.kpis[0].latest == 95.0


def test_a_cancelled_review_cannot_be_held_followed_up_or_cancelled_again(acme, carol, review):
    cancelled = actions.cancel_review(review, by=carol)
    assert cancelled.status == Status.CANCELLED
    assert Entry.objects.filter(account=acme, title="QBR of 01 Dec 2026 cancelled").exists()
    with pytest.raises(ValidationError, match="cancelled"):
        actions.record_meeting(review, actions.Meeting(held_on=REVIEW_DAY, minutes="Held."), by=carol)
    with pytest.raises(ValidationError, match="cancelled"):
        actions.add_follow_up(review, actions.Task("Call", carol), by=carol)
    with pytest.raises(ValidationError, match="It was cancelled"):
        actions.cancel_review(review, by=carol)
    assert not Task.objects.exists()


def test_a_follow_up_is_a_task_in_its_assignees_work(client, acme, carol, alice, engagement, review):
    follow_up = actions.add_follow_up(review, actions.Task(
        "Send the Lyon proposal", alice, due_date=dt.date(2026, 12, 20),
    ), by=carol)
    task = follow_up.task
    assert (task.assignee, task.account, task.engagement, task.created_by) == (alice, acme, engagement, carol)
    assert task.status == TaskStatus.OPEN and task.description == f"Follow-up of the {review}."
    assert list(review.follow_ups.all()) == [follow_up] and task.review_follow_up == follow_up
    client.force_login(alice)
    assert "Send the Lyon proposal" in client.get(reverse("my_work")).content.decode()
    actions.delete_review(review, by=carol)
    assert not FollowUp.objects.exists() and Task.objects.filter(pk=task.pk).exists()


def test_a_deactivated_assignee_is_refused_naming_the_field(carol, dave, review):
    dave.is_active = False
    dave.save()
    with pytest.raises(ValidationError) as raised:
        actions.add_follow_up(review, actions.Task("Call Maria", dave), by=carol)
    assert list(_errors(raised)) == ["assignee"]
    assert not Task.objects.exists() and not FollowUp.objects.exists()


# --- The figures: facts.gather and facts.draft ----------------------------------------------------


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _review(program: Program, engagement: Any) -> Review:
    """An unsaved review over the fifty days until ten days ago."""
    return Review(program=program, engagement=engagement, date=days(-10), period_start=days(-60),
                  period_end=days(-10), agenda="Welcome\n\nValue")


def test_the_value_comparison_and_the_kpis_up_to_the_periods_end(carol, program, engagement):
    saving = make_kpi(engagement, carol, "Energy per unit", [(-50, "95"), (-15, "88")])
    peak = make_kpi(engagement, carol, "Peak load", [(-20, "80")])
    make_kpi(engagement, carol, "Water use", [(-30, "50"), (0, "40")])
    make_kpi(engagement, carol, "Air quality", [])
    value.save_item(ValueItem(engagement=engagement, commitment="promised", statement="Energy down"),
                    by=carol, kpis=[saving])
    value.save_item(ValueItem(engagement=engagement, commitment="promised", statement="Peaks gone"),
                    by=carol, kpis=[peak])
    value.save_item(ValueItem(engagement=engagement, commitment="expected", statement="Less water"), by=carol)

    found = facts.gather(_review(program, engagement))

    assert [(c.label, c.items, c.measured, c.reached, c.progress) for c in found.columns] == [
        ("Promised", 2, 2, 1, 80), ("Expected", 1, 0, 0, None), ("All value", 3, 2, 1, 80),
    ]
    assert {v.statement: (v.commitment, v.progress) for v in found.value} == {
        "Energy down": ("Promised", 60), "Peaks gone": ("Promised", 100), "Less water": ("Expected", None),
    }
    # The KPIs with readings first; the reading taken today is after the period: not shown.
    assert [k.name for k in found.kpis] == ["Energy per unit", "Peak load", "Water use", "Air quality"]
    kpis = {k.name: k for k in found.kpis}
    assert kpis["Energy per unit"].points == [(days(-50), 95.0), (days(-15), 88.0)]
    assert kpis["Water use"].points == [(days(-30), 50.0)] and kpis["Water use"].latest == 50.0
    assert not kpis["Air quality"].points and kpis["Air quality"].latest is None
    assert found.agenda == ["Welcome", "Value"] and found.account == "Acme Manufacturing"
    text = facts.draft(found)
    assert "1 of 2 promised value items reached their target; on average 80 % of the way" in text["summary"]
    assert "Promised: Energy down — 60 % achieved, " in text["value_text"]
    assert "Expected: Less water — no kpi yet" in text["value_text"]
    assert text["adoption_text"].splitlines()[0].startswith("Energy per unit: 88 kWh against a target of 80 kWh")
    assert text["adoption_text"].splitlines()[2].startswith("Water use: 50 kWh against")


def test_support_counts_the_period_and_the_median_days_to_solve(acme, program, engagement):
    tickets = [  # opened, closed (days from today), priority, still open
        (-50, -49, "normal"), (-40, -38, "normal"), (-30, -26, "low"), (-25, -15, "normal"),
        (-12, -5, "normal"),  # solved after the period: opened in it, open at its end
        (-70, None, "high"),  # opened before, still open
        (-20, None, "low"),
        (-80, -75, "urgent"),  # before the period altogether
        (-5, None, "urgent"),  # after it
    ]
    for n, (opened, closed, priority) in enumerate(tickets):
        SupportTicket.objects.create(
            external_id=f"s-{n}", account=acme, subject=f"Ticket {n}", priority=priority,
            status="open" if closed is None else "solved", opened_at=_at(days(opened)),
            closed_at=_at(days(closed)) if closed is not None else None,
        )

    support = facts.gather(_review(program, engagement)).support

    assert (support.opened, support.solved, support.open_now, support.urgent_open) == (6, 4, 3, 1)
    assert sorted(support.subjects) == ["Ticket 4", "Ticket 5", "Ticket 6"]
    assert support.median_days == 3.0  # of 1, 2, 4 and 10 days
    text = facts.draft(facts.gather(_review(program, engagement)))["support_text"]
    assert text == "6 tickets opened and 4 solved in the period, in a median of 3.0 days.\n" \
                   "3 open at the end of the period, 1 of them high or urgent."


def test_risks_come_by_score_and_asks_with_the_renewals_arr(acme, carol, program, engagement):
    for title, likelihood, impact, status in (
        ("Night shift ignores alerts", 2, 2, RiskStatus.OPEN), ("Key user leaves", 4, 5, RiskStatus.OPEN),
        ("Budget freeze", 3, 3, RiskStatus.OPEN), ("Old risk", 5, 5, RiskStatus.CLOSED),
    ):
        Risk.objects.create(engagement=engagement, title=title, likelihood=likelihood, impact=impact,
                            status=status, mitigation="Watch it" if impact == 5 else "")
    product = Product.objects.create(name="Energy Monitor")
    Subscription.objects.create(account=acme, product=product, arr=Decimal("120000"), start_date=days(-400),
                                end_date=days(60), status="active")
    Renewal.objects.create(account=acme, renewal_date=days(60), arr=Decimal("120000"))
    expansion.opportunity(acme, carol, amount=Decimal("30000"))

    found = facts.gather(_review(program, engagement))

    assert [r.title for r in found.risks] == ["Key user leaves", "Budget freeze", "Night shift ignores alerts"]
    assert found.risks[0].source == "Adoption risk" and found.risks[0].response == "Watch it"
    assert found.arr == Decimal("120000")
    assert [(a.kind, a.amount) for a in found.asks] == [("Renewal", Decimal("120000")), ("Upsell", Decimal("30000"))]
    text = facts.draft(found)
    assert "Annual recurring revenue 120,000." in text["summary"]
    assert text["asks_text"].splitlines() == [
        f"Renewal: Renew on {facts.day(days(60))} (not started) — 120,000 ARR",
        "Upsell: More seats for the night shift — 30,000 ARR",
    ]
    assert text["risks_text"].splitlines()[0].startswith("Key user leaves (adoption risk, ")
    assert text["risks_text"].splitlines()[0].endswith("): Watch it")


def test_a_review_without_data_says_so_in_each_section(program):
    text = facts.draft(facts.gather(_review(program, None)))
    assert text["value_text"].startswith("No value items recorded yet")
    assert text["adoption_text"] == "No KPI reading or usage figure in the period."
    assert text["health_text"] == "No health score in the period."
    assert text["support_text"] == "0 tickets opened and 0 solved in the period.\nNo ticket open at the end of the period."
    assert text["risks_text"] == "No open risk or challenge."
    assert text["asks_text"] == "No ask this time."
