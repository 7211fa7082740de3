"""The backtest on a synthetic book where churn is known to depend on usage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cairn.health.models import Scorecard
from cairn.health.trust import backtest
from cairn.health.trust.actions import evaluate
from cairn.health.trust.synthetic import Book, make_book, make_scorecard

LEAD = 60


@pytest.fixture
def analytics(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return settings.ANALYTICS_DIR


@pytest.fixture
def book(analytics, db) -> Book:  # type: ignore[no-untyped-def]
    return make_book(lead_days=LEAD)


def test_the_backtest_ranks_accounts_whose_usage_falls_as_risky(book: Book) -> None:
    card = make_scorecard(book)
    outcome = evaluate(card, lead_days=LEAD, as_of=book.as_of)
    report = outcome.report
    print(report, outcome.suggestion)
    assert report.enough
    assert report.auc is not None and report.auc > 0.7
    assert report.lift is not None and report.lift > 1.5
