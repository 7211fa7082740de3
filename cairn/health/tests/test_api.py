"""The health API: scorecards (leaders write), scores with explanations, manual ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cairn.health.actions import recompute_scores
from cairn.health.models import ManualRating, Scorecard
from cairn.health.tests.helpers import metric, scorecard, set_value
from cairn.people.models import ApiToken, User

pytestmark = pytest.mark.django_db


def token_client(user: User) -> Client:
    _, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def card_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Enterprise", "segments": ["enterprise"], "green_from": 75, "red_below": 45,
        "measures": [
            {"name": "Seats", "indicator": "product_utilization", "weight": 2, "source": "metric",
             "metric": metric().pk, "bad_value": 0.2, "good_value": 0.8},
            {"name": "Idle days", "indicator": "product_utilization", "weight": 1,
             "source": "metric", "metric": metric("idle", higher_is_better=False).pk,
             "method": "bands", "bands": [{"low": None, "high": 7, "points": 100},
                                          {"low": 7, "high": None, "points": 20}]},
            {"name": "Sponsor", "indicator": "sponsorship", "weight": 1, "source": "manual"},
        ],
    }
    body.update(overrides)
    return body


def test_a_leader_creates_and_updates_a_scorecard(alice):
    client = token_client(alice)

    created = client.post("/api/v1/health/scorecards", card_body(), content_type="application/json")

    assert created.status_code == 201, created.json()
    data = created.json()
    assert [m["name"] for m in data["measures"]] == ["Seats", "Idle days", "Sponsor"]
    assert data["measures"][1]["bands"][0] == {"low": None, "high": 7.0, "points": 100.0}
    body = card_body(name="Enterprise v2")
    body["measures"] = [{**data["measures"][0], "weight": 5}]
    updated = client.put(
        f"/api/v1/health/scorecards/{data['id']}", body, content_type="application/json"
    )
    assert updated.status_code == 200, updated.json()
    assert [(m["name"], m["weight"]) for m in updated.json()["measures"]] == [("Seats", 5.0)]


def test_bad_measures_are_refused_naming_the_field(alice):
    body = card_body()
    body["measures"][0]["good_value"] = 0.1
    body["measures"][1]["bands"] = [{"low": 5, "high": 1, "points": 50}]

    response = token_client(alice).post(
        "/api/v1/health/scorecards", body, content_type="application/json"
    )

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"measures.0.good_value", "measures.1.bands"}
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize("persona", ["carol", "rita"])
def test_only_leaders_write_scorecards_but_everyone_reads_them(persona, request):
    user = request.getfixturevalue(persona)
    client = token_client(user)
    scorecard()

    assert client.get("/api/v1/health/scorecards").status_code == 200
    refused = client.post("/api/v1/health/scorecards", card_body(), content_type="application/json")
    assert refused.status_code == 403
    assert Scorecard.objects.count() == 1


def test_the_score_comes_with_its_explanation(rita, acme):
    scorecard()
    set_value(acme, metric(), 0.5, timezone.localdate())
    recompute_scores()
    client = token_client(rita)

    score = client.get(f"/api/v1/health/accounts/{acme.pk}/score").json()
    history = client.get(f"/api/v1/health/accounts/{acme.pk}/scores").json()

    assert (score["score"], score["light"], score["scorecard"]) == (50.0, "amber", "Default")
    seats = score["measures"][0]
    assert (seats["points"], seats["effective_weight"], seats["contribution"]) == (50.0, 1.0, 50.0)
    assert score["measures"][1]["points"] is None
    assert history == [{"scored_on": timezone.localdate().isoformat(), "score": 50.0, "light": "amber"}]


def test_an_account_not_scored_yet_is_a_404(rita, acme):
    assert token_client(rita).get(f"/api/v1/health/accounts/{acme.pk}/score").status_code == 404


@pytest.mark.parametrize("persona,status", [("carol", 201), ("dave", 403), ("rita", 403)])
def test_who_may_rate_through_the_api(persona, status, acme, request):
    client = token_client(request.getfixturevalue(persona))
    body = {"indicator": "sentiment", "rating": "yellow", "comment": "Mixed feedback",
            "expires_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}

    response = client.post(f"/api/v1/health/accounts/{acme.pk}/ratings", body,
                           content_type="application/json")

    assert response.status_code == status
    assert ManualRating.objects.count() == (1 if status == 201 else 0)


def test_a_rating_without_comment_names_the_field(carol, acme):
    body = {"indicator": "sentiment", "rating": "4", "comment": " ",
            "expires_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}

    response = token_client(carol).post(f"/api/v1/health/accounts/{acme.pk}/ratings", body,
                                        content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "comment"
    assert not ManualRating.objects.exists()
