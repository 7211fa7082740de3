"""The demo's business reviews: Halvorsen's quarterly reviews (one held with its minutes,
decisions, follow-ups and deck, the next one drafted and in Priya's "my work") and
Brightwater's executive review ahead, all dated in the story; loading again duplicates
nothing, and --reset loads them afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cairn.operations.tests.test_demo_command import demo
from cairn.people.models import User
from cairn.reviews import queries
from cairn.reviews.demo import DECISIONS, EBR_IN_DAYS, HELD_DAYS_AGO
from cairn.reviews.models import DEFAULT_AGENDA, Decision, FollowUp, Kind, Program, Review, Status
from cairn.timeline.models import TaskStatus

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Program, Review, Decision, FollowUp)}


def _qbr() -> Program:
    return Program.objects.select_related("account").get(account__external_id="demo-halvorsen-maritime")


def test_halvorsen_has_a_quarterly_programme_with_attendees_on_both_sides(loaded_demo):
    program = _qbr()
    assert program.kind == Kind.QBR and program.cadence_months == 3 and program.duration_minutes == 60
    assert program.format == "video" and program.purpose and program.agenda == DEFAULT_AGENDA[Kind.QBR]
    assert sorted(u.username for u in program.our_attendees.all()) == ["lena", "priya"]
    assert sorted(c.first_name for c in program.customer_attendees.all()) == ["Ingrid", "Mats", "Sofie"]
    assert all(c.account_id == program.account_id for c in program.customer_attendees.all())


def test_the_last_review_was_held_with_minutes_decisions_follow_ups_and_its_deck(loaded_demo):
    today = timezone.localdate()
    held = Review.objects.get(program=_qbr(), status=Status.HELD)
    assert held.held_on == held.date == today - dt.timedelta(days=HELD_DAYS_AGO)
    assert held.period_end == held.date and held.period_start < held.date - dt.timedelta(days=85)
    assert held.minutes and [d.text for d in held.decisions.all()] == list(DECISIONS)
    assert held.engagement is not None and held.engagement.account_id == held.program.account_id
    # Gathered from the account's data, then edited by Priya.
    assert held.summary.startswith("Since the last review") and "Halvorsen Maritime" in held.summary
    assert "Fuel per nautical mile down 8 % within a year" in held.value_text
    tasks = sorted((f.task for f in held.follow_ups.select_related("task__assignee")), key=lambda t: t.title)
    assert [(t.assignee.username, t.status) for t in tasks] == [
        ("lena", TaskStatus.OPEN), ("priya", TaskStatus.DONE),
    ]
    open_one, done = tasks
    assert open_one.due_date is not None and open_one.due_date > today
    assert done.completed_at is not None and done.completed_at.date() < today
    deck, pdf = held.deck, held.handout
    assert deck is not None and deck.current_version is not None and deck.current_version.number == 1
    assert pdf is not None and pdf.current_version is not None and pdf.current_version.filename.endswith(".pdf")
    assert deck.engagement_id == held.engagement_id
    assert held.exported_at is not None and held.exported_at.date() < held.date


def test_the_next_quarterly_review_is_a_quarter_after_the_last(loaded_demo):
    program = _qbr()
    held = program.reviews.get(status=Status.HELD)
    assert held.held_on is not None and program.next_date is not None
    assert (program.next_date - held.held_on).days in range(89, 93)
    assert not program.reviews.filter(status=Status.DRAFT).exists()


def test_brightwater_has_its_executive_review_drafted_in_three_weeks_and_in_tomass_work(loaded_demo):
    today = timezone.localdate()
    program = Program.objects.get(kind=Kind.EBR)
    assert program.account.external_id == "demo-brightwater-utilities"
    assert program.format == "on_site" and program.cadence_months == 12
    assert program.our_attendees.filter(username="tomas").exists() and program.customer_attendees.count() == 2
    draft = Review.objects.get(program=program, status=Status.DRAFT)
    assert program.next_date == draft.date and (draft.date - today).days == EBR_IN_DAYS
    assert draft.summary.startswith("Executive business review of Brightwater Utilities")
    tomas = User.objects.get(username="tomas")
    due = queries.due(tomas)
    assert [p.pk for p in due["reviews_due"]] == [program.pk]
    client = Client()
    client.force_login(tomas)
    assert "Executive business review" in client.get(draft.get_absolute_url()).content.decode()


def test_the_reviews_are_dated_in_their_story_not_at_load_time(loaded_demo):
    assert not Program.objects.filter(created_at__gte=loaded_demo.started).exists()
    assert not Review.objects.filter(updated_at__gte=loaded_demo.started).exists()
    assert not FollowUp.objects.filter(task__created_at__gte=loaded_demo.started).exists()
    held = Review.objects.get(status=Status.HELD)
    assert held.held_on is not None and held.deck is not None
    assert timezone.localdate(held.created_at) < held.held_on <= timezone.localdate(held.updated_at)
    assert held.deck.created_at < loaded_demo.started


def test_loading_again_duplicates_nothing_and_reset_loads_the_reviews_afresh(loaded_demo):
    loaded = _counts()
    assert loaded == {"Program": 2, "Review": 2, "Decision": 3, "FollowUp": 2}
    assert "already loaded" in demo()
    assert _counts() == loaded
    output = demo("--reset")
    assert "Demo data removed." in output and "Demo data loaded." in output
    assert _counts() == loaded
