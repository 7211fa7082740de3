"""`cairn trust report` and `cairn trust suggest`: the same figures as the page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cairn.health.models import Scorecard
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.synthetic import Book, make_book, make_scorecard

LEAD = 60


@pytest.fixture
def book(settings, tmp_path, db) -> Book:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return make_book(accounts=200, weeks=20, lead_days=LEAD)


def trust(*args: str) -> str:
    out = StringIO()
    call_command("trust", *args, stdout=out)
    return out.getvalue()


def test_report_prints_the_auc_the_lift_and_the_counts_and_stores_nothing(book: Book) -> None:
    make_scorecard(book)
    out = trust("report", "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat())
    assert "Backtest of Synthetic health: churn within 60 days" in out
    assert "accounts 200, observations" in out and "on 20 dates" in out
    auc = float(out.split("AUC of (100 - score): ")[1].split()[0])
    lift = float(out.split("lift of the riskiest tenth: ")[1].split()[0])
    assert auc > 0.7 and lift > 1.5
    assert not WeightSuggestion.objects.exists()


def test_suggest_keeps_the_suggestion_for_a_leader_to_review(book: Book) -> None:
    card = make_scorecard(book, usage_weight=30, noise_weight=70)
    out = trust("suggest", "--scorecard", "synthetic HEALTH", "--lead-days", str(LEAD),
                "--as-of", book.as_of.isoformat())
    row = WeightSuggestion.objects.get()
    assert row.scorecard == card and row.status == SuggestionStatus.PENDING and row.created_by is None
    assert "AUC current" in out and "suggested" in out
    assert "Usage change" in out and "Noise" in out and f"Suggestion {row.pk} waits" in out
    assert f"AUC of (100 - score): {row.report['auc']:.2f}" in out


def test_report_says_not_enough_data_when_nobody_churned(settings, tmp_path, db) -> None:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    book = make_book(accounts=50, weeks=6, lead_days=LEAD, churn=False)
    card = make_scorecard(book)
    out = trust("report", "--scorecard", str(card.pk), "--lead-days", str(LEAD), "--as-of", book.as_of.isoformat())
    assert "Not enough data: 0 churn events" in out
    assert "AUC" not in out


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
