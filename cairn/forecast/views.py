"""The churn forecast's model card: everyone reads it; leaders train a new version from it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.forecast import actions, queries
from cairn.forecast.charts import calibration_chart
from cairn.forecast.forms import TrainForm
from cairn.forecast.models import ForecastModel, ModelStatus
from cairn.forms import add_errors
from cairn.health.trust.charts import lift_chart
from cairn.http import AuthedRequest
from cairn.people import access, permissions

LEADER_ONLY = "Only CS leaders may train the churn forecast."


def _chosen(request: AuthedRequest) -> ForecastModel | None:
    wanted = request.GET.get("version", "")
    if not wanted:
        return queries.shown_by_default()
    if not wanted.isdigit() or len(wanted) > 9:
        raise Http404("A version is a number.")
    found = queries.version(int(wanted))
    if found is None:
        raise Http404(f"There is no version {wanted} of the churn forecast.")
    return found


def _page(request: AuthedRequest, form: TrainForm | None = None, status: int = 200) -> HttpResponse:
    shown = _chosen(request) if form is None else queries.shown_by_default()
    every = queries.versions()
    leader = permissions.is_leader(request.user) and permissions.can_write(request.user)
    initial = {"lead_days": shown.lead_days if shown else actions.DEFAULT_LEAD_DAYS}
    context: dict[str, Any] = {
        "shown": shown,
        "versions": every,
        "can_train": leader,
        "form": form or TrainForm(initial=initial),
        "min_train_events": actions.MIN_TRAIN_EVENTS,
        "min_test_events": actions.MIN_TEST_EVENTS,
    }
    if shown is not None:
        card = queries.card(shown)
        context.update(
            card=card,
            newer_failure=queries.newer_failure(shown, every),
            calibration=calibration_chart(card.evaluation.get("calibration", [])),
            lift=lift_chart(card.evaluation.get("tenths", [])),
        )
    return render(request, "forecast/card.html", context, status=status)


def card(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@require_POST
def train(request: AuthedRequest) -> HttpResponse:
    user = access.leader(request.user, LEADER_ONLY)
    form = TrainForm(request.POST)
    if form.is_valid():
        try:
            model = actions.train_model(
                lead_days=form.cleaned_data["lead_days"], as_of=form.cleaned_data["as_of"],
                by=user, dates=form.dates(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            _tell(request, model)
            return redirect(f"{reverse('forecast')}?version={model.version}")
    messages.error(request, "The forecast was not trained: see the fields marked below.")
    return _page(request, form, status=400)


def _tell(request: AuthedRequest, model: ForecastModel) -> None:
    if model.status != ModelStatus.TRAINED:
        messages.warning(request, f"Version {model.version} did not learn: not enough churn history. "
                         "What it needs is below; the version scoring the book, if any, stays.")
        return
    figures = queries.headline_figures(model)
    messages.success(
        request,
        f"Version {model.version} trained in {model.seconds:.1f} s. Out of time: AUC "
        f"{figures.auc_text}, lift of the riskiest tenth {figures.lift_text}. It now scores the book.",
    )
