"""The forecast on a synthetic book whose effects we chose: it finds them, beats a straight
line out of time, refuses to look ahead, and says when history is too short."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cairn.customers.models import Account
from cairn.forecast import actions
from cairn.forecast.dataset import Split
from cairn.forecast.features import Feature, LeakageError, Reader
from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus
from cairn.forecast.synthetic import EFFECTS, make_book

LEAD = 56


@pytest.fixture
def book(db):
    return make_book(accounts=1500, weeks=40, lead_days=LEAD)


@pytest.fixture
def trained(book):
    return book, actions.train_model(lead_days=LEAD, as_of=book.as_of)


def test_one_training_run_end_to_end(trained):
    """One training run is slow enough to share: each check below reads the same run."""
    check_the_forecast_recovers_each_effect_and_beats_a_straight_line_out_of_time(trained)
    check_the_forecast_is_calibrated_on_the_test_dates(trained)
    check_every_current_customer_gets_a_probability_and_its_drivers_in_words(trained)
    check_the_cli_prints_the_card_and_explains_an_account(trained)
    check_scoring_again_uses_the_current_version(trained)


def _by_feature(model: ForecastModel) -> dict[str, dict]:
    return {d["feature"]: d for d in model.drivers}


def check_the_forecast_recovers_each_effect_and_beats_a_straight_line_out_of_time(trained) -> None:
    _, model = trained
    assert model.status == ModelStatus.TRAINED, model.message
    e = model.evaluation
    assert e["out_of_time"] is True
    assert e["train_until"] < e["test_from"]
    # The training dates' churn windows all end by the first test date.
    assert dt.date.fromisoformat(e["train_until"]) + dt.timedelta(days=LEAD) <= dt.date.fromisoformat(e["test_from"])
    assert e["auc"] > 0.7
    assert e["auc"] > e["baseline_auc"]
    assert e["auc_ci"][0] <= e["auc"] <= e["auc_ci"][1]
    assert e["lift_ci"][0] <= e["lift"] <= e["lift_ci"][1]
    assert len(e["per_date"]) == len({p["date"] for p in e["per_date"]}) >= 3
    drivers = _by_feature(model)
    # Signs: errors raise the risk as they rise, logins lower it, as chosen.
    for slug, sign in EFFECTS.items():
        if sign:
            assert np.sign(drivers[slug]["direction"]) == sign, (slug, drivers[slug])
    # Order: both chosen effects (their level or their change) outrank both metrics without one.
    def strength(slug: str) -> float:
        return max(drivers[slug]["importance"], drivers.get(f"{slug}:change", {"importance": 0})["importance"])
    assert min(strength("errors"), strength("logins")) > max(strength("seats"), strength("noise"))


def check_the_forecast_is_calibrated_on_the_test_dates(trained) -> None:
    _, model = trained
    bins = model.evaluation["calibration"]
    assert len(bins) == 10
    predicted = sum(b["predicted"] * b["count"] for b in bins) / sum(b["count"] for b in bins)
    observed = sum(b["observed"] * b["count"] for b in bins) / sum(b["count"] for b in bins)
    assert abs(predicted - observed) < 0.5 * observed
    assert bins[-1]["observed"] > 3 * bins[0]["observed"]


def check_every_current_customer_gets_a_probability_and_its_drivers_in_words(trained) -> None:
    book, model = trained
    rows = list(AccountForecast.objects.all())
    assert rows and all(r.model_id == model.pk and 0 <= r.probability <= 1 for r in rows)
    churned = set(Account.objects.filter(subscriptions__status="churned",
                                         subscriptions__end_date__lte=book.as_of).values_list("pk", flat=True))
    assert not churned & {r.account_id for r in rows}
    riskiest = max(rows, key=lambda r: r.probability)
    assert riskiest.drivers and riskiest.drivers[0]["raises"]
    assert all(isinstance(d["text"], str) and d["text"] for d in riskiest.drivers)
    texts = " ".join(d["text"] for r in rows for d in r.drivers)
    assert "fell" in texts or "rose" in texts or "median" in texts


def test_a_feature_cannot_read_after_the_observation_date(db):
    with pytest.raises(LeakageError, match="after the observation date"):
        Feature("logins:ahead", "Logins next week", "change", "logins", back_days=-7)
    reader = Reader(np.array([1, 2], dtype=np.int64), [dt.date(2025, 1, 6), dt.date(2025, 1, 13)])
    with pytest.raises(LeakageError, match="not known on the observation date"):
        reader.read("logins", dt.date(2025, 1, 13), dt.date(2025, 1, 6))


def test_a_training_label_inside_the_test_period_is_refused():
    monday = dt.date(2025, 1, 6)
    with pytest.raises(LeakageError, match="reaches into the test period"):
        Split((monday, monday + dt.timedelta(weeks=4)), (monday + dt.timedelta(weeks=6),), 56,
              monday + dt.timedelta(weeks=30))
    with pytest.raises(LeakageError, match="not known yet"):
        Split((monday,), (monday + dt.timedelta(weeks=10),), 56, monday + dt.timedelta(weeks=12))


def test_explicit_periods_that_leak_are_refused_naming_the_field(book):
    late_train = actions.Dates(train_until=book.dates[-12], test_from=book.dates[-10])
    with pytest.raises(ValidationError) as caught:
        actions.train_model(lead_days=LEAD, as_of=book.as_of, dates=late_train)
    assert "train_until" in caught.value.message_dict
    with pytest.raises(CommandError, match=r"--train-until: .*reaches into the test period"):
        call_command("forecast", "train", "--lead-days", str(LEAD), "--as-of", str(book.as_of),
                     "--train-until", str(book.dates[-12]), "--test-from", str(book.dates[-10]),
                     stdout=StringIO())
    assert not ForecastModel.objects.exists()


def test_explicit_periods_are_used_as_given(book):
    dates = actions.Dates(train_from=book.dates[0], train_until=book.dates[15],
                          test_from=book.dates[24], test_until=book.dates[30])
    model = actions.train_model(lead_days=LEAD, as_of=book.as_of, dates=dates)
    e = model.evaluation
    assert (e["train_from"], e["train_until"]) == (str(book.dates[0]), str(book.dates[15]))
    assert (e["test_from"], e["test_until"]) == (str(book.dates[24]), str(book.dates[30]))


def test_without_enough_churn_it_says_so_and_what_it_needs(db):
    book = make_book(accounts=120, weeks=20, lead_days=LEAD, weekly_base=-9)
    out = StringIO()
    with pytest.raises(CommandError, match="Not enough churn history"):
        call_command("forecast", "train", "--lead-days", str(LEAD), "--as-of", str(book.as_of), stdout=out)
    model = ForecastModel.objects.get()
    assert model.status == ModelStatus.NOT_ENOUGH and "needs at least 20" in model.message
    assert "not enough history" in out.getvalue().lower()
    assert not AccountForecast.objects.exists()


def check_the_cli_prints_the_card_and_explains_an_account(trained) -> None:
    out = StringIO()
    call_command("forecast", "report", stdout=out)
    text = out.getvalue()
    assert "Out of time" in text and "95 % interval" in text and "logistic regression" in text
    forecast = AccountForecast.objects.order_by("-probability").select_related("account").first()
    out = StringIO()
    call_command("forecast", "explain", forecast.account.name, stdout=out)
    assert "chance of churning within 56 days" in out.getvalue()
    assert "raises the risk" in out.getvalue()
    with pytest.raises(CommandError, match="account: no account"):
        call_command("forecast", "explain", "Nobody at all", stdout=StringIO())
    with pytest.raises(CommandError, match="--version: there is no version 99"):
        call_command("forecast", "report", "--version", "99", stdout=StringIO())


def check_scoring_again_uses_the_current_version(trained) -> None:
    _, model = trained
    AccountForecast.objects.all().delete()
    result = actions.score_latest(as_of=model.as_of)
    assert result["model"] == model.version and result["scored"] == AccountForecast.objects.count() > 0
