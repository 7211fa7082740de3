"""The value pages through the HTTP client: the value plan (items grouped, promised against
expected against achieved, the chain), the forms with bad input and refusals, keeping value
on track, the engagement page's panel, and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.value import actions
from cairn.value.models import ValueActivity, ValueChange, ValueItem
from cairn.value.tests.conftest import days, make_kpi

pytestmark = pytest.mark.django_db


def test_the_plan_shows_items_by_kind_with_achieved_progress_and_the_chain(as_rita, item, engagement, carol):
    actions.save_item(ValueItem(engagement=engagement, commitment="expected", statement="Fewer night shifts"),
                      by=carol)
    response = as_rita.get(reverse("value_plan", args=[engagement.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    promised, expected = page.index('id="promised"'), page.index('id="expected"')
    assert promised < page.index("Energy use down 20 % within a year") < expected
    assert expected < page.index("Fewer night shifts")
    assert "Promised, expected and achieved" in page and "32 %" in page and "Off track" in page
    # The chain: our product, the tactic, the objective the item serves, the goal, the vision.
    chain = page[page.index('id="chain"'):]
    for text in ("Energy Monitor", "Monitor every meter", "Energy down 20 % this year", "Energy down 30 %",
                 "Greenest plant in Europe", "Peak load"):
        assert text in chain
    assert "Maria Jensen" in page and "not confirmed yet" in page
    # Rita reads; she is offered no button to change anything.
    assert reverse("value_item_new", args=[engagement.pk]) not in page


def test_the_owner_adds_an_item_with_its_kpis(as_carol, engagement, on_track, outcome, chain, maria):
    response = as_carol.post(reverse("value_item_new", args=[engagement.pk]), {
        "commitment": "expected", "statement": "Energy bills down 15 %", "outcome": outcome.pk,
        "kpis": [on_track.pk], "element": chain["goal"].pk, "measured_by_contact": maria.pk,
        "data_source": "The utility's invoices", "frequency": "quarterly",
    })
    assert response.status_code == 302
    item = ValueItem.objects.get()
    assert item.commitment == "expected" and list(item.kpis.all()) == [on_track]
    page = as_carol.get(reverse("value_plan", args=[engagement.pk])).content.decode()
    assert "Energy bills down 15 %" in page and "60 %" in page


def test_bad_input_comes_back_with_its_message_and_nothing_saved(as_carol, engagement, carol, maria):
    url = reverse("value_item_new", args=[engagement.pk])
    response = as_carol.post(url, {"commitment": "promised", "statement": "", "frequency": "hourly"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Select a valid choice" in page
    response = as_carol.post(url, {"commitment": "promised", "statement": "x" * 301, "frequency": "monthly"})
    assert response.status_code == 400 and "at most 300 characters" in response.content.decode()
    response = as_carol.post(url, {"commitment": "promised", "statement": "Both", "frequency": "monthly",
                                   "measured_by_contact": maria.pk, "measured_by_user": carol.pk})
    assert response.status_code == 400 and "Name one person who measures it" in response.content.decode()
    assert not ValueItem.objects.exists()


def test_someone_else_may_not_write(as_dave, as_rita, item, engagement):
    for client in (as_dave, as_rita):
        assert client.post(reverse("value_item_new", args=[engagement.pk]), {}).status_code == 403
        assert client.post(reverse("value_item_edit", args=[engagement.pk, item.pk]),
                           {"statement": "Hacked"}).status_code == 403
        assert client.post(reverse("value_item_delete", args=[engagement.pk, item.pk])).status_code == 403
        assert client.post(reverse("value_item_send", args=[engagement.pk, item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.statement == "Energy use down 20 % within a year"


def test_the_owner_changes_and_removes_an_item(as_carol, item, engagement):
    url = reverse("value_item_edit", args=[engagement.pk, item.pk])
    assert as_carol.get(url).status_code == 200
    response = as_carol.post(url, {"commitment": "expected", "statement": "Energy use down 15 %",
                                   "frequency": "monthly"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.commitment == "expected" and not item.kpis.exists()
    assert as_carol.post(reverse("value_item_delete", args=[engagement.pk, item.pk])).status_code == 302
    assert not ValueItem.objects.exists()


def test_text_is_escaped(as_carol, engagement, carol):
    actions.save_item(ValueItem(engagement=engagement, statement="<script>alert(1)</script>"), by=carol)
    page = as_carol.get(reverse("value_plan", args=[engagement.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_keeping_value_on_track(as_carol, engagement, carol):
    response = as_carol.post(reverse("value_change_new", args=[engagement.pk]), {
        "kind": "budget_cut", "description": "Capex frozen", "spotted_on": days(-3).isoformat(),
        "response_plan": "Show the savings to the CFO", "owner": carol.pk, "status": "open",
        "due_date": days(-1).isoformat(),
    })
    assert response.status_code == 302
    bad = as_carol.post(reverse("value_change_new", args=[engagement.pk]), {
        "kind": "budget_cut", "description": "x", "spotted_on": days(0).isoformat(), "status": "open",
        "due_date": days(-5).isoformat(),
    })
    assert bad.status_code == 400 and "cannot be due before" in bad.content.decode()
    response = as_carol.post(reverse("value_activity_new", args=[engagement.pk]), {
        "title": "Monthly value review", "owner": carol.pk, "due_date": days(-2).isoformat(), "status": "planned",
    })
    assert response.status_code == 302
    page = as_carol.get(reverse("value_track", args=[engagement.pk])).content.decode()
    assert "Budget cut" in page and "Capex frozen" in page and "Monthly value review" in page
    assert page.count('class="overdue"') == 2
    change, activity = ValueChange.objects.get(), ValueActivity.objects.get()
    assert as_carol.post(reverse("value_activity_edit", args=[engagement.pk, activity.pk]), {
        "title": "Monthly value review", "status": "skipped",
    }).status_code == 400
    assert as_carol.post(reverse("value_change_delete", args=[engagement.pk, change.pk])).status_code == 302
    assert as_carol.post(reverse("value_activity_delete", args=[engagement.pk, activity.pk])).status_code == 302
    assert not ValueChange.objects.exists() and not ValueActivity.objects.exists()


def test_the_engagement_page_shows_the_value_panel(as_rita, item, engagement):
    page = as_rita.get(engagement.get_absolute_url()).content.decode()
    assert 'id="value-plan"' in page and reverse("value_plan", args=[engagement.pk]) in page


def test_the_pages_run_the_same_queries_for_few_rows_or_many(as_carol, item, engagement, carol):
    def count(name: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get(reverse(name, args=[engagement.pk])).status_code == 200
        return len(ctx.captured_queries)

    before = {name: count(name) for name in ("value_plan", "value_track")}
    for n in range(4):
        kpi = make_kpi(engagement, carol, f"KPI {n}", [(-10, "97"), (0, "95")])
        actions.save_item(ValueItem(engagement=engagement, commitment="expected", statement=f"Value {n}"),
                          by=carol, kpis=[kpi])
        actions.save_change(ValueChange(engagement=engagement, kind="other", description=f"Change {n}",
                                        spotted_on=days(-1), owner=carol), by=carol)
        actions.save_activity(ValueActivity(engagement=engagement, title=f"Activity {n}", owner=carol), by=carol)
    assert {name: count(name) for name in before} == before


def test_a_closed_engagements_forms_send_back_to_the_plan(as_carol, item, engagement):
    from cairn.engagements.models import Status

    engagement.status = Status.CLOSED
    engagement.save()
    plan = reverse("value_plan", args=[engagement.pk])
    track = reverse("value_track", args=[engagement.pk])
    for name, args, back in (
        ("value_item_new", [engagement.pk], plan), ("value_item_edit", [engagement.pk, item.pk], plan),
        ("value_item_send", [engagement.pk, item.pk], plan), ("value_change_new", [engagement.pk], track),
    ):
        response = as_carol.get(reverse(name, args=args))
        assert response.status_code == 302 and response.url.split("#")[0] == back
    page = as_carol.get(plan).content.decode()
    assert "Send for confirmation" not in page
