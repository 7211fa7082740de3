"""Ingesting product-usage events into the Parquet store, and replaying the quarantine.

A batch is atomic: its event files and its quarantine file are written first, then its
`IngestBatch` row (naming those files) is committed in one transaction. Until that commit no
reader sees the files; if the process dies before it, the next ingest removes them.
Writers take the store's lock, so the check against stored event ids is never raced.
Every received row ends up stored, counted as a duplicate or quarantined with its reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db import transaction

from cairn.customers.models import Account
from cairn.people.models import User
from cairn.usage import store
from cairn.usage.models import BatchSource, IngestBatch
from cairn.usage.readers import UnreadableFile
from cairn.usage.validation import CHECKED_SCHEMA, UnusableColumns, as_quarantine, check, query

log = logging.getLogger(__name__)

UNKNOWN_ACCOUNT = "account_external_id: unknown account"
_DAY_US = 86_400_000_000
_EPOCH = dt.date(1970, 1, 1)
WRITERS = min(4, os.cpu_count() or 1)  # Arrow writes without the GIL: one file per core


class AccountIndex:
    """External ids of accounts and their primary keys, as Arrow arrays for vector lookups."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        pairs = list(pairs)
        self.external_ids = pa.array([external for external, _ in pairs], pa.string())
        self.pks = pa.array([pk for _, pk in pairs], pa.int64())

    @classmethod
    def load(cls, external_ids: Iterable[str] | None = None) -> AccountIndex:
        """Every account with an external id, or only those named (in slices, for SQLite)."""
        accounts = Account.objects.exclude(external_id="")
        if external_ids is None:
            return cls(accounts.values_list("external_id", "pk"))
        wanted = sorted(set(external_ids))
        pairs: list[tuple[str, int]] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            pairs.extend(accounts.filter(external_id__in=part).values_list("external_id", "pk"))
        return cls(pairs)

    def lookup(self, external_ids: pa.ChunkedArray) -> pa.ChunkedArray:
        if pa.types.is_dictionary(external_ids.type):
            # Each distinct id is looked up once, then spread over the rows by its index.
            # (Plain arrays throughout: take() from a chunked array resolves chunks per row.)
            return pa.chunked_array(
                [pc.take(
                    pc.take(self.pks, pc.index_in(chunk.dictionary, value_set=self.external_ids)),
                    chunk.indices,
                 ) for chunk in external_ids.chunks],
                pa.int64(),
            )
        positions = pc.index_in(external_ids, value_set=self.external_ids)
        return pc.take(self.pks, positions)


@dataclass
class Outcome:
    batch: IngestBatch
    already_ingested: bool = False


def ingest_file_chunks(
    chunks: Iterable[pa.Table], *, source_name: str, user: User | None
) -> list[IngestBatch]:
    """A file, one atomic batch per chunk: a crash keeps the chunks already committed, and
    re-running the file stores only what is missing (the rest are duplicates).

    While one batch is checked against the store, written and committed here, worker
    threads check the next chunk and read the one after (Arrow and DuckDB release the GIL),
    so the two cores are both busy. The store-dependent steps stay in order, in this
    thread, so each batch is checked against every batch committed before it.
    """
    batches: list[IngestBatch] = []
    with store.write_lock(), _bulk_memory_pool():
        store.remove_uncommitted()
        index = AccountIndex.load()
        try:
            for number, prepared in enumerate(_read_ahead(chunks, index), start=1):
                name = source_name if number == 1 else f"{source_name} (part {number})"
                batches.append(
                    _commit_batch(prepared, source=BatchSource.FILE, source_name=name, user=user)
                )
        except (UnreadableFile, UnusableColumns) as exc:
            if not batches:
                raise  # nothing was stored: the file's problem is the whole message
            raise IngestStopped(batches, exc) from exc
        except Exception as exc:
            # One line: the command tells the operator the rest (CAIRN_LOG_LEVEL=DEBUG: where).
            log.error("Ingest of %s stopped after %s part(s): %r", source_name, len(batches), exc,
                      exc_info=log.isEnabledFor(logging.DEBUG))
            raise IngestStopped(batches, exc) from exc
    return batches


