"""The onboarding API: same rules, permissions and validation as the pages."""

from __future__ import annotations

import datetime as dt
import typing

import pytest

from cairn.onboarding import schemas
from cairn.onboarding.models import (
    ActivityStatus,
    Cadence,
    Milestone,
    OnboardingPlan,
    PackStatus,
    PlanActivity,
    TimeEntry,
)
from cairn.onboarding.tests.conftest import TODAY, add_activity

pytestmark = pytest.mark.django_db
API = "/api/v1/onboarding"


def _json(client, method: str, url: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_the_schemas_offer_exactly_the_models_choices():
    assert set(typing.get_args(schemas.PackStatusValue)) == set(PackStatus.values)
    assert set(typing.get_args(schemas.CadenceValue)) == set(Cadence.values)
    assert set(typing.get_args(schemas.ActivityStatusValue)) == set(ActivityStatus.values)


def test_a_plan_is_built_and_read_through_the_api(engagement, contact, as_carol):
    base = f"{API}/engagements/{engagement.pk}/plan"
    response = _json(as_carol, "put", base, {
        "scope": "Pilot", "start_date": "2026-09-01", "deadline": "2026-12-01",
        "service_fee": "5000", "fee_currency": "EUR",
    })
    assert response.status_code == 200, response.json()
    phase = _json(as_carol, "post", f"{base}/phases",
                  {"name": "Set-up", "start_date": "2026-09-01", "end_date": "2026-09-30"}).json()
    activity = _json(as_carol, "post", f"{base}/activities", {
        "phase": phase["id"], "name": "Connect the meters", "start_date": "2026-09-02",
        "end_date": "2026-09-10", "responsible_contact": contact.pk, "status": "done",
    })
    assert activity.status_code == 201, activity.json()
    assert activity.json()["responsible_contact"]["name"] == "Olga Berg"
    milestone = _json(as_carol, "post", f"{base}/milestones",
                      {"name": "Pilot live", "due_date": "2026-09-30", "phase": phase["id"]})
    assert milestone.status_code == 201
    plan = as_carol.get(base).json()
    assert (plan["done"], plan["total"], plan["percent"]) == (1, 1, 100)
    assert plan["phases"][0]["activities"][0]["name"] == "Connect the meters"
    assert plan["milestones"][0]["name"] == "Pilot live"


def test_bad_dates_are_reported_on_their_field_and_nothing_is_saved(phase, as_carol):
    engagement = phase.plan.engagement
    response = _json(as_carol, "post", f"{API}/engagements/{engagement.pk}/plan/activities", {
        "phase": phase.pk, "name": "Backwards", "start_date": phase.end_date.isoformat(),
        "end_date": phase.start_date.isoformat(),
    })
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "end_date"
    assert not PlanActivity.objects.exists()
    response = _json(as_carol, "put", f"{API}/engagements/{engagement.pk}/plan",
                     {"deadline": (phase.plan.start_date - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "deadline"
    assert OnboardingPlan.objects.get().deadline == phase.plan.deadline


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_get_403_on_writes(phase, carol, persona, request):
    client = request.getfixturevalue(persona)
    engagement = phase.plan.engagement
    activity = add_activity(phase, carol)
    assert client.get(f"{API}/engagements/{engagement.pk}/plan").status_code == 200
    assert _json(client, "patch", f"{API}/activities/{activity.pk}", {"status": "done"}).status_code == 403
    assert _json(client, "put", f"{API}/engagements/{engagement.pk}/welcome-pack", {}).status_code == 403
    assert _json(client, "post", f"{API}/time-entries",
                 {"engagement": engagement.pk, "date": TODAY.isoformat(), "hours": "1"}).status_code == 403
    assert client.delete(f"{API}/phases/{phase.pk}").status_code == 403
    activity.refresh_from_db()
    assert activity.status == "planned" and not TimeEntry.objects.exists()


def test_the_welcome_pack_goes_through_its_steps(engagement, contact, carol, subscription, as_carol):
    url = f"{API}/engagements/{engagement.pk}/welcome-pack"
    assert as_carol.get(url).status_code == 404
    created = _json(as_carol, "put", url, {"recipient": contact.pk, "features": "Alerts"})
    assert created.status_code == 200
    assert "Energy Monitor: 400" in created.json()["quantities"]
    refused = _json(as_carol, "post", f"{url}/status", {"status": "received"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "status"
    sent = _json(as_carol, "post", f"{url}/status", {"status": "sent"})
    assert sent.json()["status"] == "sent" and sent.json()["document_id"]


def test_time_is_booked_listed_paginated_and_reported(engagement, carol, as_carol, as_rita):
    for i in range(27):
        response = _json(as_carol, "post", f"{API}/time-entries", {
            "engagement": engagement.pk, "date": (TODAY - dt.timedelta(days=i)).isoformat(), "hours": "1",
        })
        assert response.status_code == 201
    page = as_rita.get(f"{API}/time-entries", {"engagement": engagement.pk}).json()
    assert page["count"] == 27 and len(page["items"]) == 25
    report = as_rita.get(f"{API}/time-report").json()
    assert report["total"] == "27.00" or float(report["total"]) == 27
    assert report["by_user"][0]["name"] == "Carol Owner"
    assert "by_engagement" not in report
    per_engagement = as_rita.get(f"{API}/time-report/engagements").json()
    assert per_engagement["count"] == 1
    [row] = per_engagement["items"]
    assert float(row.pop("hours")) == 27
    assert row == {
        "engagement_id": engagement.pk, "account": engagement.account.name,
        "initiative": engagement.initiative,
    }
    bad = _json(as_carol, "post", f"{API}/time-entries",
                {"engagement": engagement.pk, "date": TODAY.isoformat(), "hours": "30"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "hours"


def test_only_the_owner_of_an_entry_or_a_leader_changes_it(engagement, carol, alice, as_carol, as_alice):
    from cairn.onboarding.timesheets import log_time

    entry = log_time(TimeEntry(engagement=engagement, date=TODAY, hours=1), by=alice)
    assert _json(as_carol, "patch", f"{API}/time-entries/{entry.pk}", {"hours": "2"}).status_code == 403
    assert _json(as_alice, "patch", f"{API}/time-entries/{entry.pk}", {"hours": "2"}).status_code == 200
    assert as_alice.delete(f"{API}/time-entries/{entry.pk}").status_code == 204


def test_a_milestone_report_and_the_sign_off_through_the_api(phase, carol, contact, as_carol):
    engagement = phase.plan.engagement
    add_activity(phase, carol, status="done")
    milestone = Milestone.objects.create(plan=phase.plan, name="Meters in", due_date=TODAY)
    report = _json(as_carol, "post", f"{API}/milestones/{milestone.pk}/report", {"include_hours": True})
    assert report.status_code == 201 and report.json()["version"] == 1
    signoff = _json(as_carol, "post", f"{API}/engagements/{engagement.pk}/plan/sign-off", {"contact": contact.pk})
    assert signoff.status_code == 201, signoff.json()
    assert "/shared/" in signoff.json()["url"]


def test_the_plan_and_the_time_lists_keep_their_query_count(phase, carol, contact, as_carol, assert_queries):
    from cairn.onboarding.actions import save_milestone
    from cairn.onboarding.tests.conftest import queries_of

    engagement = phase.plan.engagement
    urls = [f"{API}/engagements/{engagement.pk}/plan", f"{API}/time-entries?engagement={engagement.pk}",
            f"{API}/time-entries", f"{API}/time-report", f"{API}/time-report/engagements"]

    def book(activity: PlanActivity, days_ago: int) -> None:
        from cairn.onboarding.timesheets import log_time

        log_time(TimeEntry(engagement=engagement, plan_activity=activity, hours=1,
                           date=TODAY - dt.timedelta(days=days_ago)), by=carol)

    book(add_activity(phase, carol, "First", responsible_user=carol), 0)
    small = [queries_of(as_carol, url) for url in urls]
    for n in range(15):
        activity = add_activity(phase, carol, f"Activity {n}", responsible_contact=contact)
        save_milestone(Milestone(plan=phase.plan, name=f"M{n}", due_date=TODAY, phase=phase), by=carol)
        book(activity, n + 1)
        book(activity, n + 20)
    for url, expected in zip(urls, small, strict=True):
        assert_queries(as_carol, url, expected)
    assert len(as_carol.get(urls[1]).json()["items"]) == 25
