"""The reliability diagram's geometry: small probabilities fill the square, the diagonal is
where forecast and outcome agree, and too little data draws nothing."""

from __future__ import annotations

from cairn.forecast.charts import calibration_chart, ceiling_of


def test_the_axes_end_at_a_round_share_above_the_largest():
    assert ceiling_of([0.03, 0.12]) == 0.15
    assert ceiling_of([0.001]) == 0.05
    assert ceiling_of([0.2]) == 0.2
    assert ceiling_of([0.62]) == 0.7
    assert ceiling_of([0.99]) == 1.0


def test_a_forecast_that_says_what_happened_lies_on_the_diagonal():
    bins = [{"predicted": p, "observed": p, "count": 100} for p in (0.02, 0.05, 0.1, 0.2)]
    chart = calibration_chart(bins)
    assert chart is not None
    for point in chart.points:
        # On the diagonal, the distance from the left equals the height above the bottom.
        assert abs((point.x - chart.left) - (chart.bottom - point.y)) < 0.2
    assert chart.points[-1].x == chart.right and chart.points[-1].y == chart.top
    assert chart.path.startswith("M") and chart.path.count("L") == 3
    assert [t.share for t in chart.x_ticks] == [0.0, 0.1, 0.2]


def test_fewer_than_two_tenths_draw_no_chart():
    assert calibration_chart([]) is None
    assert calibration_chart([{"predicted": 0.1, "observed": 0.1, "count": 5}]) is None
