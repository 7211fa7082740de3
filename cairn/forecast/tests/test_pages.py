"""The churn forecast on the screens: the model card (read by everyone, trained from by leaders),
the account page's section, and the churn risk column of the portfolio and the health page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account
from cairn.forecast import queries
from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus
from cairn.forecast.tests.conftest import LEAD
from cairn.health.models import AccountHealth

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _failed_version(number: int) -> ForecastModel:
    return ForecastModel.objects.create(
        version=number, status=ModelStatus.NOT_ENOUGH, lead_days=90, as_of=dt.date(2025, 7, 1),
        trained_at=timezone.now(), message="Not enough churn history to train a forecast: 3 accounts churned.",
    )


def test_a_reader_sees_the_card_out_of_time_and_no_train_button(forecast_book, as_rita):
    model = forecast_book.model
    assert model.status == ModelStatus.TRAINED, model.message
    page = as_rita.get(reverse("forecast")).content.decode()
    e = model.evaluation
    auc = f"{e['auc']:.2f} ({e['auc_ci'][0]:.2f}–{e['auc_ci'][1]:.2f})"
    lift = f"{e['lift']:.2f} ({e['lift_ci'][0]:.2f}–{e['lift_ci'][1]:.2f})"
    assert auc in page and lift in page
    assert "AUC, out of time" in page and "Lift of the riskiest tenth, out of time" in page
    assert "Yardstick AUC, out of time" in page and f"{e['baseline_auc']:.2f}" in page
    assert "Per test date, out of time" in page and "Calibration, out of time" in page
    # One row per test date, and a point per tenth on the reliability diagram with its diagonal.
    assert page.count("<circle") == len(e["calibration"]) == 10
    assert 'class="chance"' in page
    assert len(re.findall(r"<tr><td>\d\d \w{3} 2025</td>", page)) == len(e["per_date"])
    # The training and test dates in words, the counts, and how long it took.
    first_test = dt.date.fromisoformat(e["test_from"])
    assert f"{first_test.day} {first_test:%B %Y}" in page
    assert f"churn within {LEAD} days" in page
    assert f"{model.observations:,} observations" in page
    # The drivers across the book, each with the way it pushes.
    assert "Drivers across the book" in page and "<progress" in page
    assert "higher raises risk" in page or "higher lowers risk" in page
    assert reverse("forecast_train") not in page and "Train a new version" not in page


def test_a_leader_sees_the_train_form_that_says_it_runs_while_waiting(forecast_book, as_alice):
    page = as_alice.get(reverse("forecast")).content.decode()
    assert reverse("forecast_train") in page
    assert "Training runs while you wait" in page
    assert 'name="lead_days"' in page and 'name="test_from"' in page


def test_the_card_runs_the_same_queries_for_one_and_four_versions(forecast_book, as_rita):
    one = _count(as_rita, reverse("forecast"))
    for number in (2, 3, 4):
        _failed_version(number)
    assert _count(as_rita, reverse("forecast")) == one


def test_the_card_keeps_the_scoring_version_and_says_a_later_training_failed(forecast_book, as_rita):
    _failed_version(2)
    page = as_rita.get(reverse("forecast")).content.decode()
    assert "version 1 · trained" in page
    assert "Version 2, trained" in page and "did not learn" in page
    older = as_rita.get(reverse("forecast") + "?version=2").content.decode()
    assert "Not enough history" in older and "3 accounts churned" in older
    assert '<option value="2" selected>' in older
    assert as_rita.get(reverse("forecast") + "?version=99").status_code == 404
    assert as_rita.get(reverse("forecast") + "?version=abc").status_code == 404


def test_a_leader_trains_a_new_version_from_the_card(forecast_book, as_alice, alice):
    response = as_alice.post(reverse("forecast_train"), {
        "lead_days": LEAD, "as_of": forecast_book.book.as_of.isoformat(),
    })
    assert response.status_code == 302
    model = ForecastModel.objects.get(version=2)
    assert response["Location"] == reverse("forecast") + "?version=2"
    assert model.status == ModelStatus.TRAINED and model.trained_by == alice
    page = as_alice.get(response["Location"]).content.decode()
    assert "Version 2 trained in" in page and "It now scores the book" in page
    assert set(AccountForecast.objects.values_list("model__version", flat=True)) == {2}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"lead_days": "3"}, "lead_days", "The lead window must be at least 7 days."),
    ({"lead_days": "731"}, "lead_days", "The lead window can be at most 730 days."),
    ({"lead_days": "56", "train_from": "2025-03-03", "train_until": "2025-04-07",
      "test_from": "2025-02-03"}, "test_from", "The test dates must come after the training dates"),
    ({"lead_days": "56", "test_from": "2025-05-05", "test_until": "2025-04-07"},
     "test_until", "The test period must end on or after its first day."),
    ({"lead_days": "56", "as_of": "1969-12-31"}, "as_of", "Enter a date between"),
    ({"lead_days": "56", "as_of": "not a day"}, "as_of", "Enter a date like 2026-03-31."),
])
def test_bad_training_input_names_the_field_and_saves_nothing(
    forecast_book, as_alice, data, field, message
):
    response = as_alice.post(reverse("forecast_train"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and "The forecast was not trained" in page
    assert ForecastModel.objects.count() == 1


def test_a_split_that_leaks_is_refused_on_the_field_the_action_names(forecast_book, as_alice):
    dates = forecast_book.book.dates
    given = {"lead_days": LEAD, "as_of": forecast_book.book.as_of.isoformat()}
    crossing = as_alice.post(reverse("forecast_train"), {
        **given, "train_until": dates[-14].isoformat(), "test_from": dates[-12].isoformat(),
        "test_until": dates[-9].isoformat(),
    })
    assert crossing.status_code == 400
    assert "reaches into the test period" in " ".join(crossing.context["form"].errors["train_until"])
    # Test dates up to the last one: their churn windows end after the outcomes known.
    unknown = as_alice.post(reverse("forecast_train"), {
        **given, "test_from": dates[-12].isoformat(), "test_until": dates[-1].isoformat(),
    })
    assert unknown.status_code == 400
    assert "not known yet" in " ".join(unknown.context["form"].errors["test_until"])
    assert ForecastModel.objects.count() == 1


def test_outcomes_after_today_are_not_known(forecast_book, as_alice):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = as_alice.post(reverse("forecast_train"), {"lead_days": LEAD, "as_of": tomorrow.isoformat()})
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"] == ["Outcomes are known only up to today."]


def test_a_csm_may_not_train(forecast_book, as_carol):
    assert as_carol.post(reverse("forecast_train"), {"lead_days": LEAD}).status_code == 403
    assert ForecastModel.objects.count() == 1


def test_the_account_page_shows_the_chance_the_date_and_the_drivers(forecast_book, as_rita):
    riskiest = AccountForecast.objects.select_related("account", "model").order_by("-probability").first()
    assert riskiest is not None and riskiest.drivers
    page = as_rita.get(riskiest.account.get_absolute_url()).content.decode()
    assert "Churn forecast" in page
    assert f"{round(riskiest.probability * 100)}{NBSP}%</strong> chance of churning within {LEAD} days" in page
    assert f"Forecast of {riskiest.scored_on:%d %b %Y}" in page
    assert riskiest.drivers[0]["text"].replace("'", "&#x27;") in page
    assert "raises the risk" in page
    assert f'{reverse("forecast")}?version={riskiest.model.version}' in page


def test_an_account_without_a_forecast_says_why(forecast_book, as_rita):
    gone = Account.objects.exclude(forecast__isnull=False).first()
    assert gone is not None
    page = as_rita.get(gone.get_absolute_url()).content.decode()
    assert "No forecast for this account" in page


def test_the_account_section_reads_in_one_query(forecast_book, django_assert_num_queries):
    account = AccountForecast.objects.select_related("account").first().account
    with django_assert_num_queries(1):
        context = queries.account_page(None, account)  # type: ignore[arg-type]
    assert context["account_sections"] == ["forecast/_account.html"]
    assert context["churn_forecast"].model.version == 1


def test_the_portfolio_sorts_by_churn_risk_in_a_fixed_number_of_queries(forecast_book, as_rita):
    response = as_rita.get(reverse("portfolio") + "?sort=-risk")
    rows = list(response.context["accounts"])
    shown = [a.forecast.probability for a in rows]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == max(AccountForecast.objects.values_list("probability", flat=True))
    page = response.content.decode()
    assert "Churn risk" in page and f"{round(shown[0] * 100)}{NBSP}%" in page
    # Ten accounts or a full page of 25: the same queries, none per row.
    few = _count(as_rita, reverse("portfolio") + "?sort=-risk&q=Forecast 00000")
    assert _count(as_rita, reverse("portfolio") + "?sort=-risk") == few


def test_the_portfolio_leaves_the_cell_blank_without_a_forecast(forecast_book, as_rita):
    AccountForecast.objects.all().delete()
    response = as_rita.get(reverse("portfolio") + "?sort=-risk")
    assert response.status_code == 200
    assert f"{NBSP}%</td>" not in response.content.decode()


def test_the_health_page_sorts_the_fallers_by_churn_risk_in_a_fixed_number_of_queries(
    forecast_book, as_rita
):
    forecasts = list(AccountForecast.objects.order_by("account_id")[:30])
    for n, f in enumerate(forecasts[:3]):
        AccountHealth.objects.create(account_id=f.account_id, scored_on=timezone.localdate(),
                                     score=50, light="amber", change_30d=-1 - n)
    few = _count(as_rita, reverse("health") + "?sort=-risk")
    for n, f in enumerate(forecasts[3:]):
        AccountHealth.objects.create(account_id=f.account_id, scored_on=timezone.localdate(),
                                     score=50, light="amber", change_30d=-4 - n)
    assert _count(as_rita, reverse("health") + "?sort=-risk") == few
    response = as_rita.get(reverse("health") + "?sort=-risk")
    risks = [h.account.forecast.probability for h in response.context["fallers"]]
    assert len(risks) == 10 and risks == sorted(risks, reverse=True)
    assert risks[0] == max(f.probability for f in forecasts)
    page = response.content.decode()
    assert "likeliest to churn first" in page and f"{round(risks[0] * 100)}{NBSP}%" in page
    # By default the sharpest falls come first, still with their churn risk.
    default = as_rita.get(reverse("health"))
    assert [h.change_30d for h in default.context["fallers"]][:2] == [-30, -29]
    assert '<a href="?sort=-risk">Churn risk</a>' in default.content.decode()
