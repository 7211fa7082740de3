"""Everything that writes trust data: a backtest run with its suggestion, and a leader's
decision on it. Each action owns its transaction."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.health.models import Measure, Scorecard
from cairn.health.trust import backtest
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.suggest import Suggestion, suggest, unfitted
from cairn.people.models import User


@dataclass(frozen=True)
class Outcome:
    report: backtest.Report
    suggestion: Suggestion


def evaluate(scorecard: Scorecard, *, lead_days: int, as_of: dt.date) -> Outcome:
    """The backtest and the suggestion, computed but not stored (what `cairn trust report`
    prints). Reads only."""
    report, obs = backtest.run(scorecard, lead_days=lead_days, as_of=as_of)
    if not report.enough:
        return Outcome(report, unfitted(obs, "No suggestion: " + report.message))
    return Outcome(report, suggest(obs, lead_days=lead_days))


def run_report(
    scorecard: Scorecard, *, lead_days: int, as_of: dt.date, by: User | None
) -> WeightSuggestion:
    """Backtest the scorecard and keep the figures and the suggestion for review."""
    outcome = evaluate(scorecard, lead_days=lead_days, as_of=as_of)
    return keep(outcome, scorecard, lead_days=lead_days, as_of=as_of, by=by)


@transaction.atomic
def keep(
    outcome: Outcome, scorecard: Scorecard, *, lead_days: int, as_of: dt.date, by: User | None
) -> WeightSuggestion:
    """Store a computed backtest and its suggestion (pending review when there is one)."""
    row = WeightSuggestion(
        scorecard=scorecard,
        lead_days=lead_days,
        as_of=as_of,
        report={**outcome.report.as_json(), "suggestion": outcome.suggestion.report_json()},
        weights=outcome.suggestion.weights_json(),
        status=SuggestionStatus.PENDING if outcome.suggestion.fitted else SuggestionStatus.REPORT_ONLY,
        created_by=by,
    )
    row.full_clean()
    row.save()
    return row


def _locked(suggestion: WeightSuggestion) -> WeightSuggestion:
    """The row locked for the decision, so two leaders cannot both decide it."""
    locked = WeightSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != SuggestionStatus.PENDING:
        raise ValidationError(
            {"status": f"This suggestion is already {locked.get_status_display().lower()}."}
        )
    return locked


@transaction.atomic
def apply_suggestion(suggestion: WeightSuggestion, *, by: User) -> WeightSuggestion:
    """Write the suggested weights to the scorecard's measures, all or none.

    Refused when the scorecard changed since the backtest (a measure added, removed or
    reweighted): the figures the leader reviewed would no longer describe what is applied.
    Measure and scorecard history record who changed the weights.
    """
    locked = _locked(suggestion)
    card = Scorecard.objects.select_for_update().get(pk=locked.scorecard_id)
    measures = {m.pk: m for m in Measure.objects.filter(scorecard=card)}
    rows = locked.weights
    if set(measures) != {r["measure_id"] for r in rows} or any(
        not math.isclose(measures[r["measure_id"]].weight, r["current"]) for r in rows
    ):
        raise ValidationError(
            {"weights": "The scorecard's measures changed since this backtest: run it again."}
        )
    for r in rows:
        measure = measures[r["measure_id"]]
        measure.weight = r["applied"]
        measure._history_user = by  # type: ignore[attr-defined]
        measure.full_clean()
        measure.save(update_fields=["weight"])
    card.updated_by = by
    card._history_user = by  # type: ignore[attr-defined]
    card.save(update_fields=["updated_by", "updated_at"])
    locked.status = SuggestionStatus.APPLIED
    locked.applied_by = by
    locked.applied_at = timezone.now()
    locked.save(update_fields=["status", "applied_by", "applied_at"])
    return locked


@transaction.atomic
def dismiss_suggestion(suggestion: WeightSuggestion, *, by: User) -> WeightSuggestion:
    locked = _locked(suggestion)
    locked.status = SuggestionStatus.DISMISSED
    locked.dismissed_by = by
    locked.dismissed_at = timezone.now()
    locked.save(update_fields=["status", "dismissed_by", "dismissed_at"])
    return locked
