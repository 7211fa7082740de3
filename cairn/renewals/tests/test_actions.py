"""Renewals opened from subscriptions, worked, and closed with an outcome that moves the
subscriptions on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cairn.customers.models import Product, Subscription, SubscriptionStatus
from cairn.renewals import actions
from cairn.renewals.actions import Outcome
from cairn.renewals.models import ChurnReason, Renewal, Stage
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def products(db):  # type: ignore[no-untyped-def]
    return Product.objects.create(name="Analytics"), Product.objects.create(name="Planner")


def subscribe(account, product, arr: str, end: dt.date, **extra) -> Subscription:  # type: ignore[no-untyped-def]
    return Subscription.objects.create(
        account=account, product=product, arr=Decimal(arr), start_date=end - dt.timedelta(days=364),
        end_date=end, **extra,
    )


@pytest.fixture
def renewal(acme, products) -> Renewal:
    end = dt.date(2026, 7, 31)
    subscribe(acme, products[0], "30000", end)
    subscribe(acme, products[1], "10000", end)
    actions.open_renewals(TODAY)
    return Renewal.objects.get()


@pytest.fixture
def budget(db) -> ChurnReason:
    return ChurnReason.objects.create(name="Budget cut")


def test_subscriptions_ending_on_one_day_make_one_renewal_with_their_arr(renewal, acme, carol):
    assert renewal.account == acme and renewal.owner == carol
    assert renewal.renewal_date == dt.date(2026, 7, 31) and renewal.arr == Decimal("40000")
    assert renewal.subscriptions.count() == 2 and renewal.stage == Stage.NOT_STARTED


def test_opening_again_changes_nothing_and_a_new_subscription_joins_the_open_renewal(
    renewal, acme, products
):
    assert actions.open_renewals(TODAY) == 0
    subscribe(acme, products[0], "5000", renewal.renewal_date)
    assert actions.open_renewals(TODAY) == 0
    renewal.refresh_from_db()
    assert renewal.arr == Decimal("45000") and renewal.subscriptions.count() == 3


def test_only_active_subscriptions_within_the_horizon_come_up(acme, products):
    subscribe(acme, products[0], "100", TODAY + dt.timedelta(days=actions.HORIZON_DAYS + 1))
    subscribe(acme, products[0], "100", TODAY + dt.timedelta(days=30), status=SubscriptionStatus.TRIAL)
    subscribe(acme, products[0], "100", TODAY - dt.timedelta(days=actions.OVERDUE_DAYS + 1))
    assert actions.open_renewals(TODAY) == 0
    # Ended a month ago and still active: an overdue renewal.
    subscribe(acme, products[1], "100", TODAY - dt.timedelta(days=30))
    assert actions.open_renewals(TODAY) == 1


def test_a_renewal_at_the_same_arr_starts_a_new_term_and_marks_the_old_one_renewed(
    renewal, carol
):
    actions.record_outcome(renewal, Outcome(Stage.RENEWED, closed_on=TODAY), by=carol)
    renewal.refresh_from_db()
    assert renewal.stage == Stage.RENEWED and renewal.final_amount == Decimal("40000")
    old = Subscription.objects.filter(end_date=dt.date(2026, 7, 31))
    assert {s.status for s in old} == {SubscriptionStatus.RENEWED}
    new = Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).order_by("arr")
    assert [(s.start_date, s.end_date, s.arr) for s in new] == [
        (dt.date(2026, 8, 1), dt.date(2027, 7, 31), Decimal("10000.00")),
        (dt.date(2026, 8, 1), dt.date(2027, 7, 31), Decimal("30000.00")),
    ]
    entry = Entry.objects.get(kind=EntryKind.RENEWAL)
    assert entry.title == "Renewal of 31 Jul 2026: renewed at 40,000.00 ARR"


def test_an_expansion_shares_the_new_arr_as_the_old_was_to_the_cent(renewal, carol):
    actions.record_outcome(
        renewal, Outcome(Stage.EXPANDED, final_amount=Decimal("50000.01"), term_months=24), by=carol
    )
    new = Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).order_by("arr")
    assert [s.arr for s in new] == [Decimal("12500.00"), Decimal("37500.01")]
    assert sum(s.arr for s in new) == Decimal("50000.01")
    assert {s.end_date for s in new} == {dt.date(2028, 7, 31)}


def test_a_churn_marks_the_subscriptions_churned_and_says_why(renewal, carol, budget):
    actions.record_outcome(
        renewal, Outcome(Stage.CHURNED, reason=budget, reason_text="Froze all tooling"), by=carol
    )
    renewal.refresh_from_db()
    assert renewal.final_amount == 0 and renewal.reason == budget
    assert set(renewal.subscriptions.values_list("status", flat=True)) == {SubscriptionStatus.CHURNED}
    assert not Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).exists()
    entry = Entry.objects.get(kind=EntryKind.RENEWAL)
    assert "churned, 40,000.00 ARR lost" in entry.title and entry.body == "Budget cut: Froze all tooling"


@pytest.mark.parametrize(("outcome", "field"), [
    (Outcome(Stage.CHURNED), "reason"),
    (Outcome(Stage.DOWNGRADED, final_amount=Decimal("20000")), "reason"),
    (Outcome(Stage.EXPANDED, final_amount=Decimal("40000")), "final_amount"),
    (Outcome(Stage.EXPANDED), "final_amount"),
    (Outcome(Stage.RENEWED, final_amount=Decimal("39000")), "final_amount"),
    (Outcome(Stage.IN_PROGRESS), "stage"),
    (Outcome(Stage.RENEWED, term_months=0), "term_months"),
])
def test_an_outcome_that_does_not_add_up_is_refused_naming_the_field_and_nothing_moves(
    renewal, carol, outcome, field
):
    with pytest.raises(ValidationError) as refused:
        actions.record_outcome(renewal, outcome, by=carol)
    assert field in refused.value.message_dict
    renewal.refresh_from_db()
    assert renewal.is_open and Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).count() == 2


def test_a_downgrade_needs_some_arr_left_and_a_reason(renewal, carol, budget):
    with pytest.raises(ValidationError) as refused:
        actions.record_outcome(renewal, Outcome(Stage.DOWNGRADED, final_amount=Decimal(0), reason=budget), by=carol)
    assert "nothing at all is a churn" in str(refused.value)
    actions.record_outcome(renewal, Outcome(Stage.DOWNGRADED, final_amount=Decimal("25000"), reason=budget), by=carol)
    assert Renewal.objects.get().stage == Stage.DOWNGRADED


def test_an_outcome_is_recorded_once(renewal, carol):
    actions.record_outcome(renewal, Outcome(Stage.RENEWED), by=carol)
    with pytest.raises(ValidationError, match="already recorded"):
        actions.record_outcome(renewal, Outcome(Stage.RENEWED), by=carol)
    with pytest.raises(ValidationError, match="cannot change"):
        actions.update_renewal(renewal, {"notes": "late"}, by=carol)


def test_working_a_renewal_moves_its_open_stage_only(renewal, carol):
    actions.update_renewal(renewal, {"stage": Stage.IN_PROGRESS, "forecast_amount": Decimal("38000")}, by=carol)
    assert Entry.objects.get(kind=EntryKind.RENEWAL).title.endswith("Not started → In progress")
    with pytest.raises(ValidationError) as refused:
        actions.update_renewal(renewal, {"stage": Stage.RENEWED}, by=carol)
    assert "stage" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.update_renewal(renewal, {"arr": Decimal(1)}, by=carol)
    assert "arr" in refused.value.message_dict


def test_the_database_refuses_an_outcome_without_its_final_arr_or_a_loss_without_a_reason(renewal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Renewal.objects.filter(pk=renewal.pk).update(stage=Stage.RENEWED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Renewal.objects.filter(pk=renewal.pk).update(
            stage=Stage.CHURNED, final_amount=0, closed_on=TODAY
        )


def test_a_reason_in_use_is_retired_not_deleted(renewal, carol, budget):
    actions.record_outcome(renewal, Outcome(Stage.CHURNED, reason=budget), by=carol)
    with pytest.raises(ValidationError, match="not in use instead"):
        actions.delete_reason(budget, by=carol)
    budget.is_active = False
    actions.save_reason(budget, by=carol)
    assert Renewal.objects.get().reason == budget
