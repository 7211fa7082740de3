"""Renewals through the API: the same rules and refusals as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cairn.customers.models import Product, Subscription, SubscriptionStatus
from cairn.people.models import ApiToken
from cairn.renewals import actions
from cairn.renewals.models import ChurnReason, Renewal, Stage

pytestmark = pytest.mark.django_db


def _client(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user, 'test')[1]}"
    return client


@pytest.fixture
def renewal(acme) -> Renewal:
    today = timezone.localdate()
    Subscription.objects.create(
        account=acme, product=Product.objects.create(name="Analytics"), arr=Decimal("20000"),
        start_date=today - dt.timedelta(days=300), end_date=today + dt.timedelta(days=50),
    )
    actions.open_renewals(today)
    return Renewal.objects.get()


def test_a_renewal_reads_with_its_subscriptions_and_the_windows_add_up(client, rita, renewal):
    api = _client(client, rita)
    body = api.get(f"/api/v1/renewals/{renewal.pk}").json()
    assert body["arr"] == "20000.00" and len(body["subscriptions"]) == 1 and body["stage"] == "not_started"
    windows = api.get("/api/v1/renewals/windows").json()
    assert [(w["days"], w["count"]) for w in windows] == [(30, 0), (90, 1), (180, 1)]
    assert api.get("/api/v1/renewals/", {"days": 30}).json()["count"] == 0


def test_the_owner_works_it_and_records_a_downgrade_with_its_reason(client, carol, renewal):
    api = _client(client, carol)
    reason = ChurnReason.objects.create(name="Budget cut")
    changed = api.patch(f"/api/v1/renewals/{renewal.pk}", {"stage": "committed", "forecast_amount": "15000"},
                        content_type="application/json")
    assert changed.status_code == 200 and changed.json()["stage"] == "committed"
    done = api.post(f"/api/v1/renewals/{renewal.pk}/outcome",
                    {"stage": "downgraded", "final_amount": "15000", "reason": reason.pk},
                    content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["final_amount"] == "15000.00"
    assert Subscription.objects.get(status=SubscriptionStatus.ACTIVE).arr == Decimal("15000.00")


@pytest.mark.parametrize(("body", "field"), [
    ({"stage": "churned"}, "reason"),
    ({"stage": "expanded", "final_amount": "100"}, "final_amount"),
    ({"stage": "renewed", "final_amount": "-1"}, "final_amount"),
    ({"stage": "renewed", "final_amount": "1e20"}, "final_amount"),
    ({"stage": "renewed", "term_months": 0}, "term_months"),
    ({"stage": "churned", "reason": 999999}, "reason"),
    ({"stage": "renewed", "closed_on": "0001-01-01"}, "closed_on"),
    ({"stage": "lost"}, "stage"),
])
def test_a_bad_outcome_is_a_400_naming_the_field_and_nothing_moves(client, carol, renewal, body, field):
    response = _client(client, carol).post(f"/api/v1/renewals/{renewal.pk}/outcome", body,
                                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    renewal.refresh_from_db()
    assert renewal.stage == Stage.NOT_STARTED


def test_a_stranger_and_a_reader_are_refused_and_an_outcome_cannot_reopen(client, dave, carol, renewal):
    for user in (dave,):
        assert _client(client, user).patch(f"/api/v1/renewals/{renewal.pk}", {"notes": "x"},
                                           content_type="application/json").status_code == 403
    api = _client(client, carol)
    api.post(f"/api/v1/renewals/{renewal.pk}/outcome", {"stage": "renewed"}, content_type="application/json")
    again = api.patch(f"/api/v1/renewals/{renewal.pk}", {"stage": "in_progress"}, content_type="application/json")
    assert again.status_code == 400 and "cannot change" in again.content.decode()


def test_leaders_keep_the_reasons(client, alice, carol):
    assert _client(client, carol).post("/api/v1/renewals/reasons", {"name": "Price"},
                                       content_type="application/json").status_code == 403
    api = _client(client, alice)
    made = api.post("/api/v1/renewals/reasons", {"name": "Price"}, content_type="application/json")
    assert made.status_code == 201
    clash = api.post("/api/v1/renewals/reasons", {"name": "price"}, content_type="application/json")
    assert clash.status_code == 400 and "already a reason" in clash.content.decode()
    nulled = api.patch(f"/api/v1/renewals/reasons/{made.json()['id']}", {"name": None},
                       content_type="application/json")
    assert nulled.status_code == 400 and "name" in nulled.content.decode()
    assert api.delete(f"/api/v1/renewals/reasons/{made.json()['id']}").status_code == 204
