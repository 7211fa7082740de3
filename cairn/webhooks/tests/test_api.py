"""Webhooks through the API: the same rules as the pages (admins only; the events' schemas for
everyone), bad input named by its field, and the same history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.people.models import ApiToken
from cairn.webhooks import actions, sender
from cairn.webhooks.models import Attempt, Delivery, Endpoint, Status

pytestmark = pytest.mark.django_db
JSON = "application/json"
API = "/api/v1/webhooks"


def _client(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user, 'test')[1]}"
    return client


def _fields(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_an_admin_adds_changes_rotates_and_deletes_an_endpoint(client, adam) -> None:  # type: ignore[no-untyped-def]
    api = _client(client, adam)
    created = api.post(f"{API}/endpoints", {
        "name": "CRM sync", "url": "https://crm.example/hooks", "events": ["rule.fired", "health.alert"],
    }, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["events"] == ["rule.fired", "health.alert"] and body["active"] is True
    assert body["created_by"] == adam.pk and len(body["secret"]) >= 40 and body["secret_rotated_at"] is None
    url = f"{API}/endpoints/{body['id']}"
    assert api.get(url).json() == body
    assert [e["name"] for e in api.get(f"{API}/endpoints").json()["items"]] == ["CRM sync"]

    changed = api.patch(url, {"events": ["health.alert"], "active": False}, content_type=JSON)
    assert changed.status_code == 200, changed.content
    assert changed.json()["events"] == ["health.alert"] and changed.json()["active"] is False

    rotated = api.post(f"{url}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    assert rotated.json()["secret_rotated_at"] is not None

    history = api.get(f"{API}/history", {"endpoint": body["id"]}).json()
    assert [row["action"] for row in history] == ["changed", "changed", "created"]
    assert history[0]["changes"][0]["field"] == "Secret rotated"
    events_change = next(c for c in history[1]["changes"] if c["field"] == "Events")
    assert events_change == {"field": "Events", "old": "An automation rule acted, A health alert was raised",
                             "new": "A health alert was raised"}
    assert history[1]["who"] == adam.pk and history[1]["who_name"] == "Adam Admin"

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get(f"{API}/history").json()[0]["action"] == "deleted"


def test_a_bad_address_or_event_is_a_400_naming_the_field(client, adam) -> None:  # type: ignore[no-untyped-def]
    api = _client(client, adam)
    good = {"name": "CRM", "url": "https://crm.example/", "events": ["rule.fired"]}
    assert set(_fields(api.post(f"{API}/endpoints", good | {"url": "crm"}, content_type=JSON))) == {"url"}
    assert _fields(api.post(f"{API}/endpoints", good | {"url": "ftp://crm.example/"}, content_type=JSON)) == {
        "url": "Give an http:// or https:// address."
    }
    assert set(_fields(api.post(f"{API}/endpoints", good | {"events": ["deal.won"]}, content_type=JSON))) == {
        "events.0"
    }
    assert set(_fields(api.post(f"{API}/endpoints", good | {"events": []}, content_type=JSON))) == {"events"}
    assert set(_fields(api.post(f"{API}/endpoints", good | {"url": "x" * 501}, content_type=JSON))) == {"url"}
    assert set(_fields(api.post(f"{API}/endpoints", good | {"name": "A\x00"}, content_type=JSON))) == {"name"}
    made = api.post(f"{API}/endpoints", good, content_type=JSON).json()
    assert _fields(api.post(f"{API}/endpoints", good | {"name": "crm"}, content_type=JSON)) == {
        "name": "An endpoint of this name exists already."
    }
    url = f"{API}/endpoints/{made['id']}"
    assert _fields(api.patch(url, {"name": None}, content_type=JSON)) == {"name": "This field cannot be null."}
    assert set(_fields(api.patch(url, {"url": "mailto:someone@crm.example"}, content_type=JSON))) == {"url"}
    assert Endpoint.objects.get().url == "https://crm.example/"


def test_deliveries_are_listed_newest_first_and_read_with_their_attempts(client, adam, endpoint, receiver, alert) -> None:  # type: ignore[no-untyped-def]
    api = _client(client, adam)
    receiver.script(502, 200)
    [delivery] = actions.emit("health.alert", alert)
    sender.send_due()
    sender.send_due(timezone.now() + dt.timedelta(minutes=2))
    pinged = api.post(f"{API}/endpoints/{endpoint.pk}/ping")
    assert pinged.status_code == 201, pinged.content
    assert pinged.json()["event"] == "ping" and pinged.json()["status"] == "pending"
    assert pinged.json()["payload"]["requested_by"] == "Adam Admin" and pinged.json()["attempt_log"] == []

    listed = api.get(f"{API}/endpoints/{endpoint.pk}/deliveries").json()
    assert [d["event"] for d in listed["items"]] == ["ping", "health.alert"]
    assert api.get(f"{API}/endpoints/{endpoint.pk}/deliveries", {"status": "delivered"}).json()["count"] == 1
    assert api.get(f"{API}/endpoints/{endpoint.pk}/deliveries", {"event": "ping"}).json()["count"] == 1

    read = api.get(f"{API}/deliveries/{delivery.pk}").json()
    assert read["uuid"] == str(delivery.uuid) and read["status"] == "delivered" and read["attempts"] == 2
    assert [(a["number"], a["status_code"], a["response"]) for a in read["attempt_log"]] == [
        (1, 502, "answer 502"), (2, 200, "answer 200"),
    ]
    assert read["payload"]["account"]["name"] == "Acme Manufacturing"

    replayed = api.post(f"{API}/deliveries/{delivery.pk}/replay")
    assert replayed.status_code == 201, replayed.content
    assert replayed.json()["replay_of"] == delivery.pk and replayed.json()["payload"] == read["payload"]
    pending = api.post(f"{API}/deliveries/{replayed.json()['id']}/replay")
    assert pending.status_code == 400 and "still being tried" in pending.json()["errors"][0]["message"]


def test_listing_deliveries_runs_the_same_queries_for_few_and_many(client, adam, endpoint, alert) -> None:  # type: ignore[no-untyped-def]
    api = _client(client, adam)
    url = f"{API}/endpoints/{endpoint.pk}/deliveries"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        return len(ctx.captured_queries)

    Delivery.objects.create(endpoint=endpoint, event="health.alert", payload=alert, status=Status.FAILED)
    few = count()
    Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event="health.alert", payload=alert, status=Status.FAILED) for _ in range(20)
    )
    assert count() == few


def test_reading_a_delivery_runs_the_same_queries_for_few_and_many_attempts(client, adam, endpoint, alert) -> None:  # type: ignore[no-untyped-def]
    api = _client(client, adam)
    delivery = Delivery.objects.create(endpoint=endpoint, event="health.alert", payload=alert,
                                       status=Status.FAILED, attempts=6)
    Attempt.objects.create(delivery=delivery, number=1, attempted_at=timezone.now(), status_code=500)
    with CaptureQueriesContext(connection) as few:
        api.get(f"{API}/deliveries/{delivery.pk}")
    Attempt.objects.bulk_create(Attempt(delivery=delivery, number=n, attempted_at=timezone.now()) for n in range(2, 7))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(f"{API}/deliveries/{delivery.pk}").json()["attempt_log"]) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_everyone_but_admins_is_refused_and_nothing_changes(client, alice, carol, rita, endpoint, alert) -> None:  # type: ignore[no-untyped-def]
    delivery = Delivery.objects.create(endpoint=endpoint, event="health.alert", payload=alert, status=Status.FAILED)
    calls = [
        ("get", f"{API}/endpoints", None), ("post", f"{API}/endpoints", {
            "name": "Mine", "url": "https://mine.example/", "events": ["rule.fired"]}),
        ("get", f"{API}/endpoints/{endpoint.pk}", None), ("patch", f"{API}/endpoints/{endpoint.pk}", {"active": False}),
        ("delete", f"{API}/endpoints/{endpoint.pk}", None), ("post", f"{API}/endpoints/{endpoint.pk}/rotate-secret", None),
        ("post", f"{API}/endpoints/{endpoint.pk}/ping", None), ("get", f"{API}/endpoints/{endpoint.pk}/deliveries", None),
        ("get", f"{API}/deliveries/{delivery.pk}", None), ("post", f"{API}/deliveries/{delivery.pk}/replay", None),
        ("get", f"{API}/history", None),
    ]
    for user in (alice, carol, rita):
        api = _client(client, user)
        for method, url, body in calls:
            response = getattr(api, method)(url, body, content_type=JSON) if body else getattr(api, method)(url)
            assert response.status_code == 403, (user, method, url, response.content)
            assert response.json()["detail"] == "Only admins see and change the webhooks."
    endpoint.refresh_from_db()
    assert endpoint.active and Endpoint.objects.count() == 1 and Delivery.objects.count() == 1


def test_the_events_and_their_schemas_are_open_to_everyone_logged_in(client, rita) -> None:  # type: ignore[no-untyped-def]
    kinds = _client(client, rita).get(f"{API}/events").json()
    assert [k["key"] for k in kinds] == ["rule.fired", "health.alert", "ping"]
    assert [k["subscribable"] for k in kinds] == [True, True, False]
    alert = kinds[1]
    assert alert["data_schema"]["properties"]["score"]["anyOf"][0]["maximum"] == 100
    assert alert["example"]["event"] == "health.alert" and alert["example"]["data"]["kind"] == "turned_red"
