"""The churn forecast in the API: its versions with their out-of-time figures, an account's
latest forecast, and training a new version (leaders)."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from cairn.api import READ_ERRORS, WRITE_ERRORS, user_of
from cairn.customers.models import Account
from cairn.forecast import actions, queries
from cairn.forecast.forms import TrainForm
from cairn.forecast.models import ForecastModel
from cairn.forecast.schemas import AccountForecastOut, ModelOut, ModelSummaryOut, TrainIn
from cairn.forecast.views import LEADER_ONLY
from cairn.people import access

router = Router(tags=["forecast"])


def _summary(model: ForecastModel) -> dict[str, Any]:
    figures = queries.headline_figures(model)
    return {
        "version": model.version, "status": model.status, "status_label": model.get_status_display(),
        "lead_days": model.lead_days, "as_of": model.as_of, "trained_at": model.trained_at,
        "seconds": model.seconds, "message": model.message, "out_of_time": True,
        "auc": figures.auc, "auc_interval": figures.auc_interval,
        "lift": figures.lift, "lift_interval": figures.lift_interval,
        "baseline_auc": figures.baseline_auc, "baseline_lift": figures.baseline_lift,
    }


def _detail(model: ForecastModel) -> dict[str, Any]:
    drivers = [
        {"feature": d.feature, "label": d.label, "importance": d.importance,
         "direction": d.direction, "direction_text": d.words}
        for d in queries.book_drivers(model, most=len(model.drivers or []))
    ]
    return {
        **_summary(model),
        "train_from": model.train_from, "train_until": model.train_until,
        "test_from": model.test_from, "test_until": model.test_until,
        "fitted_from": model.fitted_from, "fitted_until": model.fitted_until,
        "observations": model.observations, "churn_events": model.churn_events,
        "evaluation": model.evaluation or None, "drivers": drivers, "features": model.features,
    }


@router.get("/models", response=list[ModelSummaryOut],
            summary="Every version of the churn forecast, newest first, with its out-of-time figures")
def list_models(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(m) for m in queries.versions()]


@router.get("/models/{int:number}", response={200: ModelOut, **READ_ERRORS},
            summary="A version's model card (by its version number): dates, out-of-time figures "
            "per date, calibration, drivers")
def get_model(request: HttpRequest, number: int) -> dict[str, Any]:
    model = queries.version(number)
    if model is None:
        raise Http404(f"There is no version {number} of the churn forecast.")
    return _detail(model)


@router.get("/accounts/{int:account_id}", response={200: AccountForecastOut, **READ_ERRORS},
            summary="An account's latest churn forecast and what drives it")
def account_forecast(request: HttpRequest, account_id: int) -> dict[str, Any]:
    account = get_object_or_404(Account, pk=account_id)
    forecast = queries.for_account(account.pk)
    if forecast is None:
        raise Http404("This account has no forecast: it is not a current customer, or no "
                      "forecast has been trained yet.")
    return {
        "account_id": account.pk, "probability": forecast.probability,
        "scored_on": forecast.scored_on, "lead_days": forecast.model.lead_days,
        "version": forecast.model.version, "drivers": forecast.drivers,
    }


@router.post("/models", response={201: ModelOut, **WRITE_ERRORS},
             summary="Train a new version (checked out of time first); it runs in the request")
def train(request: HttpRequest, payload: TrainIn) -> tuple[int, dict[str, Any]]:
    user = access.leader(user_of(request), LEADER_ONLY)
    # The page's form checks the periods, so both give the same messages.
    form = TrainForm(data={k: "" if v is None else v for k, v in payload.dict().items()})
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    model = actions.train_model(
        lead_days=form.cleaned_data["lead_days"], as_of=form.cleaned_data["as_of"], by=user,
        dates=form.dates(),
    )
    return 201, _detail(model)
