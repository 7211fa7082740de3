"""Evaluation through the API: the same rules, validation and privacy as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.documents import actions as documents
from cairn.documents.actions import Details
from cairn.evaluation import actions
from cairn.evaluation.models import CustomerValue, DevelopmentPlan, Lesson
from cairn.evaluation.tests.conftest import api

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evaluation"


def test_a_round_is_answered_and_closed(round, carol, dave, rita):
    owner = api(carol)
    body = {"what": "Energy down", "measured_how": "Meters", "known_to_customer": True, "known_to_us": True}
    for stranger in (dave, rita):
        assert api(stranger).post(f"{BASE}/rounds/{round.pk}/customer-values", body,
                                  content_type="application/json").status_code == 403
    response = owner.post(f"{BASE}/rounds/{round.pk}/customer-values", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["customer_values"][0]["known_to_us"] is True
    response = owner.post(f"{BASE}/rounds/{round.pk}/close")
    assert response.status_code == 400 and "value our company got" in response.json()["errors"][0]["message"]
    response = owner.post(f"{BASE}/rounds/{round.pk}/company-values",
                          {"kind": "retention", "description": "Renewed", "reported_to": ["sales", "leadership"]},
                          content_type="application/json")
    assert response.json()["company_values"] == [
        {"id": response.json()["company_values"][0]["id"], "kind": "retention", "description": "Renewed",
         "reported_to": ["sales", "leadership"]}
    ]
    closed = owner.post(f"{BASE}/rounds/{round.pk}/close").json()
    assert closed["is_open"] is False and closed["closed_at"]
    listed = api(rita).get(f"{BASE}/rounds", {"engagement": round.engagement_id}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == round.pk


def test_bad_round_input_names_the_field(round, carol):
    owner = api(carol)
    response = owner.post(f"{BASE}/rounds/{round.pk}/customer-values",
                          {"what": "x" * 301, "known_to_customer": "maybe", "known_to_us": True},
                          content_type="application/json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"what", "known_to_customer"}
    response = owner.post(f"{BASE}/rounds/{round.pk}/company-values",
                          {"kind": "retention", "description": "x", "reported_to": ["finance"]},
                          content_type="application/json")
    assert response.status_code == 400 and not CustomerValue.objects.exists()
    value = actions.add_customer_value(round, {"what": "x", "known_to_customer": True, "known_to_us": True}, by=carol)
    response = owner.patch(f"{BASE}/customer-values/{value.pk}", {"known_to_us": None},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "known_to_us"
    assert owner.delete(f"{BASE}/customer-values/{value.pk}").status_code == 204


def test_lessons_are_gathered_written_searched_and_tagged(engagement, challenges, carol, dave, rita, alice):
    gathered = api(carol).post(f"{BASE}/engagements/{engagement.pk}/lessons",
                               {"challenges": [challenges[0].pk], "tags": ["Sponsors"]},
                               content_type="application/json")
    assert gathered.status_code == 201 and gathered.json()[0]["challenge"] == challenges[0].pk
    again = api(carol).post(f"{BASE}/engagements/{engagement.pk}/lessons",
                            {"challenges": [challenges[0].pk, 10**12]}, content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "challenges"
    assert api(dave).post(f"{BASE}/engagements/{engagement.pk}/lessons", {"challenges": [challenges[1].pk]},
                          content_type="application/json").status_code == 403
    assert api(rita).post(f"{BASE}/lessons", {"title": "x", "what_happened": "y"},
                          content_type="application/json").status_code == 403
    bad = api(dave).post(f"{BASE}/lessons", {"title": "x", "what_happened": "y", "tags": ["t"] * 9},
                         content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "tags"
    written = api(dave).post(f"{BASE}/lessons", {"title": "Late data", "what_happened": "Baseline late",
                                                 "tags": ["data"], "engagement": engagement.pk},
                             content_type="application/json")
    assert written.status_code == 201 and written.json()["engagement"] == engagement.pk
    lesson_id = written.json()["id"]
    assert api(carol).patch(f"{BASE}/lessons/{lesson_id}", {"title": "x"},
                            content_type="application/json").status_code == 403
    assert api(alice).patch(f"{BASE}/lessons/{lesson_id}", {"tags": ["data", "kpis"]},
                            content_type="application/json").json()["tags"] == ["data", "kpis"]
    found = api(rita).get(f"{BASE}/lessons", {"q": "baseline"}).json()
    assert [x["id"] for x in found["items"]] == [lesson_id]
    assert api(rita).get(f"{BASE}/lessons", {"tag": "sponsors"}).json()["count"] == 1
    tags = {t["name"]: t["lessons"] for t in api(rita).get(f"{BASE}/tags").json()["items"]}
    assert tags == {"Sponsors": 1, "data": 1, "kpis": 1}
    assert api(dave).delete(f"{BASE}/lessons/{lesson_id}").status_code == 204
    assert Lesson.objects.count() == 1


def test_a_document_is_promoted_and_templates_count_reuse(engagement, carol, dave, rita):
    doc = documents.create_written(engagement, Details(title="Value report"), "# V", by=carol)
    assert api(dave).post(f"{BASE}/documents/{doc.pk}/promote", {}, content_type="application/json").status_code == 403
    response = api(carol).post(f"{BASE}/documents/{doc.pk}/promote", {"title": "Value report template"},
                               content_type="application/json")
    assert response.status_code == 201
    template = response.json()
    assert template["origin"] == doc.pk and template["origin_engagement"] == engagement.pk and template["reuses"] == 0
    from cairn.documents.models import Document

    documents.create_written(engagement, Details(title="Copy"), "x", by=carol,
                             template=Document.objects.get(pk=template["id"]))
    listed = api(rita).get(f"{BASE}/templates").json()["items"]
    assert [(t["id"], t["reuses"]) for t in listed] == [(template["id"], 1)]


def test_plans_are_private_to_their_owner_and_leaders(carol, dave, rita, alice, adam):
    assert api(rita).put(f"{BASE}/plans/mine", {"career_vision": "x"}, content_type="application/json").status_code == 403
    assert api(carol).get(f"{BASE}/plans/mine").status_code == 404
    saved = api(carol).put(f"{BASE}/plans/mine", {"career_vision": "Lead", "success_factors": "A\nB"},
                           content_type="application/json")
    assert saved.status_code == 200 and saved.json()["success_factors"] == ["A", "B"]
    plan_id = saved.json()["id"]
    for stranger in (dave, rita):
        client = api(stranger)
        assert client.get(f"{BASE}/plans/{plan_id}").status_code == 404
        assert client.get(f"{BASE}/plans").json()["count"] == 0
        assert client.post(f"{BASE}/plans/{plan_id}/items", {"title": "x", "target_date": "2027-01-01"},
                           content_type="application/json").status_code == 403
        assert client.post(f"{BASE}/plans/{plan_id}/reviews",
                           {"held_on": "2026-01-01", "reviewer": alice.pk, "notes": "x"},
                           content_type="application/json").status_code == 403
    for leader in (alice, adam):
        assert api(leader).get(f"{BASE}/plans/{plan_id}").json()["career_vision"] == "Lead"
        assert api(leader).get(f"{BASE}/plans").json()["count"] == 1
    item = api(carol).post(f"{BASE}/plans/{plan_id}/items", {"title": "Course", "target_date": "2027-01-01"},
                           content_type="application/json")
    assert item.status_code == 201 and item.json()["status"] == "planned"
    bad = api(carol).patch(f"{BASE}/plan-items/{item.json()['id']}", {"status": "someday"},
                           content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
    assert api(dave).patch(f"{BASE}/plan-items/{item.json()['id']}", {"status": "done"},
                           content_type="application/json").status_code == 403
    review = api(alice).post(f"{BASE}/plans/{plan_id}/reviews",
                             {"held_on": "2026-01-01", "reviewer": alice.pk, "notes": "Good", "next_steps": "More"},
                             content_type="application/json")
    assert review.status_code == 201 and review.json()["reviewer_name"] == str(alice)
    alone = api(carol).post(f"{BASE}/plans/{plan_id}/reviews",
                            {"held_on": "2026-01-01", "reviewer": carol.pk, "notes": "x"},
                            content_type="application/json")
    assert alone.status_code == 400 and alone.json()["errors"][0]["field"] == "reviewer"
    assert api(carol).delete(f"{BASE}/plan-items/{item.json()['id']}").status_code == 204


def test_the_lists_run_constant_queries(alice, carol, django_user_model):
    client = api(alice)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def person(n: int) -> DevelopmentPlan:
        user = django_user_model.objects.create_user(username=f"p{n}", password="x")
        plan = actions.save_plan(user, {"career_vision": "x"}, by=user)
        actions.add_item(plan, {"title": "x", "target_date": dt.date(2027, 1, 1)}, by=user)
        actions.add_review(plan, held_on=dt.date(2026, 1, 1), reviewer=alice, notes="x", by=alice)
        return plan

    person(0)
    actions.create_lesson({"title": "L", "what_happened": "x"}, ["a"], by=carol)
    urls = [f"{BASE}/plans", f"{BASE}/lessons", f"{BASE}/rounds", f"{BASE}/templates", f"{BASE}/tags"]
    before = [count(u) for u in urls]
    for n in range(1, 8):
        person(n)
        actions.create_lesson({"title": f"L{n}", "what_happened": "x"}, [f"t{n}"], by=carol)
    assert [count(u) for u in urls] == before


def test_a_round_opens_from_value_realization_on(engagement, carol, dave):
    from cairn.engagements import actions as engagements

    url = f"{BASE}/engagements/{engagement.pk}/rounds"
    early = api(carol).post(url)
    assert early.status_code == 400 and "Evaluation opens from" in early.json()["errors"][0]["message"]
    phase = engagement.playbook_version.phases.get(key="value-realization")
    engagements.move_to_phase(engagement, phase, by=carol, override=True, reason="Migrated")
    assert api(dave).post(url).status_code == 403
    opened = api(carol).post(url)
    assert opened.status_code == 201 and opened.json()["is_open"] is True
    assert api(carol).post(url).status_code == 400
