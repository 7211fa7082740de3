"""The rules of phase 2: quadrant edges, RACI warnings, cadence, the first meeting's order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.commitment import actions
from cairn.commitment.models import (
    Cadence,
    Quadrant,
    RaciAssignment,
    Stakeholder,
    next_date,
    quadrant_of,
)
from cairn.commitment.queries import communication_plan, raci_warnings, responsibilities
from cairn.timeline.models import Entry, Task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("power", "interest", "quadrant"),
    [
        (10, 10, Quadrant.MANAGE_CLOSELY),
        (6, 6, Quadrant.MANAGE_CLOSELY),
        (6, 5, Quadrant.KEEP_SATISFIED),
        (10, 1, Quadrant.KEEP_SATISFIED),
        (5, 6, Quadrant.KEEP_INFORMED),
        (1, 10, Quadrant.KEEP_INFORMED),
        (5, 5, Quadrant.MONITOR),
        (1, 1, Quadrant.MONITOR),
    ],
)
def test_six_or_more_is_high_on_both_axes(power, interest, quadrant):
    assert quadrant_of(power, interest) == quadrant


def test_a_stakeholder_placed_on_the_edge_lands_in_the_quadrant_the_rule_says(stakeholder, contacts):
    olga = stakeholder(contacts[0], power=6, interest=6, attitude="champion")
    piet = stakeholder(contacts[1], power=5, interest=6)
    plan = {line.name: line for line in communication_plan(olga.engagement)}
    assert plan["Olga Berg"].quadrant == "Manage closely"
    assert plan["Piet Jansen"].quadrant == "Keep informed"
    actions.save_stakeholder(piet, {"power": 6}, by=olga.engagement.owner)
    assert Stakeholder.objects.get(pk=piet.pk).quadrant == Quadrant.MANAGE_CLOSELY


@pytest.mark.parametrize("field", ["power", "interest"])
@pytest.mark.parametrize("value", [0, 11])
def test_scores_outside_one_to_ten_are_refused_naming_the_field(stakeholder, contacts, field, value):
    with pytest.raises(ValidationError) as exc:
        stakeholder(contacts[0], **{field: value})
    assert field in exc.value.message_dict
    assert not Stakeholder.objects.exists()


def test_a_stakeholder_is_a_contact_or_a_category_never_both_nor_neither(stakeholder, contacts):
    with pytest.raises(ValidationError):
        stakeholder(contacts[0], category="Plant managers")
    with pytest.raises(ValidationError):
        stakeholder(None)
    group = stakeholder(None, category="Shift supervisors", headcount=40)
    assert group.name == "Shift supervisors (40)"
    assert group.is_category


def test_a_contact_of_another_account_cannot_be_a_stakeholder(stakeholder, carol):
    from cairn.customers.models import Account, Contact

    other = Account.objects.create(name="Other Co", owner=carol)
    stranger = Contact.objects.create(account=other, first_name="Ann")
    with pytest.raises(ValidationError) as exc:
        stakeholder(stranger)
    assert "contact" in exc.value.message_dict


def test_the_same_contact_or_category_twice_is_refused(stakeholder, contacts):
    stakeholder(contacts[0])
    with pytest.raises(ValidationError):
        stakeholder(contacts[0])
    stakeholder(None, category="Operators")
    with pytest.raises(ValidationError):
        stakeholder(None, category="operators")
    assert Stakeholder.objects.count() == 2


@pytest.mark.parametrize(
    ("cadence", "days", "after", "expected"),
    [
        (Cadence.WEEKLY, None, dt.date(2026, 1, 1), dt.date(2026, 1, 8)),
        (Cadence.FORTNIGHTLY, None, dt.date(2026, 1, 1), dt.date(2026, 1, 15)),
        (Cadence.MONTHLY, None, dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (Cadence.QUARTERLY, None, dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
        (Cadence.DAYS, 10, dt.date(2026, 1, 1), dt.date(2026, 1, 11)),
    ],
)
def test_the_next_contact_follows_the_cadence(cadence, days, after, expected):
    assert next_date(after, cadence, days) == expected


def test_every_few_days_needs_the_number_of_days(stakeholder, contacts):
    with pytest.raises(ValidationError) as exc:
        stakeholder(contacts[0], cadence=Cadence.DAYS)
    assert "cadence_days" in exc.value.message_dict


def test_logging_a_contact_moves_the_next_date_and_writes_the_timeline(stakeholder, contacts, carol):
    today = timezone.localdate()
    olga = stakeholder(contacts[0], owner=carol, cadence=Cadence.WEEKLY, next_contact=today)
    actions.log_contact(olga, by=carol, on=today, kind="call", note="Agreed the kick-off date")
    olga.refresh_from_db()
    assert olga.last_contact == today
    assert olga.next_contact == today + dt.timedelta(days=7)
    entry = Entry.objects.get(kind="call")
    assert entry.title == "Called Olga Berg" and entry.body == "Agreed the kick-off date"


def test_a_contact_cannot_be_logged_in_the_future(stakeholder, contacts, carol):
    olga = stakeholder(contacts[0])
    with pytest.raises(ValidationError):
        actions.log_contact(olga, by=carol, on=timezone.localdate() + dt.timedelta(days=1))
    assert not Entry.objects.filter(kind="meeting").exists()


def test_raci_warnings_name_a_missing_or_double_accountable_and_a_missing_responsible():
    assert raci_warnings([], []) == ["No one is accountable.", "No one is responsible."]
    assert raci_warnings(["Ann", "Bob"], ["Cy"]) == ["More than one accountable: Ann, Bob."]
    assert raci_warnings(["Ann"], ["Ann"]) == []


def test_the_raci_rows_list_names_by_letter_and_warn(engagement, stakeholder, contacts, carol):
    olga = stakeholder(contacts[0])
    piet = stakeholder(contacts[1])
    row = actions.add_raci_activity(engagement, "Sign off the onboarding plan", by=carol)
    actions.set_raci_cell(row, actions.PartyRef(stakeholder=olga), "A", by=carol)
    actions.set_raci_cell(row, actions.PartyRef(stakeholder=piet), "A", by=carol)
    actions.set_raci_cell(row, actions.PartyRef(user=carol), "C", by=carol)
    [line] = responsibilities(engagement)
    assert line.accountable == ["Olga Berg", "Piet Jansen"]
    assert line.consulted == [str(carol)]
    assert line.warnings == ["More than one accountable: Olga Berg, Piet Jansen.", "No one is responsible."]
    actions.set_raci_cell(row, actions.PartyRef(stakeholder=piet), "R", by=carol)
    [line] = responsibilities(engagement)
    assert line.warnings == []
    assert line.cells == {f"s{olga.pk}": "A", f"s{piet.pk}": "R", f"u{carol.pk}": "C"}
    actions.set_raci_cell(row, actions.PartyRef(stakeholder=piet), "", by=carol)
    assert RaciAssignment.objects.count() == 2


def test_only_our_people_in_the_raci_get_letters(engagement, dave, carol):
    row = actions.add_raci_activity(engagement, "Kick-off", by=carol)
    with pytest.raises(ValidationError) as exc:
        actions.set_raci_cell(row, actions.PartyRef(user=dave), "R", by=carol)
    assert "user" in exc.value.message_dict
    actions.add_raci_member(engagement, dave, by=carol)
    actions.set_raci_cell(row, actions.PartyRef(user=dave), "R", by=carol)
    assert responsibilities(engagement)[0].responsible == [str(dave)]


def test_seeding_takes_the_checklist_ahead_once(engagement, carol):
    added = actions.seed_raci(engagement, by=carol)
    assert added and added[0].checklist_item is not None
    assert actions.seed_raci(engagement, by=carol) == []


def test_activity_names_are_unique_per_engagement_whatever_the_case(engagement, carol):
    actions.add_raci_activity(engagement, "Kick-off", by=carol)
    with pytest.raises(ValidationError) as exc:
        actions.add_raci_activity(engagement, "kick-off", by=carol)
    assert "name" in exc.value.message_dict


def _plan(**changes):  # type: ignore[no-untyped-def]
    data = dict(
        scheduled_at=None,
        place="Acme HQ",
        format="in_person",
        length_minutes=60,
        desired_outcomes="Agree scope",
        agenda=[{"title": "Introductions", "minutes": 10}],
        contacts=[],
        users=[],
        documents=[],
    )
    data.update(changes)
    return actions.MeetingPlan(**data)


def test_next_steps_come_after_the_meeting_and_become_tasks(engagement, carol):
    meeting = actions.plan_meeting(engagement, _plan(), by=carol)
    with pytest.raises(ValidationError):
        actions.add_next_step(meeting, by=carol, title="Send proposal", assignee=carol, due_date=None)
    actions.hold_meeting(meeting, by=carol, held_at=timezone.now(), minutes="We agreed scope.")
    step = actions.add_next_step(
        meeting,
        by=carol,
        title="Send the proposal",
        assignee=carol,
        due_date=timezone.localdate() + dt.timedelta(days=5),
    )
    task = Task.objects.get(pk=step.task_id)
    assert task.engagement == engagement and task.assignee == carol
    assert Entry.objects.filter(kind="meeting", title="First meeting held").count() == 1
    actions.hold_meeting(meeting, by=carol, held_at=timezone.now(), minutes="Corrected.")
    assert Entry.objects.filter(kind="meeting").count() == 1


@pytest.mark.parametrize(
    ("agenda", "message"),
    [
        ([{"title": "", "minutes": 5}], "Item 1 needs a title."),
        ([{"title": "Demo", "minutes": 0}], "Item 1: minutes go from 1 to 480."),
    ],
)
def test_a_bad_agenda_item_is_refused_and_nothing_is_saved(engagement, carol, agenda, message):
    with pytest.raises(ValidationError) as exc:
        actions.plan_meeting(engagement, _plan(agenda=agenda), by=carol)
    assert exc.value.message_dict["agenda"] == [message]
    assert not engagement.timeline.filter(title__startswith="First meeting").exists()


def test_a_closed_engagement_refuses_changes(engagement, stakeholder, contacts, carol):
    from cairn.engagements.actions import set_status

    set_status(engagement, "closed", by=carol)
    with pytest.raises(ValidationError):
        stakeholder(contacts[0])
    with pytest.raises(ValidationError):
        actions.add_raci_activity(engagement, "Anything", by=carol)