class IngestStopped(Exception):
    """A file's ingest stopped part-way: `batches` (maybe none) are stored, `cause` stopped
    the rest. Running the file again stores only what is missing."""

    def __init__(self, batches: list[IngestBatch], cause: Exception) -> None:
        self.batches = batches
        self.cause = cause
        done = (
            f"parts 1 to {len(batches)} are stored" if len(batches) > 1
            else "part 1 is stored" if batches else "nothing was stored"
        )
        super().__init__(
            f"stopped at part {len(batches) + 1} ({type(cause).__name__}: {cause}); {done}. "
            "Run the same ingest again once the cause is fixed: what is stored already counts "
            "as duplicates."
        )


@contextmanager
def _bulk_memory_pool() -> Iterator[None]:
    """Arrow's jemalloc pool while a file streams through, where the build has it.

    Each chunk allocates and frees a few hundred MB; mimalloc (the default) hands those pages
    back to the OS and faults them in again, about a sixth of the ingest's CPU in the
    benchmark. jemalloc reuses them. Restored afterwards: buffers remember their pool, so
    mixing is safe.
    """
    previous = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without jemalloc
        yield
        return
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _read_ahead(chunks: Iterable[pa.Table], index: AccountIndex) -> Iterator[_Prepared]:
    """The chunks, prepared ahead in a pipeline of two workers: while the caller writes one
    chunk, one worker checks the next and the other reads the one after. Reading and
    checking each cost about as much as writing; with one worker doing both, the writer
    waited half the time. Three chunks are held (written, checked, read), besides what the
    reader buffers.
    """
    source = iter(chunks)

    def prepare(reading: Future[pa.Table | None]) -> _Prepared | None:
        chunk = reading.result()  # re-raises what the reader raised (an unreadable file, say)
        return None if chunk is None else _prepare_or_refuse(chunk, index)

    with ThreadPoolExecutor(1, "cairn-read") as reader, ThreadPoolExecutor(1, "cairn-check") as checker:
        reading = reader.submit(next, source, None)
        preparing = checker.submit(prepare, reading)
        reading = reader.submit(next, source, None)
        while True:
            prepared = preparing.result()  # re-raises what the checks raised
            if prepared is None:
                return
            preparing = checker.submit(prepare, reading)
            reading = reader.submit(next, source, None)
            yield prepared


def ingest_api_batch(table: pa.Table, *, key: str, user: User | None) -> Outcome:
    """One request's events. A key seen before is answered with the batch it made."""
    with store.write_lock():
        if key:
            earlier = IngestBatch.objects.filter(key=key).first()
            if earlier is not None:
                return Outcome(earlier, already_ingested=True)
        store.remove_uncommitted()
        index = AccountIndex.load(table.column("account_external_id").drop_null().to_pylist())
        batch = _commit_batch(
            _prepare(table, index), source=BatchSource.API, source_name="API", user=user,
            key=key,
        )
    return Outcome(batch)


def replay_quarantine(*, user: User | None, batch: IngestBatch | None = None) -> list[IngestBatch]:
    """Check quarantined rows again (of one batch, or of all): store what is now valid.

    Each replayed quarantine becomes a new batch; rows still invalid move to its quarantine,
    and the old batch's quarantine is closed in the same transaction as the new commit.
    """
    made: list[IngestBatch] = []
    with store.write_lock():
        store.remove_uncommitted()
        index = AccountIndex.load()
        sources = IngestBatch.objects.filter(quarantine_open=True).order_by("id")
        if batch is not None:
            sources = sources.filter(pk=batch.pk)
        for source in list(sources):
            path = store.absolute(source.quarantine_file)
            rows = pq.read_table(path).drop_columns(["reason"])
            made.append(
                _commit_batch(
                    _prepare(rows, index), source=BatchSource.REPLAY, user=user,
                    replay_of=source,
                    source_name=f"Replay of {source.source_name or source.batch_id}",
                )
            )
            # Committed as closed: the file is no longer read, so it can go now.
            path.unlink(missing_ok=True)
    return made


def _distinct(days: np.ndarray) -> np.ndarray:
    """The distinct days of an ascending array (cheaper than np.unique, which hashes)."""
    if not len(days):
        return days
    return days[np.concatenate(([True], days[1:] != days[:-1]))]


def _days(ts: pa.ChunkedArray) -> np.ndarray:
    micros = ts.cast(pa.int64()).to_numpy()
    return np.floor_divide(micros, _DAY_US).astype(np.int32)


