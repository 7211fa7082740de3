"""Tasks through the API: create, list with the my-work filters, complete and reopen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cairn.customers.models import Account
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.timeline.actions import create_task
from cairn.timeline.models import Entry, EntryKind, Task
from tests.api.test_customers import errors_of, post

pytestmark = pytest.mark.django_db


def test_the_owner_creates_a_task_on_an_engagement_and_the_timeline_shows_it(
    api_carol: Client, engagement: Engagement, dave: User
) -> None:
    item = engagement.activities.first()
    assert item is not None
    response = post(api_carol, "/api/v1/tasks/", {
        "title": "Book the handover", "assignee": dave.pk, "engagement": engagement.pk,
        "activity": item.pk, "due_date": "2026-10-01",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account_id"] == engagement.account_id and body["activity_id"] == item.pk
    assert body["assignee"]["username"] == "dave" and body["status"] == "open"
    assert Entry.objects.filter(kind=EntryKind.TASK, engagement=engagement).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "   "}, "title"),
        ({"assignee": 9999}, "assignee"),
        ({"account": None, "engagement": None}, "account"),
        ({"due_date": "next week"}, "due_date"),
        ({"activity": 9999}, "activity"),
    ],
)
def test_a_bad_task_names_the_field(
    api_carol: Client, acme: Account, carol: User, data: dict[str, Any], field: str
) -> None:
    payload = {"title": "Call", "assignee": carol.pk, "account": acme.pk, **data}
    assert field in errors_of(post(api_carol, "/api/v1/tasks/", payload))
    assert not Task.objects.exists()


def test_an_activity_of_another_engagement_is_refused(
    api_carol: Client, engagement: Engagement, carol: User, acme: Account
) -> None:
    item = engagement.activities.first()
    assert item is not None
    errors = errors_of(post(api_carol, "/api/v1/tasks/", {
        "title": "Call", "assignee": carol.pk, "account": acme.pk, "activity": item.pk,
    }))
    assert "engagement" in errors["activity"]


@pytest.mark.parametrize("persona", ["dave", "rita"])
def test_outsiders_cannot_add_tasks_to_someone_elses_account(
    persona: str, api: Any, acme: Account, carol: User
) -> None:
    response = post(api(persona), "/api/v1/tasks/",
                    {"title": "Call", "assignee": carol.pk, "account": acme.pk})
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_tasks_filter_by_assignee_status_and_overdue(
    api_rita: Client, acme: Account, carol: User, dave: User
) -> None:
    today = timezone.localdate()
    late = create_task(title="Late", assignee=carol, account=acme, created_by=carol,
                       due_date=today - dt.timedelta(days=2))
    create_task(title="Soon", assignee=carol, account=acme, created_by=carol,
                due_date=today + dt.timedelta(days=2))
    create_task(title="Dave's", assignee=dave, account=acme, created_by=carol)

    def titles(query: str) -> list[str]:
        response = api_rita.get(f"/api/v1/tasks/?{query}")
        assert response.status_code == 200, response.content
        return [t["title"] for t in response.json()["items"]]

    assert titles(f"assignee={carol.pk}") == ["Late", "Soon"]
    assert titles("overdue=true") == ["Late"]
    assert "Late" not in titles("overdue=false")
    assert api_rita.get(f"/api/v1/tasks/{late.pk}").json()["overdue"] is True
    assert titles("status=done") == []
    assert "status" in errors_of(api_rita.get("/api/v1/tasks/?status=finished"))
    assert "overdue" in errors_of(api_rita.get("/api/v1/tasks/?overdue=perhaps"))


def test_the_assignee_completes_and_reopens_their_task(
    api_dave: Client, acme: Account, carol: User, dave: User
) -> None:
    task = create_task(title="Dave's", assignee=dave, account=acme, created_by=carol)
    response = post(api_dave, f"/api/v1/tasks/{task.pk}/complete", {})
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["completed_at"]
    assert post(api_dave, f"/api/v1/tasks/{task.pk}/reopen", {}).json()["status"] == "open"


@pytest.mark.parametrize(("persona", "status"), [
    ("alice", 200), ("carol", 200), ("dave", 403), ("rita", 403),
])
def test_who_may_complete_a_task_on_carols_account(
    persona: str, status: int, api: Any, acme: Account, carol: User, adam: User
) -> None:
    task = create_task(title="Adam's", assignee=adam, account=acme, created_by=carol)
    assert post(api(persona), f"/api/v1/tasks/{task.pk}/complete", {}).status_code == status
    task.refresh_from_db()
    assert (task.status == "done") == (status == 200)


def test_completing_a_missing_task_is_404(api_carol: Client) -> None:
    assert post(api_carol, "/api/v1/tasks/99999/complete", {}).status_code == 404
