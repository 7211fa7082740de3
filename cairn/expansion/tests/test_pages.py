"""The expansion pages through the HTTP client: the list with its filters and pipeline,
spotting, handing over and closing an opportunity, the policy, the advocacy page and its
candidates, the account page's panel; bad input named, strangers refused, constant queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account, Product
from cairn.expansion import actions
from cairn.expansion.models import AdvocacyAsk, AskStatus, HandoffPolicy, Kind, Opportunity, Stage
from cairn.expansion.tests import factories as make

pytestmark = pytest.mark.django_db


def _count(client, url: str, **params: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _book(owner, count: int) -> None:  # type: ignore[no-untyped-def]
    product = Product.objects.get_or_create(name="Forecasting")[0]
    for i in range(count):
        account = Account.objects.create(name=f"Customer {Account.objects.count()}-{i}", owner=owner)
        found = make.handed(account, owner, product=product, kind=Kind.CROSS_SELL)
        make.opportunity(account, owner, title=f"Idea {i}")
        if i % 2:
            actions.close(found, actions.Close(Stage.WON, closed_amount=Decimal("100")), by=owner)
        who = make.contact(account, f"Fan{i}")
        make.answer(who, 10)
        make.ask(make.contact(account, f"Asked{i}"), owner)


def test_the_list_shows_the_pipeline_by_stage_formatted_and_filters(as_rita, acme, carol, dave):
    make.opportunity(acme, carol, amount=Decimal("1234567"), title="Night shift seats")
    make.handed(acme, carol, amount=Decimal("25000"), title="Connector", kind=Kind.CROSS_SELL)
    other = Account.objects.create(name="Beta Corp", owner=dave)
    make.opportunity(other, dave, title="Beta idea", amount=Decimal("500"))
    page = as_rita.get(reverse("opportunities")).content.decode()
    assert "1,235,067 ARR" in page and "1,260,067 ARR" in page and "Handed to Sales" in page
    assert "Night shift seats" in page and "Beta idea" in page
    assert 'href="/expansion/opportunities/' in page and "Edit</a>" not in page  # Rita edits nothing
    only = as_rita.get(reverse("opportunities"), {"kind": "cross_sell"}).content.decode()
    assert "Connector" in only and "Night shift seats" not in only
    mine = as_rita.get(reverse("opportunities"), {"spotted_by": dave.pk}).content.decode()
    assert "Beta idea" in mine and "Connector" not in mine
    assert "Beta idea" not in as_rita.get(reverse("opportunities"), {"account": acme.pk}).content.decode()
    assert "Night shift" not in as_rita.get(reverse("opportunities"), {"stage": "handed"}).content.decode()


def test_unknown_filters_are_ignored_instead_of_failing(as_carol, acme, carol):
    make.opportunity(acme, carol)
    for query in ({"stage": "nope"}, {"kind": "²"}, {"spotted_by": "9" * 30}, {"account": "-1"}, {"page": "x"}):
        assert as_carol.get(reverse("opportunities"), query).status_code == 200
        assert as_carol.get(reverse("opportunities_csv"), query).status_code == 200
        assert as_carol.get(reverse("advocacy"), query).status_code == 200


def test_the_list_the_advocacy_page_and_the_account_page_run_constant_queries(as_carol, carol, acme):
    _book(carol, 2)
    few = [_count(as_carol, reverse("opportunities")), _count(as_carol, reverse("advocacy")),
           _count(as_carol, reverse("opportunities_csv")), _count(as_carol, acme.get_absolute_url())]
    _book(carol, 12)
    make.opportunity(acme, carol)
    make.ask(make.contact(acme), carol)
    make.answer(make.contact(acme, "Fan"), 9)
    many = [_count(as_carol, reverse("opportunities")), _count(as_carol, reverse("advocacy")),
            _count(as_carol, reverse("opportunities_csv")), _count(as_carol, acme.get_absolute_url())]
    # The account page itself runs one more query once it has a timeline entry to show.
    assert many[:3] == few[:3] and many[3] - few[3] <= 1


def test_the_owner_spots_an_opportunity_and_a_stranger_or_reader_is_refused(as_carol, as_dave, as_rita, acme, carol):
    url = reverse("opportunity_create", args=[acme.pk])
    data = {"kind": "upsell", "title": "Weekend shift", "amount": "12000", "description": ""}
    assert as_dave.post(url, data).status_code == 403
    assert as_rita.post(url, data).status_code == 403
    assert as_dave.get(url).status_code == 403
    response = as_carol.post(url, data)
    assert response.status_code == 302
    found = Opportunity.objects.get()
    assert found.spotted_by == carol and found.stage == Stage.IDENTIFIED
    page = as_carol.get(response["Location"]).content.decode()
    assert "Weekend shift" in page and "12,000.00" in page and "Hand to Sales" in page


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"kind": "upsell", "title": "", "amount": "1"}, "title", "required"),
    ({"kind": "upsell", "title": "X", "amount": "-5"}, "amount", "greater than or equal to 0"),
    ({"kind": "upsell", "title": "X", "amount": "1e20"}, "amount", "digits"),
    ({"kind": "sideways", "title": "X", "amount": "1"}, "kind", "valid choice"),
    ({"kind": "upsell", "title": "X" * 301, "amount": "1"}, "title", "at most 300"),
    ({"kind": "upsell", "title": "X", "amount": "1", "expected_close": "1900-01-01"}, "expected_close", "between"),
])
def test_bad_input_is_named_next_to_its_field_and_nothing_is_saved(as_carol, acme, data, field, words):
    response = as_carol.post(reverse("opportunity_create", args=[acme.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert not Opportunity.objects.exists()


def test_the_hand_off_form_shows_the_policy_and_enforces_its_minimum(as_carol, as_alice, acme, carol):
    as_alice.post(reverse("handoff_policy"), {
        "text": "Over 20k to Sales, ask the AE first", "minimum_amount": "20000",
    })
    found = make.opportunity(acme, carol, amount=Decimal("15000"))
    url = reverse("opportunity_handoff", args=[found.pk])
    form = as_carol.get(url).content.decode()
    assert "Over 20k to Sales, ask the AE first" in form and "under 20,000 ARR" in form
    detail = as_carol.get(found.get_absolute_url()).content.decode()
    assert "keeps opportunities under 20,000" in detail
    data = {"sales_owner_name": "Sam", "sales_owner_email": "sam@sales.example", "crm_reference": "CRM-7",
            "amount": "15000"}
    refused = as_carol.post(url, data)
    assert refused.status_code == 400 and "20,000" in " ".join(refused.context["form"].errors["amount"])
    assert Opportunity.objects.get().stage == Stage.IDENTIFIED
    bad = as_carol.post(url, {**data, "amount": "25000", "sales_owner_email": "sam"})
    assert bad.status_code == 400 and "sales_owner_email" in bad.context["form"].errors
    assert as_carol.post(url, {**data, "amount": "25000"}).status_code == 302
    found.refresh_from_db()
    assert found.stage == Stage.HANDED and found.amount == Decimal("25000") and found.crm_reference == "CRM-7"
    page = as_carol.get(found.get_absolute_url()).content.decode()
    assert "sam@sales.example" in page and "Handed to Sales" in page and "Carol Owner" in page


def test_sales_stages_and_the_outcome_through_the_pages(as_carol, as_dave, acme, carol):
    found = make.handed(acme, carol)
    assert as_carol.get(reverse("opportunity_handoff", args=[found.pk])).status_code == 302  # handed already
    edit = reverse("opportunity_edit", args=[found.pk])
    form = as_carol.get(edit).content.decode()
    assert "Qualified" in form and 'value="won"' not in form
    data = {"kind": "upsell", "title": found.title, "amount": "30000", "stage": "qualified",
            "sales_owner_name": "Sam Seller", "sales_owner_email": "sam@sales.example", "crm_reference": "CRM-1"}
    assert as_dave.post(edit, data).status_code == 403
    assert as_carol.post(edit, data).status_code == 302
    assert Opportunity.objects.get().stage == Stage.QUALIFIED
    close = reverse("opportunity_close", args=[found.pk])
    assert as_dave.post(close, {"stage": "won", "closed_amount": "1"}).status_code == 403
    no_reason = as_carol.post(close, {"stage": "lost"})
    assert no_reason.status_code == 400 and "close_reason" in no_reason.context["form"].errors
    no_amount = as_carol.post(close, {"stage": "won"})
    assert no_amount.status_code == 400 and "closed_amount" in no_amount.context["form"].errors
    assert as_carol.post(close, {"stage": "won", "closed_amount": "31000", "close_reason": "Signed"}).status_code == 302
    page = as_carol.get(found.get_absolute_url()).content.decode()
    assert "31,000.00 ARR" in page and "Signed" in page and "Record the outcome" not in page
    assert page.count("<li>") >= 4  # identified, handed, qualified, won
    assert as_carol.get(edit).status_code == 302 and as_carol.get(close).status_code == 302


def test_the_policy_is_read_by_everyone_and_set_by_leaders(as_rita, as_carol, as_alice):
    assert "Change it" not in as_carol.get(reverse("handoff_policy")).content.decode()
    for client in (as_rita, as_carol):
        assert client.post(reverse("handoff_policy"), {"minimum_amount": "1"}).status_code == 403
    bad = as_alice.post(reverse("handoff_policy"), {"minimum_amount": "-1"})
    assert bad.status_code == 400 and "minimum_amount" in bad.context["form"].errors
    assert not HandoffPolicy.objects.exists()
    assert as_alice.post(reverse("handoff_policy"), {
        "minimum_amount": "20000", "requires_confirmation": "on", "text": "Ask first",
    }).status_code == 302
    page = as_rita.get(reverse("handoff_policy")).content.decode()
    assert "20,000" in page and "Ask first" in page and "Alice Leader" in page


def test_advocacy_lists_asks_suggests_promoters_and_plans_in_one_click(as_carol, as_dave, as_rita, acme, carol):
    fan = make.contact(acme, "Fan")
    make.answer(fan, 10)
    make.ask(make.contact(acme, "Helper"), carol, status=AskStatus.DECLINED,
             asked_on=timezone.localdate(), notes="Too busy")
    page = as_carol.get(reverse("advocacy")).content.decode()
    assert "Fan Jones" in page and "NPS 10" in page and "Plan an ask" in page and "Declined" in page
    assert "Plan an ask" not in as_rita.get(reverse("advocacy")).content.decode()
    url = reverse("ask_create", args=[fan.pk])
    assert as_dave.post(url, {"quick": "1", "kind": "review"}).status_code == 403
    assert as_carol.post(url, {"quick": "1", "kind": "review"}).status_code == 302
    ask = AdvocacyAsk.objects.get(contact=fan)
    assert (ask.kind, ask.status, ask.asked_by) == ("review", "planned", carol)
    assert "Plan an ask" not in as_carol.get(reverse("advocacy")).content.decode()


def test_an_ask_is_recorded_and_worked_with_its_dates_named(as_carol, as_dave, acme, carol):
    who = make.contact(acme)
    url = reverse("ask_create", args=[who.pk])
    missing = as_carol.post(url, {"kind": "case_study", "status": "asked"})
    assert missing.status_code == 400 and "asked_on" in missing.context["form"].errors
    assert not AdvocacyAsk.objects.exists()
    today = timezone.localdate().isoformat()
    assert as_carol.post(url, {"kind": "case_study", "status": "asked", "asked_on": today}).status_code == 302
    ask = AdvocacyAsk.objects.get()
    edit = reverse("ask_edit", args=[ask.pk])
    data = {"kind": "case_study", "status": "done", "asked_on": today}
    assert as_dave.post(edit, data).status_code == 403
    no_day = as_carol.post(edit, data)
    assert no_day.status_code == 400 and "done_on" in no_day.context["form"].errors
    assert as_carol.post(edit, {**data, "done_on": today}).status_code == 302
    assert AdvocacyAsk.objects.get().status == AskStatus.DONE
    assert as_dave.post(reverse("ask_delete", args=[ask.pk])).status_code == 403
    assert as_carol.post(reverse("ask_delete", args=[ask.pk])).status_code == 302
    assert not AdvocacyAsk.objects.exists()


def _panel(client, account) -> str:  # type: ignore[no-untyped-def]
    """The account page's expansion panel as the page renders it (the account page's
    template includes expansion/_account.html)."""
    from django.template.loader import render_to_string

    response = client.get(account.get_absolute_url())
    assert response.status_code == 200
    context: dict = {}
    for layer in response.context:
        context.update(layer.flatten())
    return render_to_string("expansion/_account.html", context)


def test_the_account_page_shows_its_opportunities_asks_and_promoters(as_carol, as_rita, acme, carol):
    make.handed(acme, carol, title="Connector for the plant", amount=Decimal("45000"))
    make.ask(make.contact(acme, "Asked"), carol)
    make.answer(make.contact(acme, "Fan"), 9)
    panel = _panel(as_carol, acme)
    assert "Connector for the plant" in panel and "45,000" in panel and "Asked Jones" in panel
    assert "Fan Jones" in panel and "Add opportunity" in panel and "Plan a reference call" in panel
    read_only = _panel(as_rita, acme)
    assert "Add opportunity" not in read_only and "Plan a reference call" not in read_only


def test_deleting_an_opportunity_is_for_who_may_change_the_account(as_carol, as_dave, acme, carol):
    found = make.opportunity(acme, carol)
    assert as_dave.post(reverse("opportunity_delete", args=[found.pk])).status_code == 403
    assert as_carol.post(reverse("opportunity_delete", args=[found.pk])).status_code == 302
    assert not Opportunity.objects.exists()
