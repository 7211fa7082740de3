"""The backtest and the suggested weights on a synthetic book where churn is known to depend
on usage (cairn.health.trust.synthetic, seeded): out of time by default, with intervals and
the figures of each test date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.health.actions import ensure_default_scorecard
from cairn.health.models import ManualRating
from cairn.health.trust import backtest, figures, suggest
from cairn.health.trust.actions import evaluate, run_report
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.observe import NEW_ACCOUNT_DAYS, card_and_accounts, observe
from cairn.health.trust.synthetic import Book, make_book, make_scorecard
from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

LEAD = 60


@pytest.fixture
def analytics(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return settings.ANALYTICS_DIR


@pytest.fixture
def book(analytics, db) -> Book:  # type: ignore[no-untyped-def]
    return make_book(lead_days=LEAD)


def _days(days: np.ndarray) -> set[dt.date]:
    return {dt.date.fromordinal(int(d)) for d in np.unique(days)}


# --- the split ----------------------------------------------------------------------------


WEEKS = [dt.date(2025, 1, 6) + dt.timedelta(weeks=k) for k in range(30)]
AS_OF = WEEKS[-1] + dt.timedelta(days=LEAD)


def test_by_default_the_last_third_is_tested_and_training_ends_a_lead_window_before() -> None:
    split = backtest.choose_split(WEEKS, lead_days=LEAD, as_of=AS_OF)
    assert split.test_dates == WEEKS[20:]
    assert split.test_from == WEEKS[20] and split.test_until == WEEKS[29]
    assert split.train_from == WEEKS[0]
    assert split.train_dates == [d for d in WEEKS if d + dt.timedelta(days=LEAD) <= WEEKS[20]]
    assert split.train_until == WEEKS[11]


def test_chosen_dates_are_kept_and_the_rest_default_around_them() -> None:
    split = backtest.choose_split(
        WEEKS, lead_days=LEAD, as_of=AS_OF, test_from=WEEKS[15], test_until=WEEKS[18]
    )
    assert split.test_dates == WEEKS[15:19]
    assert split.train_dates == WEEKS[:7]  # 7 Jan + 6 weeks + 60 days <= WEEKS[15]


@pytest.mark.parametrize(
    ("dates", "field", "words"),
    [
        ({"train_until": WEEKS[15]}, "train_until", "a training date's churn window reaches into the test period"),
        ({"train_from": WEEKS[18], "test_from": WEEKS[20]}, "train_from",
         "a training date's churn window reaches into the test period"),
        ({"test_until": AS_OF - dt.timedelta(days=10)}, "test_until", "the test period must end by 2025-07-28"),
        ({"test_from": WEEKS[25], "test_until": WEEKS[22]}, "test_from", "must start on or before its end"),
        ({"train_from": WEEKS[8], "train_until": WEEKS[4]}, "train_from", "must start on or before its end"),
    ],
)
def test_a_split_that_cannot_be_used_is_refused_naming_the_field(
    dates: dict[str, dt.date], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        backtest.choose_split(WEEKS, lead_days=LEAD, as_of=AS_OF, **dates)
    assert list(refused.value.message_dict) == [field]
    assert words in refused.value.message_dict[field][0]


def test_the_action_refuses_a_training_period_whose_churn_reaches_the_tests(book: Book) -> None:
    card = make_scorecard(book)
    with pytest.raises(ValidationError) as refused:
        run_report(
            card, lead_days=LEAD, as_of=book.as_of, by=None,
            train_until=book.dates[18], test_from=book.dates[20],
        )
    assert "a training date's churn window reaches into the test period" in refused.value.message_dict["train_until"][0]
    assert not WeightSuggestion.objects.exists()


def test_an_as_of_date_after_today_is_refused(book: Book) -> None:
    with pytest.raises(ValidationError) as refused:
        evaluate(make_scorecard(book), lead_days=LEAD, as_of=timezone.localdate() + dt.timedelta(days=1))
    assert "cannot be after today" in refused.value.message_dict["as_of"][0]


def test_the_database_refuses_a_stored_split_that_breaks_the_lead_rule(book: Book) -> None:
    row = WeightSuggestion(
        scorecard=make_scorecard(book), lead_days=LEAD, as_of=book.as_of,
        train_from=book.dates[0], train_until=book.dates[18],
        test_from=book.dates[20], test_until=book.dates[29],
    )
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "reaches into the test period" in refused.value.message_dict["train_until"][0]
    row.train_until = book.dates[22]
    with pytest.raises(ValidationError, match="must end before the test period starts"):
        row.validate_constraints()


# --- the figures --------------------------------------------------------------------------


def test_the_backtest_ranks_accounts_whose_usage_falls_as_risky_on_the_test_dates(book: Book) -> None:
    report = evaluate(make_scorecard(book), lead_days=LEAD, as_of=book.as_of).report
    assert report.enough and report.message == ""
    assert report.split.test_dates == book.dates[20:]
    test = report.test
    assert test is not None and not test.in_sample and test.warning == ""
    assert test.auc is not None and test.auc > 0.7
    assert test.lift is not None and test.lift > 1.5
    assert test.dates == 10 and test.first_date == book.dates[20] and test.last_date == book.dates[29]
    assert report.churn_events > 0
    assert report.churn_observations >= report.churn_events
    assert report.observations > report.accounts
    assert len(test.tenths) == 10 and test.tenths[0] == test.lift
    assert test.roc[0] == (0.0, 0.0) and test.roc[-1] == (1.0, 1.0)
    # One row of figures per test date, which add up to the pooled counts.
    assert [d.day for d in test.per_date] == book.dates[20:]
    assert sum(d.observations for d in test.per_date) == report.observations
    assert sum(d.churns for d in test.per_date) == report.churn_observations
    assert all(d.auc is None or 0 <= d.auc <= 1 for d in test.per_date)
    # The pooled figures lie within their intervals.
    assert test.auc_ci is not None and test.auc_ci[0] <= test.auc <= test.auc_ci[1]
    assert test.lift_ci is not None and test.lift_ci[0] <= test.lift <= test.lift_ci[1]
    # The training dates' figures are there to compare, and the current weights were fitted on
    # nothing, so they are not in-sample either.
    assert report.train is not None and not report.train.in_sample
    assert report.train.last_date == book.dates[11]


def test_the_default_figures_come_from_the_test_dates_only(book: Book) -> None:
    # Usage says nothing about churn on the test dates: random values replace it there.
    rng = np.random.default_rng(3)
    for day in book.dates[20:]:
        path = series_path("usage-change", day)
        table = pq.read_table(path)
        noise = pa.array(rng.normal(0.0, 0.3, table.num_rows), pa.float64())
        write_series_file(pa.table([table["account_id"], table["observed_on"], noise], schema=SERIES_SCHEMA), path)
    card = make_scorecard(book, usage_weight=90, noise_weight=10)
    report = evaluate(card, lead_days=LEAD, as_of=book.as_of).report
    assert report.test is not None and report.train is not None
    assert report.train.auc is not None and report.train.auc > 0.7
    assert report.test.auc is not None and report.test.auc < 0.62
    spec, ids = card_and_accounts(card)
    obs = observe(spec, ids, lead_days=LEAD, as_of=book.as_of)
    tested = np.isin(obs.days, [d.toordinal() for d in book.dates[20:]])
    assert report.observations == int(tested.sum())
    assert report.test.auc == backtest.auc(obs.churned[tested], 100 - obs.scores[tested])


def test_the_interval_holds_the_estimate_and_narrows_with_more_accounts() -> None:
    rng = np.random.default_rng(11)

    def book_of(accounts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ids = np.repeat(np.arange(accounts), 6)  # each account on six dates
        frailty = np.repeat(rng.normal(0, 1, accounts), 6)
        risk = frailty + rng.normal(0, 0.7, len(ids))
        churned = rng.random(len(ids)) < 1 / (1 + np.exp(2.5 - frailty))
        return churned, risk, ids

    widths = []
    for accounts in (150, 1500):
        churned, risk, ids = book_of(accounts)
        auc_ci, lift_ci = figures.bootstrap(churned, risk, ids)
        point, lift = backtest.auc(churned, risk), backtest.tenth_lifts(churned, risk)[0]
        assert auc_ci is not None and lift_ci is not None and point is not None
        assert auc_ci[0] <= point <= auc_ci[1] and lift_ci[0] <= lift <= lift_ci[1]
        widths.append((auc_ci[1] - auc_ci[0], lift_ci[1] - lift_ci[0]))
        # A fixed seed: the same interval on every run.
        assert figures.bootstrap(churned, risk, ids) == (auc_ci, lift_ci)
    assert widths[1][0] < widths[0][0] / 2 and widths[1][1] < widths[0][1] / 2


def test_the_bootstrap_weighs_as_the_point_figures_do() -> None:
    rng = np.random.default_rng(2)
    churned = rng.random(500) < 0.2
    risk = np.round(rng.normal(0, 1, 500) + churned, 1)  # rounded: many ties
    ranked = figures._Ranked(churned, risk, np.arange(500))
    auc, lift = ranked.figures(np.ones(500))
    assert auc == pytest.approx(backtest.auc(churned, risk), abs=1e-4)
    assert lift == pytest.approx(backtest.tenth_lifts(churned, risk)[0], abs=1e-3)


def test_random_scores_rank_churn_no_better_than_chance(book: Book) -> None:
    report = evaluate(make_scorecard(book, with_usage=False), lead_days=LEAD, as_of=book.as_of).report
    assert report.enough
    assert report.auc is not None and 0.38 < report.auc < 0.62
    assert report.lift is not None and 0.5 < report.lift < 1.5


def test_a_book_without_churn_is_not_enough_data(analytics, db) -> None:  # type: ignore[no-untyped-def]
    book = make_book(lead_days=LEAD, churn=False)
    # Every subscription runs past the as-of date: none lapsed either.
    Subscription.objects.update(end_date=book.as_of + dt.timedelta(days=365))
    outcome = evaluate(make_scorecard(book), lead_days=LEAD, as_of=book.as_of)
    assert not outcome.report.enough
    assert outcome.report.auc is None and outcome.report.lift is None
    assert outcome.report.churn_events == 0
    assert outcome.report.message.startswith("Not enough data: 0 churn events within 60 days of a date in the test period")
    assert not outcome.suggestion.fitted
    assert [r.suggested for r in outcome.suggestion.rows] == [r.current for r in outcome.suggestion.rows]


def test_too_few_observations_is_not_enough_data(analytics, db) -> None:  # type: ignore[no-untyped-def]
    book = make_book(accounts=4, weeks=5, lead_days=LEAD)
    report = evaluate(make_scorecard(book), lead_days=LEAD, as_of=book.as_of).report
    assert not report.enough
    assert "the backtest needs 30" in report.message
    assert report.observations <= 20


def test_a_card_whose_measures_have_no_history_says_so(book: Book) -> None:
    # The standard card on a book with usage data but no usage metric it knows: ratings,
    # NPS and tickets only, none recorded on a past date.
    card = ensure_default_scorecard()
    report = evaluate(card, lead_days=LEAD, as_of=book.as_of).report
    assert not report.enough
    assert report.message.startswith(
        "Not enough data. None of Standard health's measures has a history the backtest can replay"
    )
    assert "add a metric measure, or start a scorecard from the usage metrics on this page" in report.message.lower()


def test_dates_whose_lead_window_has_not_passed_are_left_out(book: Book) -> None:
    as_of = book.as_of - dt.timedelta(weeks=5)
    report = evaluate(make_scorecard(book), lead_days=LEAD, as_of=as_of).report
    assert report.split.test_dates == book.dates[16:25]
    assert report.split.test_until is not None and report.split.test_until + dt.timedelta(days=LEAD) <= as_of


def test_new_accounts_are_left_out_unless_asked_for(book: Book) -> None:
    card = make_scorecard(book)
    paid = book.dates[22] - dt.timedelta(days=30)
    young, trialled = book.accounts[:40], book.accounts[40:50]
    Subscription.objects.filter(account_id__in=young + trialled, end_date__gte=paid).update(start_date=paid)
    Subscription.objects.filter(account_id__in=young + trialled, end_date__lt=paid).delete()
    # A trial long before is not a paying start: these accounts are new as well.
    product = Subscription.objects.first().product  # type: ignore[union-attr]
    Subscription.objects.bulk_create(
        Subscription(account_id=pk, product=product, start_date=book.dates[0] - dt.timedelta(days=365),
                     end_date=paid - dt.timedelta(days=1), status=SubscriptionStatus.TRIAL)
        for pk in trialled
    )
    spec, ids = card_and_accounts(card)
    left_out = observe(spec, ids, lead_days=LEAD, as_of=book.as_of)
    included = observe(spec, ids, lead_days=LEAD, as_of=book.as_of, include_new=True)
    new = np.isin(included.account_ids, young + trialled)
    on = included.days - paid.toordinal()
    young_rows = new & (on < NEW_ACCOUNT_DAYS)
    assert young_rows.sum() > 0
    assert len(included) - len(left_out) == int(young_rows.sum()) == left_out.new_left_out
    assert not np.isin(left_out.account_ids, young + trialled).any()
    # The report says how many the test dates left out, and counts them when asked.
    default = evaluate(card, lead_days=LEAD, as_of=book.as_of).report
    with_new = evaluate(card, lead_days=LEAD, as_of=book.as_of, include_new=True).report
    assert default.new_left_out > 0 and with_new.new_left_out == 0
    assert with_new.observations == default.observations + default.new_left_out


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


# --- the suggestion -----------------------------------------------------------------------


def test_the_suggestion_is_fitted_on_the_training_dates_and_measured_on_the_test_dates(book: Book) -> None:
    outcome = evaluate(make_scorecard(book, usage_weight=30, noise_weight=70), lead_days=LEAD, as_of=book.as_of)
    s = outcome.suggestion
    rows = {r.name: r for r in s.rows}
    assert s.fitted
    assert rows["Usage change"].suggested > 3 * rows["Noise"].suggested
    assert rows["Usage change"].coefficient is not None and rows["Usage change"].coefficient < 0
    # The fitted measures share the weight they have now; the rating nobody gave keeps its own.
    assert rows["Usage change"].suggested + rows["Noise"].suggested == pytest.approx(100, abs=0.2)
    assert rows["Sponsorship"].suggested == 20 and rows["Sponsorship"].note == suggest.NO_HISTORY
    judged = outcome.suggested
    assert judged is not None
    assert [d.day for d in judged.test.per_date] == book.dates[20:]
    assert not judged.test.in_sample
    assert judged.test.auc is not None and outcome.report.auc is not None
    assert judged.test.auc > outcome.report.auc
    # The training dates the fit saw: flagged, with the warning.
    assert judged.train is not None and judged.train.in_sample and "In-sample" in judged.train.warning
    assert judged.train.last_date is not None and judged.train.last_date <= book.dates[11]


def test_figures_on_dates_the_applied_fit_saw_are_flagged_in_sample(book: Book) -> None:
    card = make_scorecard(book, usage_weight=30, noise_weight=70)
    row = run_report(card, lead_days=LEAD, as_of=book.as_of, by=None)
    WeightSuggestion.objects.filter(pk=row.pk).update(status=SuggestionStatus.APPLIED, applied_at=timezone.now())
    # The default split again: its tests start after the fit's churn window closed.
    assert not evaluate(card, lead_days=LEAD, as_of=book.as_of).report.in_sample
    # Testing on the dates the fit saw flatters the weights, and says so.
    report = evaluate(
        card, lead_days=LEAD, as_of=book.as_of, test_from=book.dates[9], test_until=book.dates[16]
    ).report
    assert report.in_sample and report.test is not None
    assert report.test.warning.startswith("In-sample: the current weights were applied")
    assert report.as_json()["in_sample"] is True


def test_tied_scores_share_their_churns_so_every_tenth_has_the_average_rate() -> None:
    churned = np.array([True] * 10 + [False] * 90)
    assert backtest.tenth_lifts(churned, np.full(100, 50.0)) == [1.0] * 10
    # Sorted by risk, the churns in front: all of them in the riskiest tenth.
    assert backtest.tenth_lifts(churned, np.arange(100, 0, -1).astype(float))[0] == 10.0
