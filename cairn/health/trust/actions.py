"""Everything that writes trust data: a backtest run with its suggestion, and a leader's
decision on it. Each action owns its transaction."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.health.models import Measure, Scorecard
from cairn.health.trust import backtest
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.observe import observe
from cairn.health.trust.suggest import Suggestion, aligned, suggest, unfitted
from cairn.people.models import User


@dataclass(frozen=True)
class Outcome:
    report: backtest.Report
    suggestion: Suggestion
    # The suggested weights' figures: on the test dates (out of time) and on the training
    # dates they were fitted on (in-sample). None when nothing was fitted.
    suggested: backtest.Judged | None = None


def evaluate(
    scorecard: Scorecard,
    *,
    lead_days: int,
    as_of: dt.date,
    train_from: dt.date | None = None,
    train_until: dt.date | None = None,
    test_from: dt.date | None = None,
    test_until: dt.date | None = None,
    include_new: bool = False,
) -> Outcome:
    """The backtest and the suggestion, computed but not stored (what `cairn trust report`
    prints). Reads only. The suggestion is fitted on the training dates alone and measured on
    the test dates. ValidationError naming the field for a split that cannot be used."""
    report, obs = backtest.run(
        scorecard, lead_days=lead_days, as_of=as_of, train_from=train_from,
        train_until=train_until, test_from=test_from, test_until=test_until,
        include_new=include_new,
    )
    if not report.enough:
        return Outcome(report, unfitted(obs, "No suggestion: " + report.message))
    split = report.split
    train = obs.within(split.train_dates)
    if len(train) < backtest.MIN_OBSERVATIONS:
        return Outcome(report, unfitted(obs, (
            f"No suggestion: {len(train)} scored observation{'s' if len(train) != 1 else ''} on "
            f"training dates; a fit needs {backtest.MIN_OBSERVATIONS}. Move the test period later "
            "or compute metrics for earlier dates, so that more dates end their churn window "
            "before the test period starts."
        )))
    suggestion = suggest(train, lead_days=lead_days, include_new=include_new)
    if not suggestion.fitted or suggestion.card is None:
        return Outcome(report, suggestion)
    # The suggested card (its weights, and its thresholds and directions where it changes
    # them) scored on the same rows, so both cards are judged on the same observations.
    again = observe(
        suggestion.card, np.unique(obs.account_ids), lead_days=lead_days, as_of=as_of,
        include_new=include_new, dates=split.train_dates + split.test_dates,
    )
    return Outcome(report, suggestion, backtest.judge(obs, split, aligned(again, obs)))


def run_report(
    scorecard: Scorecard,
    *,
    lead_days: int,
    as_of: dt.date,
    by: User | None,
    train_from: dt.date | None = None,
    train_until: dt.date | None = None,
    test_from: dt.date | None = None,
    test_until: dt.date | None = None,
    include_new: bool = False,
) -> WeightSuggestion:
    """Backtest the scorecard and keep the figures and the suggestion for review."""
    outcome = evaluate(
        scorecard, lead_days=lead_days, as_of=as_of, train_from=train_from,
        train_until=train_until, test_from=test_from, test_until=test_until,
        include_new=include_new,
    )
    return keep(outcome, scorecard, by=by)


@transaction.atomic
def keep(outcome: Outcome, scorecard: Scorecard, *, by: User | None) -> WeightSuggestion:
    """Store a computed backtest and its suggestion (pending review when there is one)."""
    report, split = outcome.report, outcome.report.split
    row = WeightSuggestion(
        scorecard=scorecard,
        lead_days=report.lead_days,
        as_of=report.as_of,
        train_from=split.train_from,
        train_until=split.train_until,
        test_from=split.test_from,
        test_until=split.test_until,
        include_new=report.include_new,
        report={
            **report.as_json(),
            "suggestion": outcome.suggestion.report_json(),
            "suggested": outcome.suggested.as_json() if outcome.suggested else None,
        },
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
    """Write the suggestion to the scorecard's measures, all or none: the weights, and where
    the suggestion changes a measure's scoring (a direction turned around, thresholds placed
    from the distribution, a log scale), its method, bad and good values or bands.

    Refused when the scorecard changed since the backtest (a measure added, removed,
    reweighted or rescored): the figures the leader reviewed would no longer describe what is
    applied. Measure and scorecard history record who changed them.
    """
    locked = _locked(suggestion)
    card = Scorecard.objects.select_for_update().get(pk=locked.scorecard_id)
    measures = {m.pk: m for m in Measure.objects.filter(scorecard=card)}
    rows = locked.weights

    def same(a: float | None, b: float | None) -> bool:
        return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))

    changed = set(measures) != {r["measure_id"] for r in rows}
    for r in [] if changed else rows:
        measure = measures[r["measure_id"]]
        changed |= not math.isclose(measure.weight, r["current"])
        # A row that rescores its measure says how the measure was scored (older rows,
        # weights only, do not).
        if r.get("new_method") is not None or r.get("new_bands") is not None:
            changed |= not (
                measure.method == r["method"] and same(measure.bad_value, r["bad"])
                and same(measure.good_value, r["good"]) and list(measure.bands or []) == r["bands"]
            )
    if changed:
        raise ValidationError(
            {"weights": "The scorecard's measures changed since this backtest: run it again."}
        )
    for r in rows:
        measure = measures[r["measure_id"]]
        measure.weight = r["applied"]
        fields = ["weight"]
        if r.get("new_method") is not None:
            measure.method, measure.bad_value, measure.good_value = (
                r["new_method"], r["new_bad"], r["new_good"]
            )
            measure.reverse_direction = bool(r.get("new_reverse"))
            fields += ["method", "bad_value", "good_value", "reverse_direction"]
        if r.get("new_bands") is not None:
            measure.bands = r["new_bands"]
            fields.append("bands")
        measure._history_user = by  # type: ignore[attr-defined]
        measure.full_clean()
        measure.save(update_fields=fields)
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
