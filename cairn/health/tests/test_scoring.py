"""The score's properties, for any weights and points (hypothesis), and worked examples."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.health.scoring import (
    Band,
    CardSpec,
    Line,
    MeasureSpec,
    Observation,
    band_points,
    combine,
    linear_points,
    nps,
    score_account,
)

weights = st.floats(min_value=0.01, max_value=1000, allow_nan=False)
points = st.floats(min_value=0, max_value=100, allow_nan=False)
maybe_points = st.one_of(st.none(), points)


def lines(pairs: list[tuple[float, float | None]]) -> list[Line]:
    return [Line(str(i), f"m{i}", "nps", None, p, w) for i, (w, p) in enumerate(pairs)]


@given(st.lists(st.tuples(weights, maybe_points), min_size=1, max_size=12))
def test_a_score_is_always_between_0_and_100_or_absent(pairs):
    score = combine(lines(pairs)).score
    if all(p is None for _, p in pairs):
        assert score is None
    else:
        assert score is not None and 0 <= score <= 100


@given(
    st.lists(st.tuples(weights, maybe_points), max_size=10), weights, points, points, st.data()
)
def test_raising_any_measures_points_never_lowers_the_score(others, weight, a, b, data):
    low, high = sorted((a, b))
    at = data.draw(st.integers(0, len(others)))
    before = [*others[:at], (weight, low), *others[at:]]
    after = [*others[:at], (weight, high), *others[at:]]
    score_low, score_high = combine(lines(before)).score, combine(lines(after)).score
    assert score_low is not None and score_high is not None
    assert score_high >= score_low


@given(st.lists(st.tuples(weights, points), min_size=1, max_size=8), weights)
def test_a_missing_measure_shares_its_weight_instead_of_counting_as_zero(pairs, weight):
    present = combine(lines(pairs)).score
    with_missing = combine(lines([*pairs, (weight, None)])).score
    assert with_missing == present


@given(st.lists(st.tuples(weights, maybe_points), min_size=1, max_size=12))
def test_the_explanation_adds_up_to_the_score(pairs):
    explanation = combine(lines(pairs))
    if explanation.score is None:
        return
    present = [x for x in explanation.lines if x.points is not None]
    assert abs(sum(x.effective_weight for x in present) - 1) < 1e-9
    assert abs(sum(x.contribution for x in present) - explanation.score) <= 0.05 + 1e-9
    assert all(x.effective_weight == 0 for x in explanation.lines if x.points is None)


def test_the_measures_that_pulled_the_score_down_most_come_first():
    explanation = combine(lines([(10, 100), (30, 50), (10, 0), (50, 90)]))
    # Shortfalls: 0, 0.3*50=15, 0.1*100=10, 0.5*10=5.
    assert explanation.pulled_down == ("1", "2", "3")
    assert explanation.score == 0.1 * 100 + 0.3 * 50 + 0 + 0.5 * 90


def test_no_data_at_all_is_no_score_not_zero():
    explanation = combine(lines([(1, None), (2, None)]))
    assert explanation.score is None and explanation.light == ""


def test_thresholds_are_linear_between_bad_and_good_either_way():
    assert linear_points(0.5, 0.2, 0.8) == pytest.approx(50)
    assert linear_points(0.1, 0.2, 0.8) == 0 and linear_points(0.9, 0.2, 0.8) == 100
    # Lower is better: 30 days idle is bad, 2 days is good.
    assert linear_points(16, 30, 2) == 50
    assert linear_points(40, 30, 2) == 0


def test_bands_map_ranges_to_points_and_a_gap_is_missing():
    bands = (Band(None, 3, 100), Band(3, 14, 60), Band(20, None, 0))
    assert band_points(2, bands) == 100
    assert band_points(3, bands) == 60
    assert band_points(25, bands) == 0
    assert band_points(15, bands) is None


def test_old_data_counts_as_missing_and_says_why():
    card = CardSpec(
        id=1, name="Card", max_age_days=30,
        measures=(
            MeasureSpec("a", "Seats", "product_utilization", 1, "metric", bad=0, good=1, metric_id=1),
            MeasureSpec("b", "Sponsor", "sponsorship", 1, "manual"),
        ),
    )
    today = dt.date(2026, 3, 31)
    explanation = score_account(
        card,
        {"a": Observation(0.5, dt.date(2026, 1, 1)), "b": Observation("4", None, "Met the CFO")},
        today,
    )
    seats, sponsor = explanation.lines
    assert seats.points is None and "too old" in seats.note
    assert sponsor.points == 75 and explanation.score == 75 and explanation.light == "green"


def test_nps_is_promoters_minus_detractors():
    assert nps([10, 9, 8, 7, 3]) == 20.0
    assert nps([]) is None
