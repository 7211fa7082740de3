"""The churn forecast in the API: versions with their out-of-time figures, a version's card,
an account's forecast, and training (leaders), with bad input named by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.customers.models import Account
from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus
from cairn.forecast.tests.conftest import LEAD
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/forecast"


@pytest.fixture
def api_alice(alice) -> Client:  # type: ignore[no-untyped-def]
    return bearer(alice)


@pytest.fixture
def api_rita(rita) -> Client:  # type: ignore[no-untyped-def]
    return bearer(rita)


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(f"{BASE}/models", body, content_type="application/json")


def _fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_the_versions_carry_their_out_of_time_figures(forecast_book, api_rita):
    response = api_rita.get(f"{BASE}/models")
    assert response.status_code == 200
    [only] = response.json()
    e = forecast_book.model.evaluation
    assert only["version"] == 1 and only["status"] == "trained" and only["out_of_time"] is True
    assert only["auc"] == e["auc"] and only["auc_interval"] == e["auc_ci"]
    assert only["lift"] == e["lift"] and only["lift_interval"] == e["lift_ci"]
    assert only["baseline_auc"] == e["baseline_auc"] and only["lead_days"] == LEAD


def test_listing_versions_runs_the_same_queries_for_one_and_five(forecast_book, api_rita):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_rita.get(f"{BASE}/models").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for number in range(2, 6):
        ForecastModel.objects.create(version=number, status=ModelStatus.NOT_ENOUGH, lead_days=90,
                                     as_of=dt.date(2025, 7, 1), trained_at=timezone.now(),
                                     message="Not enough churn history.")
    assert count() == one
    assert [m["status"] for m in api_rita.get(f"{BASE}/models").json()] == ["not_enough"] * 4 + ["trained"]


def test_a_version_gives_its_card(forecast_book, api_rita):
    body = api_rita.get(f"{BASE}/models/1").json()
    model = forecast_book.model
    assert body["train_until"] < body["test_from"]
    assert body["fitted_until"] == model.fitted_until.isoformat()
    assert len(body["evaluation"]["per_date"]) == len(model.evaluation["per_date"]) >= 3
    assert len(body["evaluation"]["calibration"]) == 10
    assert body["drivers"] and {d["direction_text"] for d in body["drivers"]} <= {
        "higher raises risk", "higher lowers risk", "no clear direction"}
    assert {f["name"] for f in body["features"]} >= {"tenure", "errors", "logins:change"}
    missing = api_rita.get(f"{BASE}/models/99")
    assert missing.status_code == 404 and "no version 99" in missing.json()["detail"]


def test_an_account_gives_its_forecast_and_drivers(forecast_book, api_rita):
    riskiest = AccountForecast.objects.order_by("-probability").first()
    body = api_rita.get(f"{BASE}/accounts/{riskiest.account_id}").json()
    assert body["probability"] == pytest.approx(riskiest.probability)
    assert body["version"] == 1 and body["lead_days"] == LEAD
    assert body["scored_on"] == riskiest.scored_on.isoformat()
    assert body["drivers"][0]["raises"] is True and body["drivers"][0]["text"]


def test_an_account_without_a_forecast_is_a_404(forecast_book, api_rita):
    gone = Account.objects.exclude(forecast__isnull=False).first()
    response = api_rita.get(f"{BASE}/accounts/{gone.pk}")
    assert response.status_code == 404 and "no forecast" in response.json()["detail"]
    assert api_rita.get(f"{BASE}/accounts/999999999").status_code == 404


def test_a_leader_trains_a_version(forecast_book, api_alice, alice):
    response = _post(api_alice, {"lead_days": LEAD, "as_of": forecast_book.book.as_of.isoformat()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2 and body["status"] == "trained" and body["auc"] is not None
    assert ForecastModel.objects.get(version=2).trained_by == alice


def test_a_reader_may_not_train(forecast_book, api_rita):
    assert _post(api_rita, {"lead_days": LEAD}).status_code == 403
    assert ForecastModel.objects.count() == 1


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"lead_days": 3}, "lead_days", "greater than or equal to 7"),
    ({"lead_days": 731}, "lead_days", "less than or equal to 730"),
    ({"lead_days": "many"}, "lead_days", "valid integer"),
    ({"as_of": "1969-12-31"}, "as_of", "Enter a date between"),
    ({"lead_days": 56, "train_from": "2025-03-03", "train_until": "2025-04-07", "test_from": "2025-02-03"},
     "test_from", "The test dates must come after the training dates"),
    ({"lead_days": 56, "test_from": "2025-05-05", "test_until": "2025-04-07"},
     "test_until", "The test period must end on or after its first day."),
])
def test_bad_training_input_names_the_field_and_saves_nothing(forecast_book, api_alice, body, field, message):
    response = _post(api_alice, body)
    assert response.status_code == 400, response.content
    assert message in _fields(response)[field]
    assert ForecastModel.objects.count() == 1


def test_outcomes_after_today_are_refused(forecast_book, api_alice):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _post(api_alice, {"as_of": tomorrow.isoformat()})
    assert response.status_code == 400
    assert _fields(response) == {"as_of": "Outcomes are known only up to today."}


def test_a_split_that_leaks_is_refused_naming_the_field(forecast_book, api_alice):
    dates = forecast_book.book.dates
    response = _post(api_alice, {"lead_days": LEAD, "as_of": forecast_book.book.as_of.isoformat(),
                                 "train_until": dates[-14].isoformat(), "test_from": dates[-12].isoformat(),
                                 "test_until": dates[-9].isoformat()})
    assert response.status_code == 400
    assert "reaches into the test period" in _fields(response)["train_until"]
    assert ForecastModel.objects.count() == 1
