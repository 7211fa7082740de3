"""`cairn trust report` and `cairn trust suggest`: the same figures as the page, out of time,
and a non-zero exit that says why when the backtest cannot run or has too little data."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cairn.customers.models import Subscription
from cairn.health.actions import ensure_default_scorecard
from cairn.health.models import Scorecard
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.synthetic import Book, make_book, make_scorecard

LEAD = 60
WITH_INTERVAL = r"(\d\.\d\d) \((\d\.\d\d)–(\d\.\d\d)\)"


@pytest.fixture
def book(settings, tmp_path, db) -> Book:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return make_book(accounts=200, weeks=21, lead_days=LEAD)


def trust(*args: str) -> str:
    out = StringIO()
    call_command("trust", *args, stdout=out)
    return out.getvalue()


def test_report_prints_out_of_time_figures_with_intervals_and_each_test_date(book: Book) -> None:
    make_scorecard(book)
    out = trust("report", "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat())
    assert "Backtest of Synthetic health: churn within 60 days" in out
    # 21 dates: the last 7 are tested, and training ends 60 days before the first of them.
    assert f"test dates: 7 from {book.dates[14]} to {book.dates[20]}" in out
    assert f"training dates: 6 from {book.dates[0]} to {book.dates[5]}" in out
    assert "Out of time, test dates only (7 dates" in out
    auc = re.search(r"AUC of \(100 - score\): " + WITH_INTERVAL, out)
    lift = re.search(r"lift of the riskiest tenth: " + WITH_INTERVAL, out)
    assert auc is not None and lift is not None
    low, point, high = float(auc[2]), float(auc[1]), float(auc[3])
    assert low <= point <= high and point > 0.7
    assert float(lift[1]) > 1.5
    per_date = out.split("per test date:")[1]
    for day in book.dates[14:]:
        assert day.isoformat() in per_date
    assert "in-sample" not in out.lower()
    assert not WeightSuggestion.objects.exists()


def test_report_takes_the_split_dates_and_new_accounts(book: Book) -> None:
    make_scorecard(book)
    out = trust(
        "report", "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat(),
        "--train-from", book.dates[1].isoformat(), "--train-until", book.dates[4].isoformat(),
        "--test-from", book.dates[15].isoformat(), "--test-until", book.dates[18].isoformat(),
        "--include-new",
    )
    assert f"test dates: 4 from {book.dates[15]} to {book.dates[18]}" in out
    assert f"training dates: 4 from {book.dates[1]} to {book.dates[4]}" in out
    assert "new accounts: included" in out


def test_suggest_keeps_the_suggestion_and_labels_its_in_sample_figures(book: Book) -> None:
    card = make_scorecard(book, usage_weight=30, noise_weight=70)
    out = trust("suggest", "--scorecard", "synthetic HEALTH", "--lead-days", str(LEAD),
                "--as-of", book.as_of.isoformat())
    row = WeightSuggestion.objects.get()
    assert row.scorecard == card and row.status == SuggestionStatus.PENDING and row.created_by is None
    assert (row.train_from, row.train_until) == (book.dates[0], book.dates[5])
    assert (row.test_from, row.test_until) == (book.dates[14], book.dates[20])
    assert row.include_new is False
    assert "Suggested weights, fitted on the training dates only:" in out
    assert re.search(r"out of time, test dates: AUC " + WITH_INTERVAL, out)
    assert "IN-SAMPLE, training dates: AUC" in out and "WARNING In-sample: the suggested weights" in out
    assert "Usage change" in out and "Noise" in out and f"Suggestion {row.pk} waits" in out
    assert f"AUC of (100 - score): {row.report['auc']:.2f}" in out


def test_report_exits_non_zero_when_nobody_churned(settings, tmp_path, db) -> None:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    book = make_book(accounts=50, weeks=6, lead_days=LEAD, churn=False)
    Subscription.objects.update(end_date=book.as_of + dt.timedelta(days=365))
    card = make_scorecard(book)
    with pytest.raises(CommandError, match="Not enough data: 0 churn events"):
        trust("report", "--scorecard", str(card.pk), "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat())
    with pytest.raises(CommandError, match="Not enough data: 0 churn events"):
        trust("suggest", "--scorecard", str(card.pk), "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat())
    assert not WeightSuggestion.objects.exists()


def test_report_on_the_ratings_only_default_card_exits_non_zero_saying_why(book: Book) -> None:
    ensure_default_scorecard()
    with pytest.raises(CommandError) as failed:
        trust("report", "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat())
    assert "None of Standard health's measures has a history the backtest can replay" in str(failed.value)
    assert "add a metric measure" in str(failed.value).lower()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--train-until", "2025-04-07", "--test-from", "2025-04-21"],
         "--train-until: With a 60-day lead, a training date's churn window reaches into the test period"),
        (["--test-until", "2025-09-01"], "--test-until: With a 60-day lead the test period must end by"),
        (["--test-from", "2025-05-26", "--test-until", "2025-05-05"], "--test-from: The test period must start"),
        (["--test-from", "soon"], "--test-from: 'soon' is not a date like 2026-03-31"),
        (["--train-from", "1066-10-14"], "--train-from: '1066-10-14': Enter a date between 1970-01-01"),
    ],
)
def test_a_split_that_cannot_be_used_is_refused_naming_the_option(
    book: Book, args: list[str], error: str
) -> None:
    make_scorecard(book)
    with pytest.raises(CommandError, match=re.escape(error)):
        trust("suggest", "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat(), *args)
    assert not WeightSuggestion.objects.exists()


def test_an_as_of_date_after_today_is_refused(book: Book) -> None:
    make_scorecard(book)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CommandError, match="--as-of: The as-of date cannot be after today"):
        trust("report", "--as-of", tomorrow.isoformat())


def test_an_unknown_scorecard_is_named_in_the_error(db) -> None:  # type: ignore[no-untyped-def]
    Scorecard.objects.create(name="Enterprise", is_default=True)
    with pytest.raises(CommandError, match=r"--scorecard: no scorecard 'Nope' \(there are: \d+ Enterprise\)"):
        trust("report", "--scorecard", "Nope")


def test_without_a_default_scorecard_the_error_asks_for_one(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--scorecard: there is no default scorecard"):
        trust("report")


def test_a_bad_lead_window_is_refused_naming_the_option(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--lead-days: '0' is not a number of days"):
        trust("report", "--lead-days", "0")
