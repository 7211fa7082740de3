"""The renewals pages, through the HTTP client: what comes up and the ARR at risk, working
a renewal, recording its outcome, and the churn reasons a leader keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
from cairn.health.models import AccountHealth
from cairn.renewals import actions
from cairn.renewals.models import ChurnReason, Renewal, Stage

pytestmark = pytest.mark.django_db


def _book(owner, count: int, *, days: int = 40, arr: str = "12000") -> list[Account]:  # type: ignore[no-untyped-def]
    product = Product.objects.get_or_create(name="Analytics")[0]
    today = timezone.localdate()
    accounts = []
    for i in range(count):
        account = Account.objects.create(name=f"Customer {len(accounts)}-{i}-{Account.objects.count()}", owner=owner)
        Subscription.objects.create(
            account=account, product=product, arr=Decimal(arr), start_date=today - dt.timedelta(days=300),
            end_date=today + dt.timedelta(days=days),
        )
        accounts.append(account)
    actions.open_renewals(today)
    return accounts


def _red(account: Account) -> None:
    AccountHealth.objects.create(
        account=account, scored_on=timezone.localdate(), score=35, light="red"
    )


def test_the_page_shows_each_window_with_its_arr_and_the_arr_at_risk(as_rita, carol):
    soon = _book(carol, 2, days=20)
    _book(carol, 1, days=120)
    _red(soon[0])
    page = as_rita.get(reverse("renewals")).content.decode()
    assert "Next 30 days" in page and "24,000 ARR" in page and "12,000 at risk" in page
    assert "Next 180 days" in page and "36,000 ARR" in page
    wide = as_rita.get(reverse("renewals"), {"days": 180}).content.decode()
    assert wide.count('href="/renewals/') >= 3


def test_the_list_runs_the_same_queries_for_two_renewals_or_twenty(as_carol, carol):
    _book(carol, 2)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get(reverse("renewals")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    _red(_book(carol, 18)[0])
    assert count() == few


def test_an_unknown_window_or_owner_falls_back_instead_of_failing(as_carol, carol):
    _book(carol, 1)
    for query in ({"days": "7"}, {"days": "²"}, {"owner": "9" * 30}, {"page": "x"}):
        assert as_carol.get(reverse("renewals"), query).status_code == 200


def test_the_owner_works_a_renewal_and_a_stranger_is_refused(as_carol, as_dave, carol):
    renewal = Renewal.objects.get(account=_book(carol, 1)[0])
    data = {"work-owner": carol.pk, "work-stage": Stage.IN_PROGRESS, "work-forecast_amount": "11000",
            "work-target_amount": "12500", "work-notes": "Call booked"}
    assert as_dave.post(renewal.get_absolute_url(), data).status_code == 403
    response = as_carol.post(renewal.get_absolute_url(), data)
    assert response.status_code == 302
    renewal.refresh_from_db()
    assert renewal.stage == Stage.IN_PROGRESS and renewal.forecast_amount == Decimal("11000")


def test_a_negative_forecast_is_refused_on_its_field_and_nothing_is_saved(as_carol, carol):
    renewal = Renewal.objects.get(account=_book(carol, 1)[0])
    response = as_carol.post(renewal.get_absolute_url(), {
        "work-owner": carol.pk, "work-stage": Stage.COMMITTED, "work-forecast_amount": "-5",
    })
    assert response.status_code == 400
    assert 'id="id_work-forecast_amount_error"' in response.content.decode()
    renewal.refresh_from_db()
    assert renewal.stage == Stage.NOT_STARTED and renewal.forecast_amount is None


def test_recording_a_churn_through_the_page_needs_a_reason_then_closes_it(as_carol, carol):
    renewal = Renewal.objects.get(account=_book(carol, 1)[0])
    url = reverse("renewal_outcome", args=[renewal.pk])
    refused = as_carol.post(url, {"outcome-stage": Stage.CHURNED, "outcome-term_months": 12})
    assert refused.status_code == 400 and "Say why the customer left" in refused.content.decode()
    reason = ChurnReason.objects.create(name="Budget cut")
    done = as_carol.post(url, {"outcome-stage": Stage.CHURNED, "outcome-reason": reason.pk,
                               "outcome-term_months": 12})
    assert done.status_code == 302
    renewal.refresh_from_db()
    assert renewal.stage == Stage.CHURNED
    assert renewal.subscriptions.get().status == SubscriptionStatus.CHURNED
    page = as_carol.get(renewal.get_absolute_url()).content.decode()
    assert "Record the outcome" not in page and "Budget cut" in page


def test_a_reader_sees_the_renewal_but_no_form(as_rita, carol):
    renewal = Renewal.objects.get(account=_book(carol, 1)[0])
    page = as_rita.get(renewal.get_absolute_url()).content.decode()
    assert ("12,000.00" in page and "<form" not in page.split("<main", 1)[-1].split("</main>")[0]) or "Work it" not in page


def test_leaders_keep_the_reasons_and_others_only_read_them(as_alice, as_carol):
    assert as_carol.post(reverse("churn_reasons"), {"name": "Price"}).status_code == 403
    assert as_alice.post(reverse("churn_reasons"), {"name": "Price", "position": 0}).status_code == 302
    duplicate = as_alice.post(reverse("churn_reasons"), {"name": "PRICE", "position": 1})
    assert duplicate.status_code == 400 and "already a reason" in duplicate.content.decode()
    page = as_carol.get(reverse("churn_reasons")).content.decode()
    assert "Price" in page and "Add a reason" not in page


def test_the_account_page_shows_its_renewals_in_one_query(as_carol, carol):
    account = _book(carol, 1)[0]
    url = account.get_absolute_url()

    def count() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = as_carol.get(url).content.decode()
        return page, len(ctx.captured_queries)

    page, few = count()
    assert "Renewals" in page and "Not started" in page
    product = Product.objects.get()
    for days in (60, 90, 120):
        Subscription.objects.create(
            account=account, product=product, arr=Decimal("1000"),
            start_date=timezone.localdate(), end_date=timezone.localdate() + dt.timedelta(days=days),
        )
    actions.open_renewals(timezone.localdate())
    assert Renewal.objects.filter(account=account).count() == 4
    assert count()[1] == few


def test_the_list_filters_by_stage_and_by_risk(as_carol, carol):
    accounts = _book(carol, 3)
    _red(accounts[0])
    renewals = {r.account_id: r for r in Renewal.objects.all()}
    Renewal.objects.filter(pk=renewals[accounts[1].pk].pk).update(stage=Stage.COMMITTED)
    Renewal.objects.filter(pk=renewals[accounts[2].pk].pk).update(flagged_at_risk=True)
    names = [a.name for a in accounts]

    def listed(**params):  # type: ignore[no-untyped-def]
        page = as_carol.get(reverse("renewals"), params).content.decode()
        return [name for name in names if name in page]

    assert listed(stage="committed") == [names[1]]
    # At risk: red health, or flagged by its owner whatever the health.
    assert listed(risk="1") == [names[0], names[2]]
    # A stage that is not an open one is no filter at all.
    assert listed(stage="churned") == names


def test_my_work_lists_my_renewals_due_within_thirty_days(as_carol, carol, dave):
    soon = _book(carol, 1, days=10)[0]
    later = _book(carol, 1, days=120)[0]
    theirs = _book(dave, 1, days=5)[0]
    page = as_carol.get(reverse("my_work")).content.decode()
    assert soon.name in page
    assert later.name not in page and theirs.name not in page