def _ids_are_unique(events: pa.Table) -> bool:
    """True only if no two events share an id; False may also mean a rare hash collision.

    Distinct 64-bit hashes prove distinct ids, and sorting integers is several times cheaper
    than hashing strings into a set; equal hashes (a repeat, or a collision) take the exact
    path.
    """
    if events.num_rows < 2:
        return True
    hashes = query("SELECT hash(event_id) AS h FROM ids", ids=events.select(["event_id"]))
    ordered = np.sort(hashes.column("h").to_numpy())
    return not bool(np.any(ordered[1:] == ordered[:-1]))


def _first_of_each_id(events: pa.Table) -> pa.Table:
    # Clean data has no repeats: proving that is cheaper than finding the first of each.
    if _ids_are_unique(events):
        return events
    rows = pa.array(np.arange(events.num_rows, dtype=np.int64))
    firsts = (
        pa.table({"event_id": events.column("event_id"), "row": rows})
        .group_by("event_id")
        .aggregate([("row", "min")])
        .column("row_min")
    )
    if len(firsts) == events.num_rows:
        return events
    return events.take(pa.array(np.sort(firsts.to_numpy())))


def _not_stored(events: pa.Table, days: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """The events whose id no committed batch holds, looked up in the days they fall on.

    Only events of days that already have files are compared, and only with those days'
    ids: a time-ordered file shares a day or two with the batch before it, not all of them.
    """
    if not len(days):
        return events, days
    touched = {_EPOCH + dt.timedelta(days=int(d)): int(d) for d in _distinct(days)}
    files = store.committed_days_files(touched)
    if not files:
        return events, days
    candidates = np.flatnonzero(np.isin(days, [touched[day] for day in files]))
    stored_ids = store.read_event_ids([path for paths in files.values() for path in paths])
    if not len(candidates) or not len(stored_ids):
        return events, days
    seen = pc.is_in(events.column("event_id").take(candidates), value_set=stored_ids)
    fresh = np.ones(events.num_rows, dtype=bool)
    fresh[candidates[seen.to_numpy(zero_copy_only=False)]] = False
    if fresh.all():
        return events, days
    return events.filter(pa.array(fresh)), days[fresh]


def _unknown_accounts(events: pa.Table, account_ids: pa.ChunkedArray) -> pa.Table:
    unknown = events.filter(pc.is_null(account_ids))
    text = {
        "line": unknown.column("line"),
        "account_external_id": unknown.column("account_external_id").cast(pa.string()),
        "user_id": unknown.column("user_id"),
        "event_type": unknown.column("event_type"),
        "timestamp": pc.strftime(unknown.column("ts"), format="%Y-%m-%dT%H:%M:%SZ"),
        "value": unknown.column("value").cast(pa.string()),
        "properties": unknown.column("properties"),
        "event_id": unknown.column("event_id"),
        "reason": pa.array([UNKNOWN_ACCOUNT] * unknown.num_rows, pa.string()),
    }
    return pa.table(text, schema=store.QUARANTINE_SCHEMA)


@dataclass
class _Prepared:
    """A chunk checked on its own: what needs no look at the store (nor the database)."""

    received: int
    events: pa.Table  # valid, known accounts, the first of each event id, with account_id
    days: np.ndarray  # the UTC day of each event, days since 1970-01-01, in ascending order
    rejected: pa.Table  # QUARANTINE_SCHEMA


CHUNK_REFUSED = "line: its part of the file could not be checked"


def _prepare_or_refuse(chunk: pa.Table, index: AccountIndex) -> _Prepared:
    """A chunk checked, or, if checking it fails unexpectedly, quarantined whole (every row
    as sent), so the rest of the file still loads and a rerun does not stop at the same
    place; a replay checks the rows again once the cause is fixed."""
    try:
        return _prepare(chunk, index)
    except Exception as exc:
        log.error("A chunk of %s rows could not be checked (%r); it is quarantined whole",
                  chunk.num_rows, exc, exc_info=log.isEnabledFor(logging.DEBUG))
        rejected = as_quarantine(chunk, CHUNK_REFUSED)
        return _Prepared(chunk.num_rows, _no_events(), np.zeros(0, dtype=np.int32), rejected)


def _no_events() -> pa.Table:
    return CHECKED_SCHEMA.empty_table().append_column("account_id", pa.array([], pa.int64()))


def _prepare(chunk: pa.Table, index: AccountIndex) -> _Prepared:
    received = chunk.num_rows
    checked = check(chunk)
    events = checked.events
    account_ids = index.lookup(events.column("account_external_id"))
    quarantine = [checked.rejected]
    if account_ids.null_count:
        quarantine.append(_unknown_accounts(events, account_ids))
        known = pc.is_valid(account_ids)
        events, account_ids = events.filter(known), account_ids.filter(known)
    events = events.append_column("account_id", account_ids)
    unique = _first_of_each_id(events)
    days = _days(unique.column("ts"))
    if np.any(days[1:] < days[:-1]):
        # In day order (stable, so a day keeps the file's order): each day is then a slice.
        order = np.argsort(days, kind="stable")
        unique, days = unique.take(pa.array(order)), days[order]
    return _Prepared(received, unique, days, pa.concat_tables(quarantine))


def _commit_batch(
    prepared: _Prepared,
    *,
    source: str,
    source_name: str,
    user: User | None,
    key: str = "",
    replay_of: IngestBatch | None = None,
) -> IngestBatch:
    """Drop the events already stored, write the rest and the quarantine, commit the row."""
    batch_id = uuid.uuid4().hex
    received, unique, days, rejected = (
        prepared.received, prepared.events, prepared.days, prepared.rejected
    )
    unique, days = _not_stored(unique, days)
    reasons = {
        item["values"]: item["counts"]
        for item in pc.value_counts(rejected.column("reason")).to_pylist()
    } if rejected.num_rows else {}
    written: list[Path] = []
    try:
        files = _write_days(unique, days, batch_id, written)
        quarantine_name = ""
        if rejected.num_rows:
            path = store.quarantine_dir() / f"{batch_id}.parquet"
            written.append(path)
            store.write_parquet(rejected, path)
            quarantine_name = store.relative(path)
        file_days = _distinct(days).tolist()
        with transaction.atomic():
            batch = IngestBatch.objects.create(
                batch_id=batch_id, key=key, source=source, source_name=source_name[:300],
                received=received, stored=unique.num_rows,
                duplicates=received - unique.num_rows - rejected.num_rows,
                quarantined=rejected.num_rows, quarantine_reasons=dict(reasons),
                files=files, quarantine_file=quarantine_name,
                quarantine_open=bool(rejected.num_rows),
                first_day=_EPOCH + dt.timedelta(days=int(file_days[0])) if file_days else None,
                last_day=_EPOCH + dt.timedelta(days=int(file_days[-1])) if file_days else None,
                replay_of=replay_of, created_by=user,
            )
            if replay_of is not None:
                replay_of.quarantine_open = False
                replay_of.quarantine_file = ""
                replay_of.save(update_fields=["quarantine_open", "quarantine_file"])
    except BaseException:
        # Not committed, so invisible anyway; removing now just saves the next ingest a job.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    log.info("Ingested batch %s: %s", batch_id, batch_summary(batch))
    return batch


def _write_days(
    events: pa.Table, days: np.ndarray, batch_id: str, written: list[Path]
) -> list[str]:
    """One file per UTC day the batch touches (days ascending); returns their names relative
    to the store."""
    if events.num_rows == 0:
        return []
    columns = {name: events.column(name) for name in store.EVENT_SCHEMA.names[:-1]}
    # The files say string; a dictionary from the reader is expanded (one vector take).
    columns["account_external_id"] = columns["account_external_id"].cast(pa.string())
    # One value for every row: as a dictionary it is neither copied per row nor hashed by
    # the writer. Readers still see a plain string column (store.write_parquet).
    columns["batch_id"] = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(events.num_rows, dtype=np.int32)), pa.array([batch_id])
    )
    table = pa.table(columns, schema=store.EVENT_WRITE_SCHEMA)
    boundaries = (np.flatnonzero(np.diff(days)) + 1).tolist()
    parts: list[tuple[Path, pa.Table]] = []
    for number, (start, end) in enumerate(
        zip([0, *boundaries], [*boundaries, len(days)], strict=True)
    ):
        day = _EPOCH + dt.timedelta(days=int(days[start]))
        parts.append((store.day_dir(day) / f"{batch_id}-{number}.parquet",
                      table.slice(start, end - start)))
    # Known before any is written, so a failure half-way can remove them all.
    written.extend(path for path, _ in parts)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        # list() re-raises the first failure, after the running writes have finished.
        list(pool.map(lambda part: store.write_parquet(part[1], part[0]), parts))
    return [store.relative(path) for path, _ in parts]


def batch_summary(batch: IngestBatch) -> str:
    return (
        f"{batch.received} received: {batch.stored} stored, {batch.duplicates} duplicate(s), "
        f"{batch.quarantined} quarantined"
    )
