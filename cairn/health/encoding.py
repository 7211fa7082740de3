"""The explanations of a whole block of scores as JSON text, built a column at a time.

Encoding 100,000 small dicts one `json.dumps` at a time cost about a second; here each
measure's values and points become one Arrow string array (shortest round-trip decimals, so
the same numbers `json` writes) and the arrays are joined element-wise, so the cost grows with
the measures, not with Python calls per account. `Block.stored(i)` is the one-row reference
every encoded row parses back to (tested with hypothesis).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cairn.health.scoring import PULLED_DOWN_SHOWN, Block, Column

NULL = "null"
# A measure counts as pulling the score down only when it costs more than this many points
# (the same cut as scoring.pulled_down).
NOTICEABLE = 0.005


def explanations(block: Block) -> list[str]:
    """Every account's explanation as JSON text, in the block's order."""
    n, m = block.points.shape
    if n == 0:
        return []
    if m == 0:
        return [json.dumps(block.stored(i)) for i in range(n)]
    values = _join([_values(c) for c in block.columns], ", ")
    points = _join([_numbers(block.points[:, j].round(2)) for j in range(m)], ", ")
    text = pc.binary_join_element_wise(
        '{"values": [', values, '], "points": [', points, '], "pulled_down": [',
        _pulled_down(block), "]", _notes(block), "}", "",
    )
    return text.to_pylist()  # type: ignore[no-any-return]


def _join(parts: list[pa.Array], separator: str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, separator)


def _numbers(numbers: np.ndarray) -> pa.Array:
    """JSON numbers, null where missing (and where not finite: JSON has no infinity)."""
    numbers = np.asarray(numbers, dtype=float)
    as_text = pc.cast(pa.array(numbers, mask=~np.isfinite(numbers)), pa.string())
    return pc.fill_null(as_text, NULL)


def _values(column: Column) -> pa.Array:
    if column.numeric:
        return _numbers(np.asarray(column.values))
    raw = np.asarray(column.values, dtype=object)
    given = raw[raw != None]  # noqa: E711 (elementwise: `is not` cannot be vectorised)
    if all(isinstance(v, int | float) for v in given):
        return _numbers(np.where(raw == None, np.nan, raw).astype(float))  # noqa: E711
    # Ratings: a handful of distinct strings, each encoded once.
    out = np.full(len(raw), NULL, dtype=object)
    for distinct in set(given.tolist()):
        out[raw == distinct] = json.dumps(distinct)
    return pa.array(out, type=pa.string())


def _pulled_down(block: Block) -> pa.Array:
    """The keys of the measures costing the most points, worst first (ties in the
    scorecard's order: a stable sort, as in scoring.pulled_down)."""
    shortfalls = block.weighed.shortfalls
    order = np.argsort(-shortfalls, axis=1, kind="stable")[:, :PULLED_DOWN_SHOWN]
    costly = np.take_along_axis(shortfalls, order, axis=1) > NOTICEABLE
    keys = [json.dumps(m.key) for m in block.card.measures]
    # Sorted worst first, so a costly rank follows costly ones and each can carry its own
    # separator. (Arrow's null-skipping join drops rows that are all null: not used.)
    ranks = []
    for r in range(order.shape[1]):
        named = pa.array([(", " if r else "") + k for k in keys], type=pa.string())
        ranks.append(pc.if_else(pa.array(costly[:, r]), named.take(pa.array(order[:, r])), ""))
    return pc.binary_join_element_wise(*ranks, "")


def _notes(block: Block) -> pa.Array:
    """', "notes": {...}' for the accounts with a missing measure that says more than
    "no data" (a value too old, an expired rating...), empty for the others."""
    n, m = block.points.shape
    missing = np.isnan(block.points)
    said = np.zeros((n, m), dtype=bool)
    for j, c in enumerate(block.columns):
        if c.numeric:
            said[:, j] = ~np.isnan(np.asarray(c.values))
        else:
            said[:, j] = np.asarray(c.values, dtype=object) != None  # noqa: E711
        if c.notes is not None:
            said[:, j] |= np.asarray(c.notes, dtype=object) != ""
    noted = missing & said
    rows = np.flatnonzero(noted.any(axis=1))
    if not len(rows):
        return pa.array([""] * n, type=pa.string())
    # One '"j": "note"' fragment per noted measure (null where not noted), joined per row.
    fragments = []
    for j in np.flatnonzero(noted.any(axis=0)).tolist():
        where = rows[noted[rows, j]]
        texts = np.full(len(rows), None, dtype=object)
        texts[np.searchsorted(rows, where)] = _column_notes(block, j, where)
        fragments.append(pa.array(texts, type=pa.string()))
    joined = pc.binary_join_element_wise(*fragments, ", ", null_handling="skip")
    notes = pc.binary_join_element_wise(', "notes": {', joined, "}", "").to_numpy(zero_copy_only=False)
    out = np.full(n, "", dtype=object)
    out[rows] = notes
    return pa.array(out, type=pa.string())


def _column_notes(block: Block, j: int, where: np.ndarray) -> list[str]:
    """The '"j": "note"' fragments of measure j for the accounts `where`. A number's note
    depends only on whether it is there, its day and the loader's note, so each distinct
    combination is worded once (`Block.note` is the reference); other values one by one."""
    column = block.columns[j]
    prefix = f"{json.dumps(str(j))}: "
    if not (column.numeric and isinstance(column.observed_on, np.ndarray)):
        return [prefix + json.dumps(block.note(i, j)) for i in where.tolist()]
    keys = [np.isnan(np.asarray(column.values)[where]), np.asarray(column.observed_on)[where]]
    if column.notes is not None:
        notes = np.asarray(column.notes, dtype=object)[where].astype(str)
        keys.append(np.unique(notes, return_inverse=True)[1])
    _, first, inverse = np.unique(
        np.column_stack([k.astype(np.int64) for k in keys]), axis=0, return_index=True,
        return_inverse=True,
    )
    worded = np.array(
        [prefix + json.dumps(block.note(int(where[k]), j)) for k in first.tolist()], dtype=object
    )
    return worded[inverse.reshape(-1)].tolist()  # type: ignore[no-any-return]
