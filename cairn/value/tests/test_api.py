"""The value plan through the API: the same rules, validation and refusals as the pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.people.models import ApiToken
from cairn.value import actions
from cairn.value.models import ValueActivity, ValueChange, ValueItem
from cairn.value.tests.conftest import days, make_kpi

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _api(user) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, 'test')[1]}")


def test_items_list_and_read_with_what_they_achieved(rita, item, engagement, on_track):
    api = _api(rita)
    body = api.get("/api/v1/value/items", {"engagement": engagement.pk}).json()
    assert body["count"] == 1
    read = body["items"][0]
    assert read["statement"] == "Energy use down 20 % within a year" and read["commitment"] == "promised"
    assert read["achieved"]["progress"] == 32 and read["achieved"]["status"] == "off_track"
    assert {k["name"]: k["status"] for k in read["achieved"]["kpis"]} == {
        "Energy per unit": "on_track", "Peak load": "off_track"}
    assert read["perception"]["answer"] == "" and on_track.pk in read["kpis"]
    assert api.get(f"/api/v1/value/items/{item.pk}").json()["id"] == item.pk
    assert api.get("/api/v1/value/items", {"engagement": 999999}).status_code == 404


def test_the_owner_creates_changes_and_removes_an_item(carol, engagement, on_track, chain, maria):
    api = _api(carol)
    made = api.post("/api/v1/value/items", {
        "engagement": engagement.pk, "statement": "Bills down 15 %", "commitment": "expected",
        "kpis": [on_track.pk], "element": chain["goal"].pk, "measured_by_contact": maria.pk,
        "frequency": "quarterly",
    }, content_type=JSON)
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["achieved"]["progress"] == 60
    changed = api.patch(f"/api/v1/value/items/{pk}", {"kpis": [], "statement": "Bills down 10 %"},
                        content_type=JSON)
    assert changed.status_code == 200 and changed.json()["kpis"] == []
    assert changed.json()["statement"] == "Bills down 10 %"
    assert api.delete(f"/api/v1/value/items/{pk}").status_code == 204
    assert not ValueItem.objects.exists()


def test_bad_input_names_the_field_and_saves_nothing(carol, dave, engagement, maria):
    api = _api(carol)
    cases = [
        ({"engagement": engagement.pk, "statement": "x" * 301}, "statement"),
        ({"engagement": engagement.pk, "statement": "x", "frequency": "hourly"}, "frequency"),
        ({"engagement": engagement.pk, "statement": "x", "kpis": [999999]}, "kpis"),
        ({"engagement": engagement.pk, "statement": "x", "outcome": 999999}, "outcome"),
        ({"engagement": engagement.pk, "statement": "x", "measured_by_user": dave.pk}, "measured_by_user"),
        ({"engagement": engagement.pk, "statement": "x", "measured_by_user": carol.pk,
          "measured_by_contact": maria.pk}, "measured_by_contact"),
    ]
    for body, field in cases:
        response = api.post("/api/v1/value/items", body, content_type=JSON)
        assert response.status_code == 400, body
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert not ValueItem.objects.exists()


def test_who_may_not_change_the_engagement_is_refused(dave, rita, item, engagement):
    for user in (dave, rita):
        api = _api(user)
        assert api.post("/api/v1/value/items", {"engagement": engagement.pk, "statement": "x"},
                        content_type=JSON).status_code == 403
        assert api.patch(f"/api/v1/value/items/{item.pk}", {"statement": "y"}, content_type=JSON).status_code == 403
        assert api.delete(f"/api/v1/value/items/{item.pk}").status_code == 403
        assert api.post(f"/api/v1/value/items/{item.pk}/send", {"contact": 1}, content_type=JSON).status_code == 403
    assert Client().get("/api/v1/value/items", {"engagement": engagement.pk}).status_code == 401


def test_send_a_statement_and_read_the_confirmation(carol, rita, item, maria):
    sent = _api(carol).post(f"/api/v1/value/items/{item.pk}/send", {"contact": maria.pk, "days": 7},
                            content_type=JSON)
    assert sent.status_code == 201, sent.json()
    url = sent.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    Client().post(f"/shared/{token}/decline/", {"comment": "Only half of it"})
    links = _api(rita).get(f"/api/v1/value/items/{item.pk}/confirmation").json()
    assert [(link["response"], link["comment"]) for link in links] == [("declined", "Only half of it")]
    assert "url" not in links[0]
    read = _api(rita).get(f"/api/v1/value/items/{item.pk}").json()["perception"]
    assert read["answer"] == "disputed" and read["comment"] == "Only half of it" and read["contact"] == maria.pk
    bad = _api(carol).post(f"/api/v1/value/items/{item.pk}/send", {"contact": maria.pk, "days": 0},
                           content_type=JSON)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "days"


def test_changes_and_activities(carol, rita, engagement):
    api = _api(carol)
    change = api.post("/api/v1/value/changes", {
        "engagement": engagement.pk, "kind": "regulation", "description": "New energy law",
        "spotted_on": days(-2).isoformat(), "owner": carol.pk, "due_date": days(10).isoformat(),
    }, content_type=JSON)
    assert change.status_code == 201, change.json()
    pk = change.json()["id"]
    assert api.patch(f"/api/v1/value/changes/{pk}", {"status": "resolved"}, content_type=JSON).json()["status"] \
        == "resolved"
    bad = api.patch(f"/api/v1/value/changes/{pk}", {"due_date": days(-5).isoformat()}, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "due_date"
    assert api.post("/api/v1/value/changes", {"engagement": engagement.pk, "kind": "weather", "description": "x",
                                             "spotted_on": days(0).isoformat()}, content_type=JSON).status_code == 400
    activity = api.post("/api/v1/value/activities", {"engagement": engagement.pk, "title": "QBR",
                                                     "due_date": days(3).isoformat()}, content_type=JSON)
    assert activity.status_code == 201
    apk = activity.json()["id"]
    skipped = api.patch(f"/api/v1/value/activities/{apk}", {"status": "skipped"}, content_type=JSON)
    assert skipped.status_code == 400 and skipped.json()["errors"][0]["field"] == "note"
    assert api.patch(f"/api/v1/value/activities/{apk}", {"status": "happened", "note": "Went well"},
                     content_type=JSON).status_code == 200
    reader = _api(rita)
    assert reader.get("/api/v1/value/changes", {"engagement": engagement.pk}).json()["count"] == 1
    assert reader.get(f"/api/v1/value/activities/{apk}").json()["status"] == "happened"
    assert reader.patch(f"/api/v1/value/activities/{apk}", {"title": "x"}, content_type=JSON).status_code == 403
    assert api.delete(f"/api/v1/value/changes/{pk}").status_code == 204
    assert api.delete(f"/api/v1/value/activities/{apk}").status_code == 204
    assert not ValueChange.objects.exists() and not ValueActivity.objects.exists()


def test_the_lists_run_the_same_queries_for_few_rows_or_many(rita, item, engagement, carol):
    api = _api(rita)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for path in ("items", "changes", "activities"):
                assert api.get(f"/api/v1/value/{path}", {"engagement": engagement.pk}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        kpi = make_kpi(engagement, carol, f"KPI {n}", [(0, "95")])
        actions.save_item(ValueItem(engagement=engagement, statement=f"Value {n}"), by=carol, kpis=[kpi])
        actions.save_change(ValueChange(engagement=engagement, kind="other", description=f"C{n}",
                                        spotted_on=days(-1)), by=carol)
        actions.save_activity(ValueActivity(engagement=engagement, title=f"A{n}"), by=carol)
    assert count() == before
