"""Expansion and advocacy through the API: the same rules and refusals as the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.customers.models import Account
from cairn.expansion.models import AdvocacyAsk, HandoffPolicy, Opportunity, Stage
from cairn.expansion.tests import factories as make
from cairn.people.models import ApiToken

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _client(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user, 'test')[1]}"
    return client


def _fields(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_an_opportunity_is_spotted_handed_moved_closed_and_its_history_read(client, carol, acme):
    api = _client(client, carol)
    created = api.post("/api/v1/expansion/opportunities", {
        "account": acme.pk, "title": "Connector", "kind": "cross_sell", "amount": "30000",
    }, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"] == "identified" and body["spotted_by"] == carol.pk and body["account_name"] == acme.name
    pk = body["id"]
    handed = api.post(f"/api/v1/expansion/opportunities/{pk}/hand-off", {
        "sales_owner_name": "Sam", "sales_owner_email": "sam@sales.example", "crm_reference": "CRM-3",
    }, content_type=JSON)
    assert handed.status_code == 200 and handed.json()["stage"] == "handed"
    moved = api.patch(f"/api/v1/expansion/opportunities/{pk}", {"stage": "proposal"}, content_type=JSON)
    assert moved.status_code == 200 and moved.json()["stage"] == "proposal"
    closed = api.post(f"/api/v1/expansion/opportunities/{pk}/close", {
        "stage": "lost", "close_reason": "Built in-house",
    }, content_type=JSON)
    assert closed.status_code == 200 and closed.json()["closed_amount"] == "0.00"
    history = api.get(f"/api/v1/expansion/opportunities/{pk}/history").json()
    assert [h["to_stage"] for h in history] == ["identified", "handed", "proposal", "lost"]
    assert all(h["by"] == carol.pk for h in history)


def test_the_list_filters_paginates_and_totals_in_constant_queries(client, rita, carol, dave, acme):
    api = _client(client, rita)
    make.handed(acme, carol, amount=Decimal("5000"))
    make.opportunity(Account.objects.create(name="Beta", owner=dave), dave, amount=Decimal("700"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/expansion/opportunities").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(8):
        make.handed(acme, carol)
    assert count() == few
    assert api.get("/api/v1/expansion/opportunities", {"account": acme.pk}).json()["count"] == 9
    assert api.get("/api/v1/expansion/opportunities", {"spotted_by": dave.pk}).json()["count"] == 1
    assert api.get("/api/v1/expansion/opportunities", {"stage": "identified"}).json()["count"] == 1
    assert api.get("/api/v1/expansion/opportunities", {"kind": "cross_sell"}).json()["count"] == 0
    assert api.get("/api/v1/expansion/opportunities", {"page_size": 2}).json()["items"].__len__() == 2
    totals = api.get("/api/v1/expansion/opportunities/totals").json()
    assert totals["pipeline_count"] == 10 and Decimal(totals["pipeline"]) == Decimal("245700")
    assert _fields(api.get("/api/v1/expansion/opportunities", {"stage": "nope"}))


@pytest.mark.parametrize(("body", "field"), [
    ({"title": ""}, "title"),
    ({"title": "X", "amount": "-1"}, "amount"),
    ({"title": "X", "kind": "sideways"}, "kind"),
    ({"title": "X", "product": 999999}, "product"),
    ({"title": "X", "expected_close": "1900-01-01"}, "expected_close"),
    ({"title": "X" * 301}, "title"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(client, carol, acme, body, field):
    api = _client(client, carol)
    response = api.post("/api/v1/expansion/opportunities", {"account": acme.pk, **body}, content_type=JSON)
    assert field in _fields(response)
    assert not Opportunity.objects.exists()


def test_the_hand_off_follows_the_policy(client, carol, alice, acme):
    make.policy(alice, minimum="20000", confirmation=True)
    found = make.opportunity(acme, carol, amount=Decimal("10000"))
    api = _client(client, carol)
    url = f"/api/v1/expansion/opportunities/{found.pk}/hand-off"
    body = {"sales_owner_name": "Sam", "sales_owner_email": "sam@sales.example", "crm_reference": "C-1"}
    refused = _fields(api.post(url, body, content_type=JSON))
    assert "20,000" in refused["amount"] and "confirmed_by" in refused
    who = make.contact(acme)
    assert "sales_owner_email" in _fields(api.post(url, {
        **body, "amount": "20000", "confirmed_by": who.pk, "sales_owner_email": "sam",
    }, content_type=JSON))
    done = api.post(url, {**body, "amount": "20000", "confirmed_by": who.pk}, content_type=JSON)
    assert done.status_code == 200 and done.json()["confirmed_by"] == who.pk
    assert _fields(api.post(url, body, content_type=JSON))  # already handed over


def test_strangers_and_readers_are_refused(client, dave, rita, carol, acme):
    found = make.opportunity(acme, carol)
    who = make.contact(acme)
    ask = make.ask(who, carol)
    for user in (dave, rita):
        api = _client(client, user)
        assert api.post("/api/v1/expansion/opportunities", {"account": acme.pk, "title": "X"},
                        content_type=JSON).status_code == 403
        assert api.patch(f"/api/v1/expansion/opportunities/{found.pk}", {"title": "Y"},
                         content_type=JSON).status_code == 403
        assert api.post(f"/api/v1/expansion/opportunities/{found.pk}/close", {"stage": "lost", "close_reason": "x"},
                        content_type=JSON).status_code == 403
        assert api.delete(f"/api/v1/expansion/opportunities/{found.pk}").status_code == 403
        assert api.post("/api/v1/expansion/asks", {"contact": who.pk}, content_type=JSON).status_code == 403
        assert api.patch(f"/api/v1/expansion/asks/{ask.pk}", {"notes": "x"}, content_type=JSON).status_code == 403
        assert api.put("/api/v1/expansion/policy", {"minimum_amount": "1"}, content_type=JSON).status_code == 403
        assert api.get(f"/api/v1/expansion/opportunities/{found.pk}").status_code == 200
    assert Opportunity.objects.get().title == found.title and not HandoffPolicy.objects.exists()


def test_asks_and_candidates_through_the_api(client, carol, acme):
    api = _client(client, carol)
    fan = make.contact(acme, "Fan")
    make.answer(fan, 10)
    candidates = api.get("/api/v1/expansion/candidates").json()
    assert [(c["contact"], c["nps_score"]) for c in candidates["items"]] == [(fan.pk, 10)]
    assert "asked_on" in _fields(api.post("/api/v1/expansion/asks", {"contact": fan.pk, "status": "asked"},
                                          content_type=JSON))
    assert "contact" in _fields(api.post("/api/v1/expansion/asks", {"contact": 999999}, content_type=JSON))
    created = api.post("/api/v1/expansion/asks", {"contact": fan.pk, "kind": "case_study"}, content_type=JSON)
    assert created.status_code == 201 and created.json()["asked_by"] == carol.pk
    assert api.get("/api/v1/expansion/candidates").json()["count"] == 0
    pk = created.json()["id"]
    today = timezone.localdate().isoformat()
    assert "done_on" in _fields(api.patch(f"/api/v1/expansion/asks/{pk}", {"status": "done", "asked_on": today},
                                          content_type=JSON))
    done = api.patch(f"/api/v1/expansion/asks/{pk}", {"status": "done", "asked_on": today, "done_on": today},
                     content_type=JSON)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.get("/api/v1/expansion/asks", {"status": "done"}).json()["count"] == 1
    assert api.delete(f"/api/v1/expansion/asks/{pk}").status_code == 204
    assert not AdvocacyAsk.objects.exists()


def test_everyone_reads_the_policy_and_leaders_set_it(client, rita, alice):
    assert _client(client, rita).get("/api/v1/expansion/policy").json()["minimum_amount"] == "0"
    api = _client(client, alice)
    assert "minimum_amount" in _fields(api.put("/api/v1/expansion/policy", {"minimum_amount": "-5"},
                                               content_type=JSON))
    done = api.put("/api/v1/expansion/policy", {"text": "Ask first", "minimum_amount": "20000",
                                                "requires_confirmation": True}, content_type=JSON)
    assert done.status_code == 200 and done.json()["updated_by"] == alice.pk
    assert HandoffPolicy.current().minimum_amount == Decimal("20000")


def test_a_closed_opportunity_cannot_change(client, carol, acme):
    found = make.handed(acme, carol)
    api = _client(client, carol)
    assert api.post(f"/api/v1/expansion/opportunities/{found.pk}/close", {"stage": "won", "closed_amount": "10"},
                    content_type=JSON).status_code == 200
    assert _fields(api.patch(f"/api/v1/expansion/opportunities/{found.pk}", {"title": "Later"}, content_type=JSON))
    assert Opportunity.objects.get().stage == Stage.WON


def test_a_null_for_a_field_that_cannot_be_empty_is_a_400_naming_it(client, carol, acme):
    found = make.opportunity(acme, carol)
    ask = make.ask(make.contact(acme), carol)
    api = _client(client, carol)
    assert set(_fields(api.patch(f"/api/v1/expansion/opportunities/{found.pk}", {"title": None},
                                 content_type=JSON))) == {"title"}
    assert set(_fields(api.patch(f"/api/v1/expansion/asks/{ask.pk}", {"status": None},
                                 content_type=JSON))) == {"status"}
    cleared = api.patch(f"/api/v1/expansion/opportunities/{found.pk}", {"expected_close": None, "product": None},
                        content_type=JSON)
    assert cleared.status_code == 200 and cleared.json()["product"] is None
