"""The score history: each account's score, light and explanation on every scoring date.

One Parquet file per date under `ANALYTICS_DIR/scores/scored_on=YYYY-MM-DD/<run>.parquet`,
sorted by account in row groups, so one account's row is found from the statistics
without reading the file. A `ScoreDate` row names the committed file of each date: a run
writes a new file, then points the row at it in its transaction, so readers see the old file
or the new one, never a half-written or rolled-back one. Superseded files are removed once
the new row is committed, and by the next run of the same date if that did not happen.

Columns: account_id, scorecard_id, snapshot_id (nullable ints), score (float, null: not
enough data), light, explanation (JSON text, see cairn.health.encoding).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cairn.health.models import AccountHealth, Scorecard, ScorecardSnapshot, ScoreDate
from cairn.metrics.store import write_series_file

SCHEMA = pa.schema([
    ("account_id", pa.int64()), ("scorecard_id", pa.int64()), ("snapshot_id", pa.int64()),
    ("score", pa.float64()), ("light", pa.string()), ("explanation", pa.string()),
])


def folder() -> Path:
    return Path(settings.ANALYTICS_DIR) / "scores"


def date_folder(day: dt.date) -> str:
    return f"scored_on={day.isoformat()}"


def write_file(table: pa.Table, day: dt.date) -> str:
    """Write the table, sorted by account, as a new file of `day`, whole or not at all (as
    the metric series are); its name relative to the scores folder."""
    name = f"{date_folder(day)}/{uuid.uuid4().hex}.parquet"
    write_series_file(table.sort_by("account_id"), folder() / name)
    return name


def table_of(
    account_ids: np.ndarray,
    scorecard_ids: Sequence[int | None],
    snapshot_ids: Sequence[int | None],
    scores: np.ndarray,
    lights: Sequence[str],
    explanations: Sequence[str],
) -> pa.Table:
    scores = np.asarray(scores, dtype=float)
    return pa.table(
        [
            pa.array(account_ids, pa.int64()), pa.array(scorecard_ids, pa.int64()),
            pa.array(snapshot_ids, pa.int64()), pa.array(scores, mask=np.isnan(scores)),
            pa.array(lights, pa.string()), pa.array(explanations, pa.string()),
        ],
        schema=SCHEMA,
    )


def record(day: dt.date, table: pa.Table, accounts: Collection[int] | None) -> int:
    """Make `table` the scores of `day`, in the caller's transaction; with `accounts`, only
    theirs change and the date's other rows stay. Runs of the same date wait for each other
    (the date's row is locked). Returns the rows the date now holds."""
    ScoreDate.objects.bulk_create(
        [ScoreDate(scored_on=day, computed_at=timezone.now())], ignore_conflicts=True
    )
    row = ScoreDate.objects.select_for_update().get(scored_on=day)
    _remove_strays(day, keep=row.file)
    if accounts is not None and row.file:
        old = pq.read_table(folder() / row.file, schema=SCHEMA)
        kept = pc.invert(pc.is_in(old["account_id"], value_set=table["account_id"]))
        table = pa.concat_tables([old.filter(kept), table])
    superseded = row.file
    row.file = write_file(table, day)
    row.accounts = table.num_rows
    row.computed_at = timezone.now()
    row.save(update_fields=["file", "accounts", "computed_at"])
    if superseded:
        transaction.on_commit(lambda: (folder() / superseded).unlink(missing_ok=True))
    return table.num_rows


def _remove_strays(day: dt.date, keep: str) -> None:
    """Files of the date that no committed row names: a failed run's, or a superseded one
    whose removal did not happen. Only called with the date's row locked."""
    here = folder() / date_folder(day)
    if not here.exists():
        return
    for path in here.iterdir():
        if f"{date_folder(day)}/{path.name}" != keep:
            path.unlink(missing_ok=True)


def dates(since: dt.date | None = None, until: dt.date | None = None) -> list[ScoreDate]:
    rows = ScoreDate.objects.exclude(file="")
    if since is not None:
        rows = rows.filter(scored_on__gte=since)
    if until is not None:
        rows = rows.filter(scored_on__lte=until)
    return list(rows.order_by("scored_on"))


def first_date() -> dt.date | None:
    row = ScoreDate.objects.exclude(file="").order_by("scored_on").first()
    return row.scored_on if row else None


def scores_on(
    date: ScoreDate, accounts: Collection[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(account ids sorted, scores with NaN for none) of one date."""
    table = pq.read_table(folder() / date.file, columns=["account_id", "score"], schema=SCHEMA)
    if accounts is not None:
        table = table.filter(pc.is_in(table["account_id"], value_set=pa.array(list(accounts), pa.int64())))
    ids = table["account_id"].to_numpy()
    scores = table["score"].to_numpy(zero_copy_only=False)
    return ids, np.asarray(scores, dtype=float)


def _one(date: ScoreDate, account_id: int, columns: list[str]) -> dict[str, Any] | None:
    dataset = ds.dataset(folder() / date.file, schema=SCHEMA, format="parquet")
    rows = dataset.to_table(filter=pc.field("account_id") == account_id, columns=columns).to_pylist()
    return rows[0] if rows else None


@dataclass(frozen=True)
class StoredScore:
    """An account's score on one date as the history holds it."""

    account_id: int
    scored_on: dt.date
    score: float | None
    light: str
    explanation: dict[str, Any]
    scorecard: Scorecard | None
    snapshot: ScorecardSnapshot | None


def stored(account_id: int, day: dt.date | None = None) -> StoredScore | None:
    """The account's score on `day` (its latest when None), with its scorecard and the
    snapshot that names the measures."""
    day = day if day is not None else _latest_day(account_id)
    if day is None:
        return None
    found: tuple[ScoreDate, dict[str, Any] | None] | None = None
    for _attempt in range(2):
        date = ScoreDate.objects.exclude(file="").filter(scored_on=day).first()
        if date is None:
            return None
        try:
            found = date, _one(date, account_id, [f.name for f in SCHEMA])
            break
        except FileNotFoundError:
            continue  # a run of the date committed a new file and removed this one: read again
    if found is None or found[1] is None:
        return None
    date, row = found[0], found[1]
    scorecard = Scorecard.objects.filter(pk=row["scorecard_id"]).first() if row["scorecard_id"] else None
    snapshot = (
        ScorecardSnapshot.objects.filter(pk=row["snapshot_id"]).first() if row["snapshot_id"] else None
    )
    return StoredScore(
        account_id, date.scored_on, row["score"], row["light"] or "",
        json.loads(row["explanation"] or "{}"), scorecard, snapshot,
    )


def _latest_day(account_id: int) -> dt.date | None:
    return AccountHealth.objects.filter(account_id=account_id).values_list("scored_on", flat=True).first()


def account_history(
    account_id: int, since: dt.date | None = None, until: dt.date | None = None
) -> list[tuple[dt.date, float | None, str]]:
    """(date, score, light) of every committed date from `since` (until `until`), oldest
    first: one query and one scan over the dates' files, pruned to the account's row group
    in each."""
    for attempt in range(2):
        found = dates(since, until)
        if not found:
            return []
        day_of = {f"{folder() / d.file}": d.scored_on for d in found}
        try:
            with duckdb.connect() as con:
                rows = con.execute(
                    "SELECT filename, score, light FROM read_parquet(?, filename = true) "
                    "WHERE account_id = ?",
                    [list(day_of), account_id],
                ).fetchall()
        except duckdb.IOException:
            if attempt:
                raise
            continue  # a run of one of the dates committed a new file: list them again
        return sorted((day_of[name], score, light or "") for name, score, light in rows)
    return []


def light_counts(found: Sequence[ScoreDate]) -> dict[str, dict[str, int]]:
    """How many accounts had each light ('' for not enough data) on each of the dates, by
    the date's file name: one scan over the files, reading the light column only."""
    if not found:
        return {}
    name_of = {f"{folder() / d.file}": d.file for d in found}
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT filename, coalesce(light, ''), count(*) FROM read_parquet(?, filename = true) "
            "GROUP BY ALL",
            [list(name_of)],
        ).fetchall()
    counts: dict[str, dict[str, int]] = {d.file: {} for d in found}
    for filename, light, n in rows:
        counts[name_of[filename]][light] = n
    return counts
