"""The whole book's explanations, encoded a column at a time, say exactly what the one-row
reference says: every value, every point, the notes and what pulled each score down."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.health.encoding import explanations
from cairn.health.scoring import Band, CardSpec, Column, MeasureSpec, score_block

AS_OF = dt.date(2026, 3, 31)
FRESH = 0
STALE = (AS_OF - dt.timedelta(days=60)).toordinal()
STALER = (AS_OF - dt.timedelta(days=90)).toordinal()

numbers = st.one_of(
    st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.sampled_from([0.0, 0.1, 1 / 3, 100.0, 1e-7, -0.0]),
)
ratings = st.one_of(st.none(), st.sampled_from(["1", "2", "3", "4", "5", "red", "yellow", "green", 'odd "x"']))
card = CardSpec(
    id=1, name="Card",
    measures=(
        MeasureSpec("seats", "Seats", "product_utilization", 3, "metric", bad=0.2, good=0.8, metric_id=1),
        MeasureSpec("sponsor", "Sponsor", "sponsorship", 2, "manual"),
        MeasureSpec(
            "idle", "Idle days", "product_utilization", 1, "metric", method="bands", metric_id=2,
            bands=(Band(None, 3, 100), Band(3, 30, 40)),
        ),
        MeasureSpec("nps", "NPS", "nps", 1.5, "survey", bad=-20, good=50),
    ),
    max_age_days=45,
)
row = st.tuples(numbers, st.sampled_from([FRESH, STALE, STALER]), ratings, st.sampled_from(["", "rating expired on 01 Mar 2026"]),
                numbers, numbers)


def block_of(rows: list[tuple]) -> object:  # type: ignore[type-arg]
    seats = np.array([np.nan if r[0] is None else r[0] for r in rows], dtype=float)
    seen = np.array([r[1] for r in rows], dtype=np.int64)
    sponsor = np.array([r[2] for r in rows], dtype=object)
    notes = np.array([r[3] if r[2] is None else "" for r in rows], dtype=object)
    idle = [r[4] for r in rows]  # a plain list, as previews and the backtest give
    nps = np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=float)
    return score_block(
        card, [Column(seats, seen), Column(sponsor, notes=notes), Column(idle), Column(nps)], AS_OF
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_every_encoded_explanation_reads_back_as_the_one_row_reference(rows):
    block = block_of(rows)

    encoded = explanations(block)

    assert len(encoded) == len(rows)
    assert [json.loads(text) for text in encoded] == [block.stored(i) for i in range(len(rows))]


def test_notes_say_why_a_value_does_not_count_and_the_worst_measures_come_first():
    block = block_of([
        (0.9, STALE, None, "rating expired on 01 Mar 2026", 1.0, None),  # stale seats, expired
        (0.2, FRESH, "5", "", 50.0, 10.0),  # seats 0 points, idle outside every band
    ])

    first, second = (json.loads(text) for text in explanations(block))

    assert first["values"][0] == 0.9 and first["points"][0] is None
    assert first["notes"] == {
        "0": f"data from {dt.date.fromordinal(STALE):%d %b %Y} is too old",
        "1": "rating expired on 01 Mar 2026",
    }
    assert first["pulled_down"] == []  # idle days scores 100, the rest is missing
    assert second["notes"] == {"2": "outside every band"}
    assert second["pulled_down"] == ["seats", "nps"]


def test_a_value_json_cannot_hold_is_written_as_null_and_the_text_stays_valid():
    block = block_of([(float("inf"), FRESH, "3", "", None, None)])

    stored = json.loads(explanations(block)[0])

    assert stored["values"][0] is None and stored["points"][1] == 50
