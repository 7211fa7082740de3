"""The adoption API: the same rules, permissions and validation as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.adoption.models import AdoptionPlan, Challenge, ImpactedGroup, ReadinessItem, Risk
from cairn.adoption.tests.conftest import add_milestone, add_readings, add_risks, fill, make_kpi

pytestmark = pytest.mark.django_db

API = "/api/v1/adoption"


def _post(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(f"{API}{path}", data, content_type="application/json")


def _put(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.put(f"{API}{path}", data, content_type="application/json")


def test_a_risk_is_created_scored_and_listed(engagement, as_carol):
    response = _post(as_carol, "/risks", {"engagement": engagement.pk, "title": "SCADA upgrade",
                                          "likelihood": 4, "impact": 5, "owner": "Felix"})
    assert response.status_code == 201
    body = response.json()
    assert body["score"] == 20 and body["level"] == "critical" and body["status"] == "open"
    listed = as_carol.get(f"{API}/risks?engagement={engagement.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "SCADA upgrade"
    changed = as_carol.patch(f"{API}/risks/{body['id']}", {"likelihood": 1}, content_type="application/json")
    assert changed.json()["level"] == "medium"


def test_bad_input_names_the_field_and_saves_nothing(engagement, as_carol):
    response = _post(as_carol, "/risks", {"engagement": engagement.pk, "title": "x", "likelihood": 9, "impact": 2})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["likelihood"]
    dupe = _post(as_carol, "/groups", {"engagement": engagement.pk, "name": "Porters"})
    assert dupe.status_code == 201
    again = _post(as_carol, "/groups", {"engagement": engagement.pk, "name": "PORTERS"})
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "name"
    assert not Risk.objects.exists() and ImpactedGroup.objects.count() == 1


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_readers_and_outsiders_get_403_on_writes(engagement, persona, request):
    client = request.getfixturevalue(persona)
    risk = Risk.objects.create(engagement=engagement, title="x", likelihood=1, impact=1)
    assert _post(client, "/risks", {"engagement": engagement.pk, "title": "y", "likelihood": 1,
                                    "impact": 1}).status_code == 403
    assert client.patch(f"{API}/risks/{risk.pk}", {"title": "z"}, content_type="application/json").status_code == 403
    assert client.delete(f"{API}/risks/{risk.pk}").status_code == 403
    assert _put(client, f"/plans/{engagement.pk}/outline", {"body": "# x"}).status_code == 403
    assert client.get(f"{API}/risks/{risk.pk}").status_code == 200
    assert Risk.objects.get().title == "x"


def test_the_plan_is_approved_before_it_is_detailed(engagement, as_carol, derek):
    early = _put(as_carol, f"/plans/{engagement.pk}/detailed", {"body": "# Detail\n\n## Training\n\nAll"})
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "detailed"
    outline = _put(as_carol, f"/plans/{engagement.pk}/outline", {"body": "# Outline\n\n## Training\n\nNurses"})
    assert outline.json()["stage"] == "outline" and outline.json()["outline"]["version"] == 1
    stale = _put(as_carol, f"/plans/{engagement.pk}/outline", {"body": "# O", "base_version": 0})
    assert stale.status_code == 409
    approved = _post(as_carol, f"/plans/{engagement.pk}/approval",
                     {"approved_by": derek.pk, "approved_on": "2026-09-02"})
    assert approved.json()["stage"] == "approved" and approved.json()["approved_version"] == 1
    detailed = _put(as_carol, f"/plans/{engagement.pk}/detailed", {"body": "# Detail\n\n## Training\n\nAll"})
    assert detailed.status_code == 200 and detailed.json()["stage"] == "detailed"
    package = _post(as_carol, "/work-packages", {"engagement": engagement.pk, "title": "Ward training",
                                                 "owner": "Ruth", "deliverables": "Sessions",
                                                 "plan_section": "Training"})
    assert package.status_code == 201
    assert package.json()["plan_version"] == 1
    assert package.json()["plan_document"] == AdoptionPlan.objects.get().detailed_id


def test_an_outline_changed_after_its_approval_awaits_a_new_one(engagement, as_carol, derek):
    _put(as_carol, f"/plans/{engagement.pk}/outline", {"body": "# Outline\n\n## Training\n\nNurses"})
    again = {"approved_by": derek.pk, "approved_on": "2026-09-02"}
    first = _post(as_carol, f"/plans/{engagement.pk}/approval", again).json()
    assert first["awaits_approval"] is False and first["approved_version"] == 1
    twice = _post(as_carol, f"/plans/{engagement.pk}/approval", again)
    assert twice.status_code == 400 and twice.json()["errors"][0]["field"] == "approved_by"
    changed = _put(as_carol, f"/plans/{engagement.pk}/outline",
                   {"body": "# Outline\n\n## Training\n\nNurses and porters", "base_version": 1})
    assert changed.status_code == 200
    body = changed.json()
    assert body["outline"]["version"] == 2 and body["approved_version"] == 1 and body["awaits_approval"] is True
    assert body["stage"] == "approved"  # the first approval opened the detail; it stays open
    approved = _post(as_carol, f"/plans/{engagement.pk}/approval", {**again, "approved_on": "2026-09-20"})
    assert approved.json()["approved_version"] == 2 and approved.json()["awaits_approval"] is False


def test_the_roadmap_is_published_into_the_repository(engagement, as_carol):
    refused = _post(as_carol, f"/plans/{engagement.pk}/roadmap/publish", {})
    assert refused.status_code == 400
    _put(as_carol, f"/plans/{engagement.pk}/roadmap-summary", {"roadmap_summary": "Beds found in minutes."})
    step = _post(as_carol, "/roadmap-steps", {"engagement": engagement.pk, "title": "Training",
                                              "starts": "2026-10-01", "ends": "2026-09-01"})
    assert step.status_code == 400 and step.json()["errors"][0]["field"] == "ends"
    _post(as_carol, "/roadmap-steps", {"engagement": engagement.pk, "title": "Training",
                                       "starts": "2026-10-01", "ends": "2026-10-31"})
    published = _post(as_carol, f"/plans/{engagement.pk}/roadmap/publish", {})
    assert published.status_code == 200 and "Training" in published.json()["roadmap"]["body"]


def test_kpis_report_their_status_and_readings(engagement, as_carol):
    created = _post(as_carol, "/kpis", {"engagement": engagement.pk, "name": "Restoration time", "unit": "min",
                                        "direction": "lower", "baseline_value": "124",
                                        "baseline_date": "2026-01-01", "target_value": "90",
                                        "target_date": "2026-04-11"})
    assert created.status_code == 201 and created.json()["status"] == "not_started"
    kpi_id = created.json()["id"]
    wrong_way = _post(as_carol, "/kpis", {"engagement": engagement.pk, "name": "Other", "direction": "higher",
                                          "baseline_value": "124", "baseline_date": "2026-01-01",
                                          "target_value": "90", "target_date": "2026-04-11"})
    assert wrong_way.status_code == 400 and wrong_way.json()["errors"][0]["field"] == "target_value"
    reading = _post(as_carol, "/kpi-readings", {"kpi": kpi_id, "date": "2026-02-20", "value": "110.4"})
    assert reading.status_code == 201 and reading.json()["recorded_by"] == "carol"
    kpi = as_carol.get(f"{API}/kpis/{kpi_id}").json()
    assert kpi["status"] == "at_risk" and kpi["latest"]["date"] == "2026-02-20"
    milestone = _post(as_carol, "/kpi-milestones", {"kpi": kpi_id, "date": "2027-01-01", "expected": "95"})
    assert milestone.status_code == 400 and milestone.json()["errors"][0]["field"] == "date"


def test_the_kpi_list_keeps_a_constant_number_of_queries(engagement, as_carol):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get(f"{API}/kpis?engagement={engagement.pk}").status_code == 200
        return len(ctx.captured_queries)

    kpi = make_kpi(engagement)
    add_readings(kpi, 2)
    before = count()
    for n in range(5):
        other = make_kpi(engagement, name=f"KPI {n}")
        add_readings(other, 10)
        add_milestone(other, dt.date(2026, 6, 1), "100")
    assert count() == before


LISTS = [
    "processes", "groups", "considerations", "risks", "roadmap-steps", "pilots", "pilot-criteria",
    "work-packages", "readiness-workshops", "readiness-items", "kpis", "kpi-milestones", "kpi-readings",
    "challenges", "governance-meetings",
]


def test_every_list_keeps_a_constant_number_of_queries(engagement, carol, as_carol):
    urls = [f"{API}/{name}?engagement={engagement.pk}" for name in LISTS]
    urls.append(f"{API}/engagements/{engagement.pk}/lessons")

    def counts() -> dict[str, int]:
        result = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert as_carol.get(url).status_code == 200, url
            result[url] = len(ctx.captured_queries)
        return result

    fill(engagement, carol, 2)
    before = counts()
    fill(engagement, carol, 30)
    assert counts() == before
    for url in urls:  # each is a page of at most 25, with the count of all
        body = as_carol.get(url).json()
        assert len(body["items"]) == min(body["count"], 25), url


def test_lists_paginate(engagement, as_carol):
    add_risks(engagement, 30)
    first = as_carol.get(f"{API}/risks?engagement={engagement.pk}").json()
    assert first["count"] == 30 and len(first["items"]) == 25
    heat = as_carol.get(f"{API}/engagements/{engagement.pk}/heat-map").json()
    assert len(heat) == 25 and sum(c["count"] for c in heat) == 30


def test_readiness_items_carried_into_the_challenge_log(engagement, as_carol):
    workshop = _post(as_carol, "/readiness-workshops", {"engagement": engagement.pk, "held_on": "2026-09-03",
                                                        "participants": "Elena, Grace"}).json()
    item = _post(as_carol, "/readiness-items", {"workshop": workshop["id"], "item": "Night shift rota"}).json()
    carried = _post(as_carol, f"/readiness-items/{item['id']}/carry", {"impact": "Night shift untrained"})
    assert carried.status_code == 201 and carried.json()["challenge"] == "Night shift rota"
    assert ReadinessItem.objects.get().status == "carried"
    again = _post(as_carol, f"/readiness-items/{item['id']}/resolve", {"resolution": "x"})
    assert again.status_code == 400


def test_a_checklist_item_is_reworded_through_the_api(engagement, as_carol, as_rita):
    workshop = _post(as_carol, "/readiness-workshops", {"engagement": engagement.pk, "held_on": "2026-09-03",
                                                        "participants": "Elena, Grace"}).json()
    item = _post(as_carol, "/readiness-items", {"workshop": workshop["id"], "item": "Night shift rota"}).json()
    url = f"{API}/readiness-items/{item['id']}"
    changed = as_carol.patch(url, {"item": "Night shift rota agreed with the union", "owner": "Elena"},
                             content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["item"], changed.json()["owner"]) == ("Night shift rota agreed with the union", "Elena")
    for bad in ("   ", None, "x" * 301):
        refused = as_carol.patch(url, {"item": bad}, content_type="application/json")
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "item", bad
    assert as_rita.patch(url, {"item": "Changed"}, content_type="application/json").status_code == 403
    assert ReadinessItem.objects.get().item == "Night shift rota agreed with the union"


def test_lessons_and_governance_reports(engagement, as_carol):
    _post(as_carol, "/challenges", {"engagement": engagement.pk, "challenge": "Union concerns",
                                    "impact": "Delay", "raised_on": "2026-09-01", "is_lesson": True,
                                    "lesson": "Meet the union before the pilot"})
    no_text = _post(as_carol, "/challenges", {"engagement": engagement.pk, "challenge": "x", "impact": "y",
                                              "raised_on": "2026-09-01", "is_lesson": True})
    assert no_text.status_code == 400 and no_text.json()["errors"][0]["field"] == "lesson"
    lessons = as_carol.get(f"{API}/engagements/{engagement.pk}/lessons").json()
    assert [c["lesson"] for c in lessons["items"]] == ["Meet the union before the pilot"]
    report = _post(as_carol, "/governance-meetings", {"engagement": engagement.pk, "held_on": "2026-09-10"})
    assert report.status_code == 201 and "Union concerns" in report.json()["body"]
    assert Challenge.objects.count() == 1


def test_the_pilot_is_one_per_engagement(engagement, as_carol):
    pilot = _post(as_carol, "/pilots", {"engagement": engagement.pk, "kind": "pov", "scope": "Two wards",
                                        "starts": "2026-09-01", "ends": "2026-10-31"})
    assert pilot.status_code == 201
    assert pilot.json()["result"] == "pending" and pilot.json()["criteria"] == []
    second = _post(as_carol, "/pilots", {"engagement": engagement.pk, "kind": "poc", "scope": "x",
                                         "starts": "2026-09-01", "ends": "2026-10-31"})
    assert second.status_code == 400
    backwards = as_carol.patch(f"{API}/pilots/{pilot.json()['id']}", {"ends": "2026-08-01"},
                               content_type="application/json")
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "ends"


def test_each_criterion_has_its_result_and_the_pilot_its_overall_one(engagement, as_carol):
    pilot = _post(as_carol, "/pilots", {"engagement": engagement.pk, "kind": "pov", "scope": "Two wards",
                                        "starts": "2026-09-01", "ends": "2026-10-31"}).json()
    wait = _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "Wait under 4 h"})
    survey = _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "Nurses keep the board",
                                                 "result": "met", "evidence": "31 of 36 said yes"})
    assert wait.status_code == 201 and wait.json()["result"] == "pending"
    assert survey.status_code == 201 and survey.json()["result"] == "met"
    assert as_carol.get(f"{API}/pilots/{pilot['id']}").json()["result"] == "pending"
    url = f"{API}/pilot-criteria/{wait.json()['id']}"
    partly = as_carol.patch(url, {"result": "partly", "evidence": "4 h 20 median; under 4 h on ward 7"},
                            content_type="application/json")
    assert partly.status_code == 200
    read = as_carol.get(f"{API}/pilots/{pilot['id']}").json()
    assert read["result"] == "partly"
    assert [(c["criterion"], c["result"]) for c in read["criteria"]] == [
        ("Wait under 4 h", "partly"), ("Nurses keep the board", "met"),
    ]
    listed = as_carol.get(f"{API}/pilot-criteria?engagement={engagement.pk}").json()
    assert listed["count"] == 2


def test_a_criterion_result_needs_its_evidence_and_a_known_value(engagement, as_carol):
    from cairn.adoption.models import PilotCriterion

    pilot = _post(as_carol, "/pilots", {"engagement": engagement.pk, "kind": "poc", "scope": "One room",
                                        "starts": "2026-09-01", "ends": "2026-10-31"}).json()
    bare = _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "Alarms on one screen",
                                               "result": "met", "evidence": "   "})
    assert bare.status_code == 400 and bare.json()["errors"][0]["field"] == "evidence"
    unknown = _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "Alarms on one screen",
                                                  "result": "great"})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "result"
    blank = _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "  "})
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "criterion"
    _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "Alarms on one screen"})
    again = _post(as_carol, "/pilot-criteria", {"pilot": pilot["id"], "criterion": "ALARMS ON ONE SCREEN"})
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "criterion"
    assert PilotCriterion.objects.count() == 1


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_readers_and_outsiders_cannot_judge_a_criterion(engagement, carol, persona, request):
    from cairn.adoption.models import Pilot, PilotCriterion

    pilot = Pilot.objects.create(engagement=engagement, kind="poc", scope="x", starts=dt.date(2026, 9, 1),
                                 ends=dt.date(2026, 9, 30))
    criterion = PilotCriterion.objects.create(pilot=pilot, criterion="Works")
    client = request.getfixturevalue(persona)
    changed = client.patch(f"{API}/pilot-criteria/{criterion.pk}", {"result": "met", "evidence": "Yes"},
                           content_type="application/json")
    assert changed.status_code == 403
    assert PilotCriterion.objects.get().result == "pending"
