"""The backtest and the suggested weights on a synthetic book where churn is known to depend
on usage (cairn.health.trust.synthetic, seeded)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cairn.customers.models import Account, Subscription
from cairn.health.models import ManualRating, Measure
from cairn.health.trust import backtest, suggest
from cairn.health.trust.actions import evaluate
from cairn.health.trust.observe import card_and_accounts, observe
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
    report = evaluate(make_scorecard(book), lead_days=LEAD, as_of=book.as_of).report
    assert report.enough and report.message == ""
    assert report.auc is not None and report.auc > 0.7
    assert report.lift is not None and report.lift > 1.5
    assert report.accounts == 300
    assert report.dates == 30
    assert 0 < report.churn_events <= book.churned
    assert report.churn_observations >= report.churn_events
    assert report.observations > report.accounts
    assert len(report.tenths) == 10 and report.tenths[0] == report.lift
    assert report.roc[0] == (0.0, 0.0) and report.roc[-1] == (1.0, 1.0)


def test_random_scores_rank_churn_no_better_than_chance(book: Book) -> None:
    report = evaluate(make_scorecard(book, with_usage=False), lead_days=LEAD, as_of=book.as_of).report
    assert report.enough
    assert report.auc is not None and 0.42 < report.auc < 0.58
    assert report.lift is not None and 0.6 < report.lift < 1.4


def test_a_book_without_churn_is_not_enough_data(analytics, db) -> None:  # type: ignore[no-untyped-def]
    book = make_book(lead_days=LEAD, churn=False)
    outcome = evaluate(make_scorecard(book), lead_days=LEAD, as_of=book.as_of)
    assert not outcome.report.enough
    assert outcome.report.auc is None and outcome.report.lift is None
    assert outcome.report.churn_events == 0
    assert outcome.report.message.startswith("Not enough data: 0 churn events within 60 days")
    assert not outcome.suggestion.fitted
    assert [r.suggested for r in outcome.suggestion.rows] == [r.current for r in outcome.suggestion.rows]


def test_too_few_observations_is_not_enough_data(analytics, db) -> None:  # type: ignore[no-untyped-def]
    book = make_book(accounts=4, weeks=5, lead_days=LEAD)
    report = evaluate(make_scorecard(book), lead_days=LEAD, as_of=book.as_of).report
    assert not report.enough
    assert "the backtest needs 30" in report.message
    assert report.observations <= 20


def test_dates_whose_lead_window_has_not_passed_are_left_out(book: Book) -> None:
    as_of = book.as_of - dt.timedelta(weeks=5)
    report = evaluate(make_scorecard(book), lead_days=LEAD, as_of=as_of).report
    assert report.dates == 25
    assert report.last_date is not None and report.last_date + dt.timedelta(days=LEAD) <= as_of


def test_a_rating_counts_only_from_the_day_it_was_given_until_it_expires(book: Book) -> None:
    card = make_scorecard(book)
    account = Account.objects.get(pk=book.accounts[0])
    ManualRating.objects.create(
        account=account, indicator="sponsorship", rating="green", comment="Champion in place",
        rated_on=book.dates[10], expires_on=book.dates[15],
    )
    spec, ids = card_and_accounts(card)
    obs = observe(spec, ids, lead_days=LEAD, as_of=book.as_of)
    sponsorship = [m.name for m in spec.measures].index("Sponsorship")
    mine = obs.account_ids == account.pk
    rated = {
        dt.date.fromordinal(int(d)): p
        for d, p in zip(obs.days[mine], obs.points[mine, sponsorship], strict=True)
    }
    assert np.isnan(rated[book.dates[9]])
    assert rated[book.dates[10]] == 100.0
    assert rated[book.dates[15]] == 100.0
    assert np.isnan(rated.get(book.dates[16], np.nan))


def test_an_account_that_churned_is_not_observed_after_it_left(book: Book) -> None:
    card = make_scorecard(book)
    spec, ids = card_and_accounts(card)
    obs = observe(spec, ids, lead_days=LEAD, as_of=book.as_of)
    gone = Subscription.objects.filter(status="churned").order_by("end_date").first()
    assert gone is not None
    seen = obs.days[obs.account_ids == gone.account_id]
    assert seen.size and seen.max() < gone.end_date.toordinal()
    labels = obs.churned[obs.account_ids == gone.account_id]
    assert labels[-1]


def test_the_suggestion_weighs_usage_above_noise(book: Book) -> None:
    outcome = evaluate(make_scorecard(book, usage_weight=30, noise_weight=70), lead_days=LEAD, as_of=book.as_of)
    s = outcome.suggestion
    rows = {r.name: r for r in s.rows}
    assert s.fitted
    assert rows["Usage change"].suggested > 3 * rows["Noise"].suggested
    assert rows["Usage change"].coefficient is not None and rows["Usage change"].coefficient < 0
    # The fitted measures share the weight they have now; the rating nobody gave keeps its own.
    assert rows["Usage change"].suggested + rows["Noise"].suggested == pytest.approx(100, abs=0.2)
    assert rows["Sponsorship"].suggested == 20 and rows["Sponsorship"].note == suggest.NO_HISTORY
    assert s.cv_folds >= 2 and s.cv_observations > 0
    assert s.cv_auc_current is not None and s.cv_auc_suggested is not None
    assert s.cv_auc_suggested > s.cv_auc_current


def test_a_measure_that_rises_with_churn_gets_weight_zero(book: Book) -> None:
    card = make_scorecard(book)
    # Reversed thresholds: falling usage earns points, so more points go with more churn.
    Measure.objects.filter(scorecard=card, name="Noise").update(
        metric=book.usage, bad_value=0.2, good_value=-0.5, name="Usage fall"
    )
    rows = {r.name: r for r in evaluate(card, lead_days=LEAD, as_of=book.as_of).suggestion.rows}
    assert rows["Usage fall"].suggested == 0
    assert rows["Usage fall"].note == suggest.WRONG_SIGN
    assert rows["Usage fall"].applied == suggest.MIN_WEIGHT
    assert rows["Usage change"].suggested > 0


def test_tied_scores_share_their_churns_so_every_tenth_has_the_average_rate() -> None:
    churned = np.array([True] * 10 + [False] * 90)
    assert backtest.tenth_lifts(churned, np.full(100, 50.0)) == [1.0] * 10
    # Sorted by risk, the churns in front: all of them in the riskiest tenth.
    assert backtest.tenth_lifts(churned, np.arange(100, 0, -1).astype(float))[0] == 10.0
