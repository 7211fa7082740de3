"""Engagements, their checklist, outcomes and phase moves through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.customers.models import Account
from cairn.engagements.models import Engagement, EngagementActivity, Outcome, PhaseMove
from cairn.people.models import User
from cairn.timeline.models import Entry, EntryKind
from tests.api.test_customers import errors_of, patch, post

pytestmark = pytest.mark.django_db


def test_a_csm_starts_an_engagement_that_copies_the_checklist(
    api_carol: Client, acme: Account, dave: User, carol: User, playbook_version: Any
) -> None:
    response = post(api_carol, "/api/v1/engagements/", {
        "account": acme.pk, "initiative": "Cut downtime", "start_date": "2026-10-01",
        "team": [dave.pk],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["username"] == "carol"
    assert body["current_phase"]["key"] == "preparation"
    assert [m["username"] for m in body["team"]] == ["dave"]
    engagement = Engagement.objects.get(pk=body["id"])
    assert engagement.activities.exists()
    assert Entry.objects.filter(engagement=engagement, kind=EntryKind.PHASE_MOVE).exists()


def test_a_csm_cannot_start_an_engagement_on_an_account_they_do_not_look_after(
    api_dave: Client, acme: Account
) -> None:
    # Otherwise joining an engagement would be a way into someone else's account.
    response = post(api_dave, "/api/v1/engagements/", {
        "account": acme.pk, "initiative": "Cut downtime", "start_date": "2026-10-01",
    })
    assert response.status_code == 403
    assert not Engagement.objects.exists()


def test_work_cannot_go_to_a_read_only_user(
    api_carol: Client, acme: Account, rita: User
) -> None:
    response = post(api_carol, "/api/v1/engagements/", {
        "account": acme.pk, "initiative": "Cut downtime", "start_date": "2026-10-01",
        "owner": rita.pk,
    })
    assert response.status_code in (400, 403)
    assert not Engagement.objects.exists()


def test_a_read_only_user_cannot_start_an_engagement(api_rita: Client, acme: Account) -> None:
    response = post(api_rita, "/api/v1/engagements/", {
        "account": acme.pk, "initiative": "Cut downtime", "start_date": "2026-10-01",
    })
    assert response.status_code == 403
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"account": 9999}, "account"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"initiative": ""}, "initiative"),
        ({"owner": 9999}, "owner"),
        ({"team": [9999]}, "team"),
    ],
)
def test_a_bad_engagement_is_refused_naming_the_field(
    api_carol: Client, acme: Account, playbook_version: Any, change: dict[str, Any], field: str
) -> None:
    data = {"account": acme.pk, "initiative": "Cut downtime", "start_date": "2026-10-01", **change}
    assert field in errors_of(post(api_carol, "/api/v1/engagements/", data))
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("adam", 200), ("alice", 200), ("carol", 200), ("dave", 403), ("rita", 403),
])
def test_only_leaders_and_the_team_patch_an_engagement(
    persona: str, status: int, api: Any, engagement: Engagement
) -> None:
    response = patch(api(persona), f"/api/v1/engagements/{engagement.pk}", {"solution": "More"})
    assert response.status_code == status
    engagement.refresh_from_db()
    assert (engagement.solution == "More") == (status == 200)


def test_a_team_member_patches_the_engagement_and_its_status(
    api_dave: Client, engagement: Engagement, dave: User
) -> None:
    engagement.team.add(dave)
    response = patch(api_dave, f"/api/v1/engagements/{engagement.pk}", {
        "status": "paused", "status_reason": "Customer reorganises", "team": [dave.pk],
    })
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paused"
    assert Entry.objects.filter(engagement=engagement, body="Customer reorganises").exists()


def test_a_bad_patch_changes_nothing(api_carol: Client, engagement: Engagement) -> None:
    response = patch(api_carol, f"/api/v1/engagements/{engagement.pk}", {
        "initiative": "New name", "team": [424242],
    })
    assert "team" in errors_of(response)
    engagement.refresh_from_db()
    assert engagement.initiative == "Energy use down 20 %"
    assert "status" in errors_of(
        patch(api_carol, f"/api/v1/engagements/{engagement.pk}", {"status": "sleeping"})
    )


def test_engagements_filter_by_account_owner_phase_and_status(
    api_rita: Client, engagement: Engagement, carol: User, dave: User
) -> None:
    other = Account.objects.create(name="Globex", owner=dave)
    from cairn.engagements.actions import EngagementData, start_engagement

    start_engagement(other, EngagementData(initiative="Grow", owner=dave,
                                           start_date=engagement.start_date), by=dave)

    def initiatives(query: str) -> list[str]:
        return [e["initiative"] for e in api_rita.get(f"/api/v1/engagements/?{query}").json()["items"]]

    assert initiatives(f"account={other.pk}") == ["Grow"]
    assert initiatives(f"owner={carol.pk}") == ["Energy use down 20 %"]
    assert len(initiatives("phase=preparation")) == 2
    assert initiatives("phase=onboarding") == []
    assert len(initiatives("status=active")) == 2
    assert initiatives("status=closed") == []
    assert "status" in errors_of(api_rita.get("/api/v1/engagements/?status=done"))


def test_the_engagement_list_runs_the_same_queries_for_2_and_20(
    api_rita: Client, carol: User, dave: User, playbook_version: Any
) -> None:
    from cairn.engagements.actions import EngagementData, start_engagement

    def add(count: int) -> None:
        for _ in range(count):
            account = Account.objects.create(name=f"Customer {Account.objects.count()}")
            e = start_engagement(account, EngagementData(
                initiative="Grow", owner=carol, start_date=playbook_version.created_at.date()),
                by=carol, version=playbook_version, team=[dave])
            assert e.pk

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_rita.get("/api/v1/engagements/").status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(18)
    assert queries() == few


# Phase moves


def test_a_blocked_gate_answers_409_naming_the_missing_outputs(
    api_carol: Client, engagement: Engagement
) -> None:
    response = post(api_carol, f"/api/v1/engagements/{engagement.pk}/move",
                    {"to_phase": "commitment"})
    assert response.status_code == 409
    body = response.json()
    assert "Engagement strategy and roadmap" in body["missing_outputs"]
    assert "Engagement strategy and roadmap" in body["detail"]
    engagement.refresh_from_db()
    assert engagement.current_phase.key == "preparation"


def test_an_override_needs_a_reason_then_moves_and_is_recorded(
    api_carol: Client, engagement: Engagement
) -> None:
    url = f"/api/v1/engagements/{engagement.pk}/move"
    errors = errors_of(post(api_carol, url, {"to_phase": "commitment", "override": True}))
    assert "reason" in errors
    response = post(api_carol, url, {"to_phase": "commitment", "override": True,
                                     "reason": "Sponsor asked to go ahead"})
    assert response.status_code == 200, response.content
    move = response.json()
    assert move["overridden"] is True and move["to_phase"]["key"] == "commitment"
    assert move["moved_by"]["username"] == "carol"
    engagement.refresh_from_db()
    assert engagement.current_phase.key == "commitment"
    moves = api_carol.get(f"/api/v1/engagements/{engagement.pk}/moves").json()
    assert [m["to_phase"]["key"] for m in moves] == ["commitment", "preparation"]


def test_moving_back_needs_no_override(api_carol: Client, engagement: Engagement) -> None:
    url = f"/api/v1/engagements/{engagement.pk}/move"
    post(api_carol, url, {"to_phase": "commitment", "override": True, "reason": "Go"})
    response = post(api_carol, url, {"to_phase": "preparation"})
    assert response.status_code == 200
    assert response.json()["overridden"] is False


def test_an_unknown_phase_is_refused_naming_to_phase(
    api_carol: Client, engagement: Engagement
) -> None:
    errors = errors_of(post(api_carol, f"/api/v1/engagements/{engagement.pk}/move",
                            {"to_phase": "nirvana"}))
    assert "nirvana" in errors["to_phase"]
    errors = errors_of(post(api_carol, f"/api/v1/engagements/{engagement.pk}/move",
                            {"to_phase": "preparation"}))
    assert "already" in errors["to_phase"]


@pytest.mark.parametrize("persona", ["dave", "rita"])
def test_outsiders_cannot_move_an_engagement(persona: str, api: Any, engagement: Engagement) -> None:
    response = post(api(persona), f"/api/v1/engagements/{engagement.pk}/move",
                    {"to_phase": "commitment", "override": True, "reason": "Because"})
    assert response.status_code == 403
    assert PhaseMove.objects.filter(engagement=engagement).count() == 1


# The checklist


def test_the_checklist_lists_every_activity_in_phase_order(
    api_rita: Client, engagement: Engagement
) -> None:
    items = api_rita.get(f"/api/v1/engagements/{engagement.pk}/activities").json()
    assert len(items) == engagement.activities.count()
    positions = [i["phase"]["position"] for i in items]
    assert positions == sorted(positions)
    assert items[0]["name"] and items[0]["status"] == "open"


def test_the_owner_ticks_assigns_and_skips_activities(
    api_carol: Client, engagement: Engagement, dave: User
) -> None:
    item = engagement.activities.first()
    assert item is not None
    url = f"/api/v1/activities/{item.pk}"
    body = patch(api_carol, url, {"status": "done", "assignee": dave.pk, "due_date": "2026-10-15",
                                  "note": "Handover booked"}).json()
    assert body["status"] == "done" and body["completed_by"]["username"] == "carol"
    assert body["assignee"]["username"] == "dave" and body["due_date"] == "2026-10-15"
    body = patch(api_carol, url, {"assignee": None}).json()
    assert body["assignee"] is None and body["due_date"] == "2026-10-15"
    errors = errors_of(patch(api_carol, url, {"status": "skipped"}))
    assert "skip_reason" in errors
    body = patch(api_carol, url, {"status": "skipped", "skip_reason": "Done by sales"}).json()
    assert body["status"] == "skipped" and body["skip_reason"] == "Done by sales"


@pytest.mark.parametrize(
    ("data", "field"),
    [({"status": "finished"}, "status"), ({"assignee": 9999}, "assignee"),
     ({"due_date": "soon"}, "due_date")],
)
def test_a_bad_checklist_change_names_the_field(
    api_carol: Client, engagement: Engagement, data: dict[str, Any], field: str
) -> None:
    item = engagement.activities.first()
    assert item is not None
    assert field in errors_of(patch(api_carol, f"/api/v1/activities/{item.pk}", data))
    item.refresh_from_db()
    assert item.status == "open" and item.assignee is None


@pytest.mark.parametrize("persona", ["dave", "rita"])
def test_outsiders_cannot_tick_activities(persona: str, api: Any, engagement: Engagement) -> None:
    item = engagement.activities.first()
    assert item is not None
    response = patch(api(persona), f"/api/v1/activities/{item.pk}", {"status": "done"})
    assert response.status_code == 403
    assert api(persona).get(f"/api/v1/activities/{item.pk}").status_code == 200
    assert EngagementActivity.objects.get(pk=item.pk).status == "open"


# Outcomes


def test_the_owner_manages_outcomes(api_carol: Client, engagement: Engagement) -> None:
    response = post(api_carol, "/api/v1/outcomes/", {
        "engagement": engagement.pk, "name": "Energy use", "unit": "MWh", "baseline": "100",
        "target": "80", "due_date": "2027-06-30",
    })
    assert response.status_code == 201, response.content
    outcome = response.json()
    body = patch(api_carol, f"/api/v1/outcomes/{outcome['id']}", {"current": "90"}).json()
    assert body["progress_percent"] == 50
    listed = api_carol.get(f"/api/v1/outcomes/?engagement={engagement.pk}").json()
    assert listed["count"] == 1
    assert api_carol.delete(f"/api/v1/outcomes/{outcome['id']}").status_code == 204
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"target": "lots"}, "target"), ({"name": ""}, "name"), ({"engagement": 999}, "engagement"),
     ({"due_date": "2027-13-01"}, "due_date")],
)
def test_a_bad_outcome_names_the_field(
    api_carol: Client, engagement: Engagement, change: dict[str, Any], field: str
) -> None:
    data = {"engagement": engagement.pk, "name": "Energy use", "target": "80", **change}
    assert field in errors_of(post(api_carol, "/api/v1/outcomes/", data))
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("persona", ["dave", "rita"])
def test_outsiders_cannot_touch_outcomes(persona: str, api: Any, engagement: Engagement) -> None:
    outcome = Outcome.objects.create(engagement=engagement, name="Energy", target=80)
    data = {"engagement": engagement.pk, "name": "X", "target": "1"}
    assert post(api(persona), "/api/v1/outcomes/", data).status_code == 403
    assert patch(api(persona), f"/api/v1/outcomes/{outcome.pk}", {"name": "Y"}).status_code == 403
    assert api(persona).delete(f"/api/v1/outcomes/{outcome.pk}").status_code == 403
    assert list(Outcome.objects.values_list("name", flat=True)) == ["Energy"]
