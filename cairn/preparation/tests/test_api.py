"""The preparation tools through /api/v1/preparation: same rules, same permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cairn.customers.models import Account, Contact, Product
from cairn.engagements.models import Engagement, Outcome
from cairn.preparation.models import Fact, PestleDriver, Question, SharedPestle, StrategyElement
from cairn.preparation.tests.conftest import make_contacts
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db

API = "/api/v1/preparation"


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(API + path, data, content_type="application/json")


def _patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(API + path, data, content_type="application/json")


def _put(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.put(API + path, data, content_type="application/json")


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_facts_and_questions_round_trip(as_carol: Any, engagement: Engagement) -> None:
    e = engagement.pk
    created = _post(as_carol, f"/engagements/{e}/facts", {
        "area": "stakeholders", "statement": "Ines runs the plants", "source": "customer"})
    assert created.status_code == 201 and created.json()["confidence"] == "assumed"
    fact_id = created.json()["id"]
    question = _post(as_carol, f"/engagements/{e}/questions", {"text": "Does Ines decide?", "fact": fact_id})
    assert question.status_code == 201
    contact = Contact.objects.create(account=engagement.account, first_name="Ines")
    answered = _post(as_carol, f"/questions/{question.json()['id']}/answer", {
        "answer": "She does", "answered_on": "2026-09-12", "answered_by": contact.pk,
        "validate_fact": True})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert Fact.objects.get(pk=fact_id).confidence == "validated"
    listed = as_carol.get(f"{API}/engagements/{e}/questions?status=answered").json()
    assert listed["count"] == 1
    assert _patch(as_carol, f"/facts/{fact_id}", {"statement": "Ines runs all plants"}).status_code == 200
    assert as_carol.delete(f"{API}/facts/{fact_id}").status_code == 204


def test_bad_input_names_the_field_and_saves_nothing(as_carol: Any, engagement: Engagement) -> None:
    e = engagement.pk
    response = _post(as_carol, f"/engagements/{e}/facts",
                     {"area": "gossip", "statement": "x", "source": "customer"})
    assert response.status_code == 400 and "area" in _fields(response)
    response = _post(as_carol, f"/engagements/{e}/questions", {"text": "?", "fact": 999})
    assert response.status_code == 400 and _fields(response) == {"fact"}
    question = Question.objects.create(engagement=engagement, text="Who?")
    response = _post(as_carol, f"/questions/{question.pk}/answer", {"answer": "Bob", "answered_on": "2026-09-01"})
    assert response.status_code == 400 and _fields(response) == {"answered_by"}
    response = _post(as_carol, f"/engagements/{e}/capabilities", {"level": "low", "name": "Orphan"})
    assert response.status_code == 400 and _fields(response) == {"parent"}
    response = _post(as_carol, f"/engagements/{e}/handover-meetings",
                     {"date": "2026-09-01", "attendees": [{"user": 9999, "role": "sales"}]})
    assert response.status_code == 400 and _fields(response) == {"attendees"}
    assert not Fact.objects.exists() and Question.objects.get().status == "open"


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_get_403_on_every_kind_of_write(
    persona: str, request: pytest.FixtureRequest, engagement: Engagement, acme: Account,
) -> None:
    client = request.getfixturevalue(persona)
    e, a = engagement.pk, acme.pk
    writes = [
        (f"/engagements/{e}/facts", {"area": "business", "statement": "x", "source": "customer"}),
        (f"/engagements/{e}/questions", {"text": "?"}),
        (f"/engagements/{e}/handover-meetings", {"date": "2026-09-01"}),
        (f"/engagements/{e}/value-chain", {"kind": "primary", "name": "Ops"}),
        (f"/engagements/{e}/capabilities", {"level": "high", "name": "Sales"}),
        (f"/accounts/{a}/strategy-elements", {"kind": "vision", "title": "x"}),
        (f"/accounts/{a}/internal-drivers", {"category": "culture", "title": "x", "driver_type": "positive"}),
        (f"/accounts/{a}/pestle/drivers", {"category": "legal", "title": "x", "driver_type": "positive"}),
        ("/pestle-analyses", {"industry": "Manufacturing", "region": "EMEA"}),
        (f"/engagements/{e}/strategy-document", {}),
    ]
    for path, data in writes:
        assert _post(client, path, data).status_code == 403, path
    assert as_reader_sees(client, e)


def as_reader_sees(client: Client, engagement_id: int) -> bool:
    return client.get(f"{API}/engagements/{engagement_id}/strategy-chain").status_code == 200


def test_shared_pestle_and_overrides_through_the_api(
    as_alice: Any, as_carol: Any, as_dave: Any, acme: Account, bolt: Account
) -> None:
    analysis = _post(as_alice, "/pestle-analyses", {"industry": "Manufacturing", "region": "EMEA"})
    assert analysis.status_code == 201
    duplicate = _post(as_alice, "/pestle-analyses", {"industry": "manufacturing", "region": "emea"})
    assert duplicate.status_code == 400 and _fields(duplicate) == {"region"}
    driver = _post(as_alice, f"/pestle-analyses/{analysis.json()['id']}/drivers", {
        "category": "economic", "title": "Energy prices", "driver_type": "negative", "impact": "high"})
    assert driver.status_code == 201
    shared_id = driver.json()["id"]
    assert _patch(as_carol, f"/pestle-drivers/{shared_id}", {"title": "Mine"}).status_code == 403
    assert _put(as_dave, f"/accounts/{acme.pk}/pestle/overrides/{shared_id}", {"title": "x"}).status_code == 403
    override = _put(as_carol, f"/accounts/{acme.pk}/pestle/overrides/{shared_id}", {"title": "Gas deal ends"})
    assert override.status_code == 200 and override.json()["replaces_id"] == shared_id
    acme_view = as_carol.get(f"{API}/accounts/{acme.pk}/pestle").json()
    bolt_view = as_carol.get(f"{API}/accounts/{bolt.pk}/pestle").json()
    assert [(d["origin"], d["driver"]["title"]) for d in acme_view["drivers"]] == [("replaced", "Gas deal ends")]
    assert [(d["origin"], d["driver"]["title"]) for d in bolt_view["drivers"]] == [("shared", "Energy prices")]
    hidden = _put(as_dave, f"/accounts/{bolt.pk}/pestle/overrides/{shared_id}", {"hidden": True})
    assert hidden.status_code == 200
    assert as_dave.get(f"{API}/accounts/{bolt.pk}/pestle").json()["hidden_shared_driver_ids"] == [shared_id]
    assert as_carol.delete(f"{API}/accounts/{acme.pk}/pestle/overrides/{shared_id}").status_code == 204
    assert PestleDriver.objects.filter(account=acme).count() == 0
    assert SharedPestle.objects.get().drivers.get().title == "Energy prices"


def test_strategy_chain_links_contributions_and_document(
    as_carol: Any, engagement: Engagement, products: list[Product], outcome: Outcome
) -> None:
    a, e = engagement.account_id, engagement.pk
    vision = _post(as_carol, f"/accounts/{a}/strategy-elements", {"kind": "vision", "title": "Lead on energy"}).json()
    goal = _post(as_carol, f"/accounts/{a}/strategy-elements",
                 {"kind": "goal", "title": "Halve energy", "parent": vision["id"]}).json()
    bad = _post(as_carol, f"/accounts/{a}/strategy-elements", {"kind": "objective", "title": "x", "parent": vision["id"]})
    assert bad.status_code == 400 and _fields(bad) == {"parent"}
    link = _post(as_carol, f"/engagements/{e}/solution-links", {"element": goal["id"], "product": products[0].pk})
    assert link.status_code == 201
    stranger = Product.objects.create(name="Stranger")
    bad = _post(as_carol, f"/engagements/{e}/solution-links", {"element": goal["id"], "product": stranger.pk})
    assert bad.status_code == 400 and _fields(bad) == {"product"}
    contribution = _post(as_carol, f"/engagements/{e}/contributions", {
        "product": products[0].pk, "function": "Live metering", "output": "Waste found",
        "contribution": "-10 % energy", "outcome": outcome.pk})
    assert contribution.status_code == 201
    chain = as_carol.get(f"{API}/engagements/{e}/strategy-chain").json()
    assert [s["kind"] for s in chain["paths"][0]["path"]] == ["goal", "vision"]
    assert chain["contributions"][0]["outcome"] == "Energy use per unit"
    first = _post(as_carol, f"/engagements/{e}/strategy-document", {}).json()
    second = _post(as_carol, f"/engagements/{e}/strategy-document", {}).json()
    assert first["document_id"] == second["document_id"] and second["version"] == 2
    assert StrategyElement.objects.count() == 2


def test_org_chart_value_chain_and_meetings_through_the_api(
    as_carol: Any, as_dave: Any, engagement: Engagement, alice: Any
) -> None:
    e = engagement.pk
    boss, first, second = make_contacts(engagement.account, 3)
    chart = as_carol.get(f"{API}/engagements/{e}/org-chart").json()
    assert {c["name"] for c in chart} == {"Greta Boss", "Person1 Number1", "Person2 Number2"}
    moved = _patch(as_carol, f"/engagements/{e}/org-chart/{second.pk}", {"reports_to": first.pk, "department": "IT"})
    assert moved.status_code == 200 and moved.json()["reports_to_id"] == first.pk
    loop = _patch(as_carol, f"/engagements/{e}/org-chart/{boss.pk}", {"reports_to": second.pk})
    assert loop.status_code == 400 and _fields(loop) == {"reports_to"}
    assert _patch(as_dave, f"/engagements/{e}/org-chart/{boss.pk}", {"department": "x"}).status_code == 403
    ops = _post(as_carol, f"/engagements/{e}/value-chain", {"kind": "primary", "name": "Operations", "impact": "direct"})
    assert ops.status_code == 201 and ops.json()["position"] == 1
    assert _post(as_carol, f"/engagements/{e}/value-chain", {"kind": "primary", "name": "Service"}).json()["position"] == 2
    meeting = _post(as_carol, f"/engagements/{e}/handover-meetings", {
        "date": "2026-09-01", "agenda": "The deal", "attendees": [{"user": alice.pk, "role": "sales"}]})
    assert meeting.status_code == 201 and meeting.json()["attendees"][0]["role"] == "sales"
    follow = _post(as_carol, f"/handover-meetings/{meeting.json()['id']}/follow-ups",
                   {"title": "Send the order form", "assignee": alice.pk})
    assert follow.status_code == 201 and Task.objects.get().assignee == alice
    notes = _patch(as_carol, f"/handover-meetings/{meeting.json()['id']}", {"notes": "Signed for 400 seats"})
    assert notes.json()["notes"] == "Signed for 400 seats" and notes.json()["follow_up_task_ids"]
