"""Time tracking: booking hours, its rules, who may change what, and the reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cairn.onboarding.models import TimeEntry
from cairn.onboarding.tests.conftest import TODAY, add_activity, queries_of

pytestmark = pytest.mark.django_db


def _book(client, engagement, **data):  # type: ignore[no-untyped-def]
    payload = {"date": TODAY.isoformat(), "hours": "2", "note": "", "activity": "", **data}
    return client.post(reverse("onboarding_time", args=[engagement.pk]), payload)


def _entry(engagement, user, hours: str = "2", day: dt.date = TODAY, **extra) -> TimeEntry:  # type: ignore[no-untyped-def]
    from cairn.onboarding.timesheets import log_time

    return log_time(TimeEntry(engagement=engagement, date=day, hours=Decimal(hours), **extra), by=user)


def test_a_csm_books_hours_on_a_plan_activity(phase, carol, as_carol):
    engagement = phase.plan.engagement
    activity = add_activity(phase, carol)
    response = _book(as_carol, engagement, hours="1.5", activity=f"p{activity.pk}", note="Meter mapping")
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.user, entry.plan_activity, entry.hours) == (carol, activity, Decimal("1.5"))
    assert entry.phase.key == "onboarding"


def test_time_on_a_checklist_activity_is_filed_under_its_phase(engagement, carol, as_carol):
    item = engagement.activities.get(activity__phase__key="commitment", activity__position=1)
    _book(as_carol, engagement, activity=f"c{item.pk}")
    entry = TimeEntry.objects.get()
    assert entry.checklist_activity == item and entry.phase.key == "commitment"


def test_time_without_an_activity_goes_to_the_current_phase(engagement, as_carol):
    _book(as_carol, engagement)
    assert TimeEntry.objects.get().phase == engagement.current_phase


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_hours_must_be_more_than_zero_and_at_most_a_day(engagement, as_carol, hours):
    response = _book(as_carol, engagement, hours=hours)
    assert response.status_code == 400
    assert "hours" in response.context["form"].errors
    assert not TimeEntry.objects.exists()


def test_a_day_holds_no_more_than_24_hours_across_engagements(engagement, carol, as_carol, acme,
                                                             playbook_version):
    from cairn.engagements.actions import EngagementData, start_engagement

    other = start_engagement(acme, EngagementData("Second initiative", carol, TODAY), by=carol,
                             version=playbook_version)
    _entry(other, carol, "20")
    response = _book(as_carol, engagement, hours="5")
    assert response.status_code == 400
    assert "already has 20 hours" in response.context["form"].errors["hours"][0]
    assert TimeEntry.objects.count() == 1


def test_time_cannot_be_booked_in_the_future(engagement, as_carol):
    response = _book(as_carol, engagement, date=(TODAY + dt.timedelta(days=1)).isoformat())
    assert "date" in response.context["form"].errors
    assert not TimeEntry.objects.exists()


def test_an_activity_of_another_engagement_is_refused(phase, carol, acme, playbook_version):
    from django.core.exceptions import ValidationError

    from cairn.engagements.actions import EngagementData, start_engagement

    activity = add_activity(phase, carol)
    other = start_engagement(acme, EngagementData("Other", carol, TODAY), by=carol, version=playbook_version)
    with pytest.raises(ValidationError) as caught:
        _entry(other, carol, plan_activity=activity)
    assert "plan_activity" in caught.value.message_dict
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_book_time(engagement, persona, request):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("onboarding_time", args=[engagement.pk])).status_code == 200
    assert _book(client, engagement).status_code == 403
    assert not TimeEntry.objects.exists()


def test_people_change_their_own_entries_and_leaders_correct_anyone(engagement, carol, alice, as_carol,
                                                                   as_alice, as_dave):
    entry = _entry(engagement, alice, "1")
    edit = reverse("onboarding_time_edit", args=[engagement.pk, entry.pk])
    assert as_carol.post(edit, {"date": TODAY.isoformat(), "hours": "9"}).status_code == 403
    own = _entry(engagement, carol, "1")
    own_edit = reverse("onboarding_time_edit", args=[engagement.pk, own.pk])
    assert as_carol.post(own_edit, {"date": TODAY.isoformat(), "hours": "3", "activity": ""}).status_code == 302
    assert as_alice.post(own_edit, {"date": TODAY.isoformat(), "hours": "4", "activity": ""}).status_code == 302
    own.refresh_from_db()
    assert own.hours == Decimal("4") and own.user == carol
    delete = reverse("onboarding_time_delete", args=[engagement.pk, own.pk])
    assert as_dave.post(delete).status_code == 403
    assert as_carol.post(delete).status_code == 302
    assert not TimeEntry.objects.filter(pk=own.pk).exists()


def test_the_report_totals_per_csm_engagement_and_phase(engagement, carol, alice, as_rita, acme,
                                                         playbook_version):
    from cairn.engagements.actions import EngagementData, start_engagement

    other = start_engagement(acme, EngagementData("Second initiative", carol, TODAY), by=carol,
                             version=playbook_version)
    commitment = engagement.activities.get(activity__phase__key="commitment", activity__position=1)
    _entry(engagement, carol, "2")
    _entry(engagement, carol, "1.5", checklist_activity=commitment)
    _entry(other, alice, "4", day=TODAY - dt.timedelta(days=40))
    response = as_rita.get(reverse("time_report"))
    totals = response.context["totals"]
    assert totals.total == Decimal("7.5")
    assert {r["name"]: r["hours"] for r in totals.by_user} == {"Carol Owner": Decimal("3.5"),
                                                               "Alice Leader": Decimal("4")}
    per_engagement = response.context["per_engagement"].object_list
    assert {r["engagement"]: r["hours"] for r in per_engagement} == {
        engagement.pk: Decimal("3.5"), other.pk: Decimal("4")}
    assert {r["key"]: r["hours"] for r in totals.by_phase} == {"preparation": Decimal("6"),
                                                               "commitment": Decimal("1.5")}
    since = (TODAY - dt.timedelta(days=7)).isoformat()
    recent = as_rita.get(reverse("time_report"), {"date_from": since}).context["totals"]
    assert recent.total == Decimal("3.5")
    by_phase = as_rita.get(reverse("time_report"), {"phase": "commitment"}).context["totals"]
    assert by_phase.total == Decimal("1.5")


def test_a_range_ending_before_it_starts_names_the_field(as_rita, db):
    response = as_rita.get(reverse("time_report"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert "date_to" in response.context["filter_form"].errors


def test_the_time_pages_paginate_and_keep_their_query_count(engagement, carol, as_carol, assert_queries):
    pages = [reverse("onboarding_time", args=[engagement.pk]), reverse("time_report")]
    _entry(engagement, carol, "1")
    small = [queries_of(as_carol, url) for url in pages]
    for i in range(30):
        _entry(engagement, carol, "0.5", day=TODAY - dt.timedelta(days=i + 1))
    for url, expected in zip(pages, small, strict=True):
        assert_queries(as_carol, url, expected)
    response = as_carol.get(pages[0])
    assert len(response.context["entries"]) == 25
    assert "Page 1 of 2" in response.content.decode()


def test_the_report_pages_its_totals_per_engagement_and_keeps_its_query_count(
    engagement, carol, as_rita, acme, playbook_version, assert_queries,
):
    from cairn.engagements.actions import EngagementData, start_engagement

    url = reverse("time_report")
    _entry(engagement, carol, "1")
    small = queries_of(as_rita, url)
    for n in range(30):
        other = start_engagement(acme, EngagementData(f"Initiative {n}", carol, TODAY), by=carol,
                                 version=playbook_version)
        _entry(other, carol, "0.25", day=TODAY - dt.timedelta(days=n % 5))
    assert_queries(as_rita, url, small)
    since = (TODAY - dt.timedelta(days=30)).isoformat()
    first = as_rita.get(url, {"date_from": since})
    assert len(first.context["per_engagement"]) == 25
    page = first.content.decode()
    assert "Page 1 of 2 · 31 engagements" in page
    assert f'href="?date_from={since}&amp;engagements=2"' in page
    second = as_rita.get(url, {"date_from": since, "engagements": 2})
    assert len(second.context["per_engagement"]) == 6
