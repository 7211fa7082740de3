"""Without a trained forecast, the card says what it needs; a training without enough churn
history is kept as an attempt, and nothing is forecast."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus
from cairn.forecast.synthetic import make_book
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

LEAD = 56


def test_before_any_training_the_card_says_what_the_forecast_needs(as_rita, as_alice):
    page = as_rita.get(reverse("forecast")).content.decode()
    assert "No forecast yet" in page and "at least 20 accounts that churned" in page
    assert "ask a CS leader to train it" in page and reverse("forecast_train") not in page
    leader = as_alice.get(reverse("forecast")).content.decode()
    assert reverse("forecast_train") in leader and "cairn forecast train" in leader


def test_training_without_enough_churn_keeps_the_attempt_and_says_what_it_needs(as_alice, alice, acme):
    book = make_book(accounts=120, weeks=20, lead_days=LEAD, weekly_base=-7)
    response = as_alice.post(reverse("forecast_train"), {"lead_days": LEAD, "as_of": book.as_of.isoformat()},
                             follow=True)
    model = ForecastModel.objects.get()
    assert model.status == ModelStatus.NOT_ENOUGH and model.trained_by == alice
    page = response.content.decode()
    assert "Not enough history" in page and "needs at least 20" in page
    assert not AccountForecast.objects.exists()
    account_page = as_alice.get(acme.get_absolute_url()).content.decode()
    assert "No forecast for this account" in account_page
    api = bearer(alice)
    assert api.get(f"/api/v1/forecast/accounts/{acme.pk}").status_code == 404
    [listed] = api.get("/api/v1/forecast/models").json()
    assert listed["status"] == "not_enough" and "needs at least 20" in listed["message"]
    assert listed["auc"] is None
    card = api.get("/api/v1/forecast/models/1").json()
    assert card["evaluation"] is None and card["drivers"] == []
