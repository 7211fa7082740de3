"""Score history replayed from the metric series for the dates before scoring started."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from cairn.health import history
from cairn.health.actions import backfill_history, recompute_scores
from cairn.health.models import AccountHealth, HealthAlert, ScoreDate
from cairn.health.trust.observe import card_and_accounts, observe
from cairn.health.trust.synthetic import Book, make_book, make_scorecard
from cairn.metrics.models import MetricValue


@pytest.fixture
def book(settings, tmp_path, db) -> Book:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return make_book(accounts=40, weeks=8, lead_days=30, seed=3)


def _history(day: dt.date) -> dict[int, float | None]:
    date = ScoreDate.objects.filter(scored_on=day).first()
    if date is None:
        return {}
    ids, scores = history.scores_on(date)
    return {int(a): None if np.isnan(s) else float(s) for a, s in zip(ids, scores, strict=True)}


def _rows() -> int:
    return sum(d.accounts for d in history.dates())


def _dates() -> list[dt.date]:
    return [d.scored_on for d in history.dates()]


def test_every_grid_date_is_scored_as_the_backtest_scores_it(book: Book) -> None:
    card = make_scorecard(book)

    done = backfill_history(until=book.dates[-1])

    assert done.dates == book.dates and done.history_started is None
    assert done.rows == 40 * 8 == _rows()
    # The same scores the trust backtest computes from the same series, date by date.
    spec, ids = card_and_accounts(card)
    seen = observe(spec, ids, lead_days=0, as_of=book.dates[-1])
    for account_id, day, score in zip(seen.account_ids, seen.days, seen.scores, strict=True):
        stored = _history(dt.date.fromordinal(int(day)))[int(account_id)]
        assert stored == pytest.approx(score)
    # Explanations are stored as for any recompute, and nobody was alerted about the past.
    sample = history.stored(book.accounts[0], book.dates[-1])
    assert sample is not None and len(sample.explanation["points"]) == 3
    assert not HealthAlert.objects.exists() and not AccountHealth.objects.exists()


def test_only_dates_before_the_first_score_are_filled_and_nothing_is_overwritten(book: Book) -> None:
    make_scorecard(book)
    scored_on = book.dates[5]
    MetricValue.objects.bulk_create(
        MetricValue(account_id=pk, metric=book.usage, value=0.1, observed_on=scored_on,
                    computed_at=timezone.now())
        for pk in book.accounts
    )
    recompute_scores(scored_on)
    before = {d: _history(d) for d in book.dates[5:]}

    done = backfill_history(until=book.dates[-1])

    assert done.dates == book.dates[:5] and done.history_started == scored_on
    assert {d: _history(d) for d in book.dates[5:]} == before
    assert _dates() == book.dates[:6]


def test_a_second_run_has_nothing_left_to_fill(book: Book) -> None:
    make_scorecard(book)
    backfill_history(until=book.dates[3])
    first = _rows()

    again = backfill_history(until=book.dates[-1])

    # The history now starts on the first grid date: nothing before it is missing.
    assert again.dates == [] and _rows() == first == 40 * 4


def test_the_next_recompute_measures_its_change_against_the_backfilled_history(book: Book) -> None:
    make_scorecard(book)
    backfill_history(until=book.dates[-1])
    today = book.dates[-1] + dt.timedelta(days=1)
    MetricValue.objects.bulk_create(
        MetricValue(account_id=pk, metric=book.usage, value=-0.5, observed_on=today,
                    computed_at=timezone.now())
        for pk in book.accounts
    )

    recompute_scores(today)

    # Thirty days before is between two weekly grid dates: the earlier one counts.
    month_ago = _history(book.dates[-6])
    compared = 0
    for health in AccountHealth.objects.all():
        old = month_ago.get(health.account_id)
        if old is None or health.score is None:
            continue
        assert health.change_30d == pytest.approx(round(health.score - old, 1))
        compared += 1
    assert compared > 20


def test_the_cli_reports_what_it_filled(book: Book) -> None:
    make_scorecard(book)
    out = StringIO()

    call_command("health", "backfill", "--since", book.dates[2].isoformat(),
                 "--until", book.dates[-1].isoformat(), stdout=out)

    assert out.getvalue().startswith(
        f"Scored 6 past dates, {book.dates[2]:%Y-%m-%d} to {book.dates[-1]:%Y-%m-%d}: 240 score rows"
    )
    out = StringIO()
    call_command("health", "backfill", "--until", book.dates[1].isoformat(), stdout=out)
    assert "Scored 2 past dates" in out.getvalue()
    assert "The history already starts on" in out.getvalue()
    out = StringIO()
    call_command("health", "backfill", stdout=out)
    assert out.getvalue().startswith("Nothing to fill")
    assert np.isin(book.dates, _dates()).all()
