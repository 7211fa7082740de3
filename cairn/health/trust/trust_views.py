"""The trust page: how well a scorecard would have ranked churn, and its suggested weights.
Everyone reads; leaders and admins run backtests and apply or dismiss suggestions."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.health.models import Measure, Scorecard
from cairn.health.trust import actions, backtest
from cairn.health.trust.charts import lift_chart, roc_chart
from cairn.health.trust.forms import DEFAULT_LEAD_DAYS, RunForm
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.http import AuthedRequest
from cairn.people import access, permissions

HISTORY_SHOWN = 10


def _chosen(cards: list[Scorecard], wanted: str | None) -> Scorecard | None:
    """The scorecard asked for by id, else the default, else the first."""
    by_id = {str(c.pk): c for c in cards}
    if wanted in by_id:
        return by_id[wanted]
    return next((c for c in cards if c.is_default), cards[0] if cards else None)


def _page(request: AuthedRequest, form: RunForm | None = None, status: int = 200) -> HttpResponse:
    cards = list(Scorecard.objects.order_by("-is_default", "name"))
    wanted = request.POST.get("scorecard") if form is not None else request.GET.get("scorecard")
    card = _chosen(cards, wanted)
    context: dict[str, Any] = {
        "cards": cards,
        "card": card,
        "can_act": permissions.is_leader(request.user),
        "form": form or RunForm(initial={"scorecard": card, "lead_days": DEFAULT_LEAD_DAYS}),
        "resamples": backtest.RESAMPLES,
    }
    if card is not None:
        context.update(_card_context(card))
    return render(request, "health/trust/trust.html", context, status=status)


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _shown(figures: dict[str, Any] | None) -> dict[str, Any] | None:
    """Stored figures as the page shows them: dates as dates, each figure with its interval."""
    if not figures:
        return None
    return {
        **figures,
        "first_date": _day(figures.get("first_date")),
        "last_date": _day(figures.get("last_date")),
        "auc_text": backtest.with_interval(
            figures.get("auc"), (figures.get("auc_low"), figures.get("auc_high"))
        ),
        "lift_text": backtest.with_interval(
            figures.get("lift"), (figures.get("lift_low"), figures.get("lift_high")), "×"
        ),
        "per_date": [{**d, "day": _day(d["day"])} for d in figures.get("per_date", [])],
    }


def _split(report: dict[str, Any]) -> dict[str, Any] | None:
    split = report.get("split")
    if split is None:
        return None
    return {**split, **{name: _day(split.get(name)) for name in backtest.SPLIT_FIELDS}}


def _card_context(card: Scorecard) -> dict[str, Any]:
    history = list(
        WeightSuggestion.objects.filter(scorecard=card)
        .select_related("created_by", "applied_by", "dismissed_by")[:HISTORY_SHOWN]
    )
    latest = history[0] if history else None
    if latest is None:
        return {"history": history, "latest": None}
    weights_now = dict(Measure.objects.filter(scorecard=card).values_list("pk", "weight"))
    rows = [
        {**row, "now": weights_now.get(row["measure_id"]),
         "changed": row["measure_id"] not in weights_now
         or not math.isclose(weights_now[row["measure_id"]], row["current"]),
         "delta": row["suggested"] - row["current"]}
        for row in latest.weights
    ]
    report = latest.report
    suggested = report.get("suggested") or {}
    return {
        "history": history,
        "latest": latest,
        "report": report,
        # Runs from before train and test dates were chosen measured every date they saw.
        "legacy": "split" not in report,
        "split": _split(report),
        "as_of": _day(report.get("as_of")),
        "test": _shown(report),
        "train": _shown(report.get("train")),
        "suggested_test": _shown(suggested.get("test")),
        "suggested_train": _shown(suggested.get("train")),
        "suggestion": report.get("suggestion", {}),
        "rows": rows,
        "stale": any(r["changed"] for r in rows) or len(weights_now) != len(rows),
        "pending": latest.status == SuggestionStatus.PENDING,
        "roc": roc_chart(report.get("roc", [])),
        "lift": lift_chart(report.get("tenths", [])),
    }


def trust(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@require_POST
def run(request: AuthedRequest) -> HttpResponse:
    access.leader(request.user, "Only leaders may run a backtest.")
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The backtest did not run: see the fields marked below.")
        return _page(request, form, status=400)
    data = form.cleaned_data
    card = data["scorecard"]
    try:
        row = actions.run_report(
            card, lead_days=data["lead_days"], as_of=data["as_of"], by=request.user,
            include_new=data["include_new"],
            **{name: data[name] for name in backtest.SPLIT_FIELDS},
        )
    except ValidationError as exc:
        form.refuse(exc)
        messages.error(request, "The backtest did not run: see the fields marked below.")
        return _page(request, form, status=400)
    report = row.report
    if report["enough"]:
        messages.success(
            request,
            f"Backtest of {card.name} on {report['dates']} test date{'s' if report['dates'] != 1 else ''}: "
            f"AUC {backtest.with_interval(report['auc'], (report['auc_low'], report['auc_high']))} "
            f"on {report['observations']:,} observations of {report['accounts']:,} accounts, "
            f"{report['churn_events']:,} churn events"
            + (" (in-sample: see the warning)." if report["in_sample"] else ", out of time."),
        )
    else:
        messages.warning(request, report["message"])
    return redirect(f"{reverse('trust')}?scorecard={card.pk}")


def _decide(request: AuthedRequest, pk: int, apply: bool) -> HttpResponse:
    verb = "apply" if apply else "dismiss"
    access.leader(request.user, f"Only leaders may {verb} suggested weights.")
    suggestion = get_object_or_404(WeightSuggestion.objects.select_related("scorecard"), pk=pk)
    try:
        if apply:
            actions.apply_suggestion(suggestion, by=request.user)
        else:
            actions.dismiss_suggestion(suggestion, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Suggested weights applied to {suggestion.scorecard.name}. Recompute to rescore accounts."
            if apply else f"Suggestion for {suggestion.scorecard.name} dismissed; the weights stay.",
        )
    return redirect(f"{reverse('trust')}?scorecard={suggestion.scorecard_id}")


@require_POST
def apply(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, apply=True)


@require_POST
def dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, apply=False)
