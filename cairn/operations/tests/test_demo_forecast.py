"""The demo's self-serve pool gives the trust page and the forecast's model card real figures.

The demo is loaded once for this module (the `loaded_demo` fixture in the root conftest);
each test reads it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from cairn.customers.churn import ChurnBook
from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus
from cairn.health.models import HealthAlert
from cairn.health.trust.models import WeightSuggestion
from cairn.operations import demo_pool, demo_usage
from cairn.operations.demo_content import DEMO_USERNAME
from cairn.people.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]

# The metric behind each habit of the pool, as the forecast reads it.
HABIT_METRICS = {
    "workflows": "workflow-runs-28d",
    "integrations": "integration-syncs-28d",
    "help_reader": "help-articles-read-28d",
    "engagement": "seat-utilization-28d",
}


def _pool() -> list[Account]:
    return list(Account.objects.filter(external_id__startswith="demo-" + demo_pool.KEY_PREFIX))


def test_the_pool_is_a_few_hundred_small_unowned_tech_touch_customers() -> None:
    pool = _pool()

    assert len(pool) == demo_pool.POOL_SIZE
    assert {a.segment for a in pool} == {"tech_touch"} and {a.owner_id for a in pool} == {None}
    assert all(a.website.endswith(".example") for a in pool)
    subscriptions = Subscription.objects.filter(account__in=pool)
    assert {s.product.sku for s in subscriptions.select_related("product")} == {"BOP"}
    assert all(3 <= s.quantity <= 30 and 500 <= s.arr <= 11_000 for s in subscriptions)
    assert subscriptions.filter(status=SubscriptionStatus.RENEWED).exists()


def test_about_a_quarter_of_the_pool_left_over_the_year_most_cancelling_some_lapsing() -> None:
    today = timezone.localdate()
    pool = _pool()
    ids = np.array(sorted(a.pk for a in pool), dtype=np.int64)

    events = ChurnBook(ids, as_of=today).events()

    assert 0.18 <= len(events) / len(pool) <= 0.32
    assert {e.how for e in events} == {"marked", "lapsed"}
    months = {(e.day.year, e.day.month) for e in events}
    assert len(months) >= 10, "churn days spread over the year"
    assert all(today - dt.timedelta(days=365) < e.day <= today for e in events)


def test_the_pools_alerts_are_recorded_without_filling_anyones_work_list() -> None:
    alerts = HealthAlert.objects.filter(account__segment="tech_touch")

    assert alerts.exists()
    assert not alerts.filter(task__isnull=False).exists()


def test_the_forecast_is_trained_this_morning_and_ranks_churn_out_of_time() -> None:
    model = ForecastModel.objects.get()
    evaluation = model.evaluation

    assert model.status == ModelStatus.TRAINED, model.message
    assert model.lead_days == demo_usage.FORECAST_LEAD_DAYS
    assert model.trained_by == User.objects.get(username=DEMO_USERNAME)
    assert timezone.localdate(model.trained_at) == timezone.localdate()
    assert evaluation["out_of_time"]
    assert dt.date.fromisoformat(evaluation["train_until"]) + dt.timedelta(days=model.lead_days) <= (
        dt.date.fromisoformat(evaluation["test_from"])
    )
    low, high = evaluation["auc_ci"]
    assert evaluation["auc"] > 0.6 and low < evaluation["auc"] < high
    assert evaluation["train_churn_events"] >= 20 and evaluation["test_churn_events"] >= 5


def test_every_current_customer_named_or_pooled_has_a_forecast() -> None:
    today = timezone.localdate()
    demo = Account.objects.filter(external_id__startswith="demo-")
    ids = np.array(sorted(demo.values_list("pk", flat=True)), dtype=np.int64)
    book = ChurnBook(ids, as_of=today)
    # Customers today, but not those whose term ended and who may still renew in the grace
    # period: whether they are customers is not known yet.
    current = set(ids[book.customers_on(today.toordinal())].tolist()) - set(book.undecided().tolist())

    forecast = set(AccountForecast.objects.filter(scored_on=today).values_list("account_id", flat=True))

    assert current <= forecast
    pool = {a.pk for a in _pool()}
    assert len(current & pool) > demo_pool.POOL_SIZE // 2
    assert {"Halvorsen Maritime", "Meridian Health Partners", "Sable Ridge Mining"} <= set(
        demo.filter(pk__in=forecast).values_list("name", flat=True)
    )


def test_the_pools_habits_drive_the_forecast_with_the_signs_the_demo_chose() -> None:
    drivers = {d["feature"]: d for d in ForecastModel.objects.get().drivers}

    for habit, metric in HABIT_METRICS.items():
        assert metric in drivers, f"{metric} is not among the book's drivers"
        chosen = np.sign(demo_pool.EFFECTS[habit])
        assert np.sign(drivers[metric]["direction"]) == chosen, (habit, drivers[metric])


def test_the_scorecards_backtest_is_out_of_time_without_new_accounts_and_has_figures() -> None:
    run = WeightSuggestion.objects.get()
    report = run.report

    assert report["enough"], report["message"]
    assert not report["in_sample"] and not report["include_new"] and report["new_left_out"] > 0
    assert run.train_until is not None and run.test_from is not None
    assert run.train_until + dt.timedelta(days=run.lead_days) <= run.test_from
    assert report["auc"] > 0.6 and report["auc_low"] < report["auc"] < report["auc_high"]
    assert report["churn_events"] >= 10


def test_the_trust_page_and_the_model_card_show_the_figures() -> None:
    model = ForecastModel.objects.get()
    report = WeightSuggestion.objects.get().report
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USERNAME))

    trust = client.get("/health/trust/").content.decode()
    card = client.get("/forecast/").content.decode()

    assert "Not enough data" not in trust and f"{report['auc']:.2f}" in trust
    assert f"{model.evaluation['auc']:.2f}" in card
