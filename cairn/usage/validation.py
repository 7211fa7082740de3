"""Checking a chunk of raw events, column at a time, into valid events and quarantined rows.

A chunk is an Arrow table with a `line` column (where each row came from) and the event
columns a source sent. Text sources (CSV, JSON lines, the API, a quarantine replay) go
through one fixed DuckDB query that parses and names the first problem of each row; typed
Parquet columns are checked with Arrow kernels. Either way the result is the same: typed
events with an `event_id` (the client's, or derived from the event's content and its place
among identical rows, see _with_ids), and the rows that could not be stored, as text, with a
`reason` that names the field.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.utils import timezone

from cairn.usage.store import QUARANTINE_SCHEMA

TEXT_COLUMNS = ("account_external_id", "user_id", "event_type", "timestamp", "value",
                "properties", "event_id")
# A reader that already knows a row is unusable (a line that is not JSON) says why here.
PROBLEM = "problem"
REQUIRED = ("account_external_id", "user_id", "event_type", "timestamp")
ALIASES = {"ts": "timestamp", "account": "account_external_id", "user": "user_id",
           "type": "event_type", "id": "event_id"}

# Product usage cannot predate 1970: an earlier timestamp is a default value or a typo, and
# the row goes to quarantine.
EARLIEST_MOMENT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
TOO_EARLY = "before 1970-01-01"

CHECKED_SCHEMA = pa.schema(
    [
        pa.field("line", pa.int64()),
        pa.field("event_id", pa.string()),
        pa.field("account_external_id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("value", pa.float64()),
        pa.field("properties", pa.string()),
    ]
)

# A Parquet reader may hand account ids over dictionary-encoded; checked events keep them so.
ACCOUNT_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
_CHECKED_DICTIONARY_SCHEMA = CHECKED_SCHEMA.set(
    CHECKED_SCHEMA.get_field_index("account_external_id"),
    pa.field("account_external_id", ACCOUNT_DICTIONARY),
)

# Forms that Arrow's cast reads exactly as DuckDB's TRY_CAST does (seconds present, at most
# microseconds, an upper-case Z or a numeric offset); any other form goes to the query.
_PLAIN_TS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$"
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

# The zone must be written out: a date-time without one is ambiguous, so it is refused.
_ZONE = r"[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)\s*$"

_TEXT_QUERY = """
WITH cleaned AS (
    SELECT line,
        NULLIF(trim(account_external_id), '') AS account_external_id,
        NULLIF(trim(user_id), '') AS user_id,
        NULLIF(trim(event_type), '') AS event_type,
        NULLIF(trim(timestamp), '') AS timestamp,
        NULLIF(trim(value), '') AS value,
        NULLIF(trim(properties), '') AS properties,
        NULLIF(trim(event_id), '') AS event_id,
        problem
    FROM raw
), parsed AS (
    SELECT *,
        TRY_CAST(timestamp AS TIMESTAMPTZ) AS parsed_ts,
        TRY_CAST(value AS DOUBLE) AS parsed_value
    FROM cleaned
)
SELECT line, event_id, account_external_id, user_id, event_type,
    parsed_ts AS ts, parsed_value AS value, properties,
    timestamp AS raw_timestamp, value AS raw_value,
    CASE
        WHEN problem IS NOT NULL THEN problem
        WHEN account_external_id IS NULL THEN 'account_external_id: missing'
        WHEN user_id IS NULL THEN 'user_id: missing'
        WHEN event_type IS NULL THEN 'event_type: missing'
        WHEN timestamp IS NULL THEN 'timestamp: missing'
        WHEN parsed_ts IS NULL THEN 'timestamp: not an ISO 8601 date-time'
        WHEN NOT regexp_matches(timestamp, $zone) THEN 'timestamp: no time zone'
        WHEN value IS NOT NULL AND (parsed_value IS NULL OR NOT isfinite(parsed_value))
            THEN 'value: not a number'
        WHEN properties IS NOT NULL AND NOT (
            CASE WHEN json_valid(properties) THEN json_type(properties) = 'OBJECT' ELSE false END
        ) THEN 'properties: not a JSON object'
    END AS reason
FROM parsed
"""

# The derived id covers every field of the event, so only the same event shares it.
_ID_QUERY = """
SELECT line,
    coalesce(event_id, md5(concat_ws(chr(31), account_external_id, user_id, event_type,
        CAST(epoch_us(ts) AS VARCHAR), coalesce(CAST(value AS VARCHAR), ''),
        coalesce(properties, '')))) AS event_id,
    account_external_id, user_id, event_type, ts, value, properties
FROM events
"""
# The n-th repeat (from 1) of a row: the id of its content and its number among the repeats.
_REPEAT_QUERY = """
SELECT md5(concat_ws(chr(31), event_id, CAST(repeat AS VARCHAR))) AS event_id FROM repeats
"""


class UnusableColumns(ValueError):
    """The source lacks a required column, or names one twice: nothing of it can be
    ingested."""


@dataclass
class Checked:
    events: pa.Table  # CHECKED_SCHEMA (account ids maybe as ACCOUNT_DICTIONARY), all valid
    rejected: pa.Table  # QUARANTINE_SCHEMA


_local = threading.local()


def query(sql: str, params: dict[str, object] | None = None, **tables: pa.Table) -> pa.Table:
    """Run one DuckDB query over the given Arrow tables (by name), on this thread's connection.

    Opening a connection costs more than checking a small chunk, so each thread keeps one;
    the tables are unregistered afterwards, so the connection holds no chunk alive.
    """
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'UTC'")
        _local.connection = connection
    for name, table in tables.items():
        connection.register(name, table)
    try:
        return connection.execute(sql, params or {}).to_arrow_table()
    finally:
        for name in tables:
            connection.unregister(name)


def canonical_columns(table: pa.Table) -> pa.Table:
    """Rename the accepted aliases; refuse a source without the required columns, or with
    two columns for one field (say `account` and `account_external_id`)."""
    names = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in table.column_names]
    given_for: dict[str, list[str]] = {}
    for given, name in zip(table.column_names, names, strict=True):
        given_for.setdefault(name, []).append(given)
    twice = {name: columns for name, columns in given_for.items() if len(columns) > 1}
    if twice:
        raise UnusableColumns("; ".join(
            f"Columns {' and '.join(repr(given) for given in columns)} are both {name}: keep one"
            for name, columns in twice.items()
        ) + ".")
    table = table.rename_columns(names)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise UnusableColumns(
            f"Missing column(s): {', '.join(missing)}. Every event needs "
            f"{', '.join(REQUIRED)}; value, properties and event_id are optional."
        )
    return table


def _is_text(table: pa.Table) -> bool:
    return all(
        pa.types.is_string(table.schema.field(name).type)
        or pa.types.is_large_string(table.schema.field(name).type)
        or pa.types.is_null(table.schema.field(name).type)
        for name in TEXT_COLUMNS
        if name in table.column_names
    )


def _as_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    if pa.types.is_string(column.type):
        return column
    if pa.types.is_struct(column.type) or pa.types.is_map(column.type) or pa.types.is_list(
        column.type
    ):
        # Nested properties from a Parquet file: rare, so plain Python is fine here.
        return pa.array(
            [None if item is None else json.dumps(item, default=str) for item in column.to_pylist()],
            pa.string(),
        )
    if pa.types.is_timestamp(column.type) and column.type.tz is not None:
        return _moment_text(column)
    return column.cast(pa.string())


_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 1}


def _moment_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Zone-aware moments as ISO text in UTC, so a replay parses them back to the same
    instant. A moment microseconds cannot hold (seconds past year 294,000) is written as its
    raw number instead, which the text query then refuses, naming the field."""
    raw = column.cast(pa.int64())
    limit = (2**63 - 1) // _MICROS[column.type.unit]
    fits = pc.fill_null(pc.and_(pc.greater_equal(raw, -limit), pc.less_equal(raw, limit)), True)
    moments = pc.if_else(fits, raw, 0).cast(pa.timestamp(column.type.unit, tz="UTC"))
    text = pc.strftime(moments.cast(pa.timestamp("us", tz="UTC")), format="%Y-%m-%dT%H:%M:%SZ")
    if pc.all(fits).as_py():
        return text
    unit = pa.scalar(f" {column.type.unit} after 1970-01-01")
    return pc.if_else(fits, text, pc.binary_join_element_wise(raw.cast(pa.string()), unit, ""))


def _text_table(table: pa.Table) -> pa.Table:
    columns = {"line": table.column("line").cast(pa.int64())}
    for name in (*TEXT_COLUMNS, PROBLEM):
        if name in table.column_names:
            columns[name] = _as_text(table.column(name))
        else:
            columns[name] = pa.nulls(table.num_rows, pa.string())
    return pa.table(columns)


def _fast_typed(table: pa.Table) -> bool:
    ts = table.schema.field("timestamp").type
    if not (pa.types.is_timestamp(ts) and ts.tz is not None):
        return False
    if "value" in table.column_names:
        kind = table.schema.field("value").type
        if not (pa.types.is_floating(kind) or pa.types.is_integer(kind) or pa.types.is_null(kind)):
            return False
    if "properties" in table.column_names:
        kind = table.schema.field("properties").type
        if not (pa.types.is_string(kind) or pa.types.is_null(kind)):
            return False
    return True


def check(table: pa.Table) -> Checked:
    """Split a chunk into valid events and quarantined rows (the first problem of each row).

    Text goes through the text query; zone-aware timestamps and numbers need no parsing.
    Either way, an event dated before 1970 or too far ahead of now is quarantined last.
    """
    if table.num_rows == 0:
        return Checked(CHECKED_SCHEMA.empty_table(), QUARANTINE_SCHEMA.empty_table())
    if _is_text(table) or PROBLEM in table.column_names or not _fast_typed(table):
        raw = _text_table(table)
        return _in_range(_check_text(raw), raw)
    try:
        return _in_range(_check_typed(table), table)
    except pa.ArrowInvalid:
        # A typed moment microseconds cannot hold (year 300,000 in seconds): read as text,
        # the query names it.
        raw = _text_table(table)
        return _in_range(_check_text(raw), raw)


def as_quarantine(table: pa.Table, reason: str) -> pa.Table:
    """Every row of a chunk, as text, quarantined for one reason (a chunk that could not be
    checked at all)."""
    rows = _text_table(table).append_column("reason", pa.array([reason] * table.num_rows, pa.string()))
    return rows.select(QUARANTINE_SCHEMA.names).cast(QUARANTINE_SCHEMA)


def latest_moment() -> dt.datetime:
    """The latest moment an event (a ticket, an answer) may name: it happened already, give
    or take a sender's clock running ahead (settings.EVENT_FUTURE_DAYS)."""
    return timezone.now() + dt.timedelta(days=settings.EVENT_FUTURE_DAYS)


def moment_refusal(moment: dt.datetime) -> str:
    """Why a moment cannot be an event's ("" when it can): the rule of _in_range for one
    value, for tickets and survey answers."""
    if moment < EARLIEST_MOMENT:
        return TOO_EARLY
    if moment > latest_moment():
        return too_late()
    return ""


def too_late() -> str:
    return f"in the future (more than {settings.EVENT_FUTURE_DAYS} day(s) ahead of now)"


def _in_range(checked: Checked, source: pa.Table) -> Checked:
    """Move events dated before 1970 or past latest_moment() to the quarantine, as `source`
    (the chunk, by its `line`, unique in a chunk) had them.

    Such a date is a sender's mistake (year 0001, 9999, a clock far off), and the store's
    day partitions and the metrics' windows assume real dates: year 10000 does not even have
    a day folder.
    """
    events = checked.events
    if events.num_rows == 0:
        return checked
    ts = events.column("ts")
    earliest = pa.scalar(EARLIEST_MOMENT, pa.timestamp("us", tz="UTC"))
    latest = pa.scalar(latest_moment(), pa.timestamp("us", tz="UTC"))
    early = pc.fill_null(pc.less(ts, earliest), False)
    late = pc.fill_null(pc.greater(ts, latest), False)
    bad = pc.or_(early, late)
    if not pc.any(bad).as_py():
        return checked
    sent = pc.index_in(events.column("line").filter(bad), value_set=source.column("line").combine_chunks())
    reason = pc.if_else(
        early.filter(bad), f"timestamp: {TOO_EARLY}", f"timestamp: {too_late()}"
    )
    quarantine = _text_table(source.take(sent)).append_column("reason", reason)
    quarantine = quarantine.select(QUARANTINE_SCHEMA.names).cast(QUARANTINE_SCHEMA)
    return Checked(events.filter(pc.invert(bad)), pa.concat_tables([checked.rejected, quarantine]))


def _check_text(raw: pa.Table) -> Checked:
    """Rows in the plain forms are converted by Arrow kernels; the rest by the DuckDB query.

    The query decides every row that is not plainly valid, so its reasons and the text it
    keeps in the quarantine stay the single source of truth; Arrow only takes the rows it is
    sure to read exactly as the query would (the common case, and many times faster).
    """
    plain, cleaned = _plain_rows(raw)
    count = pc.sum(plain).as_py() or 0
    if count == 0:
        return _query_checked(raw)
    try:
        fast = _plain_events(cleaned.filter(plain) if count < raw.num_rows else cleaned)
    except pa.ArrowInvalid:
        # A form the regexes let through but Arrow refuses (30 February): the query decides.
        return _query_checked(raw)
    if fast is None:
        return _query_checked(raw)
    if count == raw.num_rows:
        return Checked(_with_ids(fast), QUARANTINE_SCHEMA.empty_table())
    rest = _check_text_query(raw.filter(pc.invert(plain)))
    # Back in file order, so "the first of each event id" means the same as before.
    events = pa.concat_tables([fast, rest.events])
    events = events.take(pc.sort_indices(events.column("line")))
    return Checked(_with_ids(events), rest.rejected)


def _query_checked(raw: pa.Table) -> Checked:
    checked = _check_text_query(raw)
    return Checked(_with_ids(checked.events), checked.rejected)


def _cleaned(raw: pa.Table, done: dict[str, pa.ChunkedArray]) -> pa.Table:
    """The query's NULLIF(trim(x), ''): DuckDB's trim removes spaces only, so this does too.

    Columns in `done` were already parsed whole by Arrow, which refuses spaces and empty
    text, so they are taken as they are.
    """
    columns: dict[str, pa.ChunkedArray] = {}
    for name in raw.column_names:
        column = raw.column(name)
        if name in done:
            column = done[name]
        elif name in TEXT_COLUMNS and column.null_count < len(column):
            # Checking first is far cheaper than trimming a column that needs none.
            if pc.any(pc.or_(pc.starts_with(column, " "), pc.ends_with(column, " "))).as_py():
                column = pc.utf8_trim(column, " ")
            empty = pc.equal(pc.binary_length(column), 0)
            if pc.any(empty).as_py():
                column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
        columns[name] = column
    return pa.table(columns)


def _plain_rows(raw: pa.Table) -> tuple[pa.ChunkedArray, pa.Table]:
    """Rows with every required field, a plain ISO timestamp with a zone, a plain number.

    Returns them as a mask, and the cleaned table, whose timestamp and value columns are
    already typed where Arrow could parse the whole column (one cast instead of trimming,
    a regex and a cast: the common case). Where it could not, regexes pick the plain rows.
    """
    typed: dict[str, pa.ChunkedArray] = {}
    for name, kind in (("timestamp", pa.timestamp("us", tz="UTC")), ("value", pa.float64())):
        try:
            typed[name] = raw.column(name).cast(kind)
        except pa.ArrowInvalid:
            continue
    cleaned = _cleaned(raw, typed)
    mask = pc.is_null(cleaned.column(PROBLEM))
    for name in REQUIRED:
        mask = pc.and_(mask, pc.is_valid(cleaned.column(name)))
    if "timestamp" in typed:
        # Arrow reads the forms the regex allows, and also "10:00Z", which the query refuses:
        # with seconds ("YYYY-MM-DDTHH:MM:" so far) the two sets are the same.
        plain_ts = pc.equal(pc.utf8_slice_codeunits(raw.column("timestamp"), 16, 17), ":")
    else:
        plain_ts = pc.match_substring_regex(cleaned.column("timestamp"), _PLAIN_TS)
    mask = pc.and_(mask, pc.fill_null(plain_ts, False))
    value = cleaned.column("value")
    if value.null_count < len(value):
        # inf and nan are numbers to Arrow, not values: the query names them.
        plain_value = (
            pc.is_finite(value) if "value" in typed
            else pc.match_substring_regex(value, _PLAIN_NUMBER)
        )
        mask = pc.and_(mask, pc.fill_null(plain_value, True))
    properties = cleaned.column("properties")
    if properties.null_count < len(properties):
        mask = pc.and_(mask, _json_objects(properties))
    return mask, cleaned


def _plain_events(plain: pa.Table) -> pa.Table | None:
    """Typed events from plain rows (no-op casts where _plain_rows typed the columns); None if
    a value overflows (the query names it)."""
    value = plain.column("value").cast(pa.float64())
    if not pc.all(pc.fill_null(pc.is_finite(value), True)).as_py():
        return None
    return pa.table(
        {
            "line": plain.column("line").cast(pa.int64()),
            "event_id": plain.column("event_id"),
            "account_external_id": plain.column("account_external_id"),
            "user_id": plain.column("user_id"),
            "event_type": plain.column("event_type"),
            "ts": plain.column("timestamp").cast(pa.timestamp("us", tz="UTC")),
            "value": value,
            "properties": plain.column("properties"),
        },
        schema=CHECKED_SCHEMA,
    )


def _check_text_query(raw: pa.Table) -> Checked:
    """The DuckDB text query: valid events without derived ids yet, and the rejected rows."""
    if raw.num_rows == 0:
        return Checked(CHECKED_SCHEMA.empty_table(), QUARANTINE_SCHEMA.empty_table())
    result = query(_TEXT_QUERY, {"zone": _ZONE}, raw=raw)
    bad = pc.is_valid(result.column("reason"))
    rejected = result.filter(bad)
    quarantine = pa.table(
        {
            "line": rejected.column("line"),
            "account_external_id": rejected.column("account_external_id"),
            "user_id": rejected.column("user_id"),
            "event_type": rejected.column("event_type"),
            "timestamp": rejected.column("raw_timestamp"),
            "value": rejected.column("raw_value"),
            "properties": rejected.column("properties"),
            "event_id": rejected.column("event_id"),
            "reason": rejected.column("reason"),
        },
        schema=QUARANTINE_SCHEMA,
    )
    valid = result.filter(pc.invert(bad)).select(list(CHECKED_SCHEMA.names))
    return Checked(valid.cast(CHECKED_SCHEMA), quarantine)


def _blank(column: pa.ChunkedArray) -> pa.ChunkedArray:
    # Missing, empty or only whitespace; tested in place, without trimming a copy.
    if pa.types.is_dictionary(column.type):
        # Each distinct value once, then spread over the rows (dictionaries differ by chunk).
        return pa.chunked_array(
            [pc.or_kleene(pc.is_null(chunk), pc.take(_blank(chunk.dictionary), chunk.indices))
             for chunk in column.chunks],
            pa.bool_(),
        )
    return pc.or_kleene(
        pc.is_null(column),
        pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column)),
    )


def _blank_as_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    blank = _blank(column)
    # Most files have an id on every row: then there is nothing to copy.
    if not pc.any(pc.fill_null(blank, False)).as_py():
        return column
    return pc.if_else(blank, pa.scalar(None, pa.string()), column)


def _check_typed(table: pa.Table) -> Checked:
    """Zone-aware timestamps and numeric values need no parsing: only the text fields do."""
    rows = table.num_rows
    text = {
        name: table.column(name).cast(pa.string()) if name in table.column_names
        else pa.chunked_array([pa.nulls(rows, pa.string())])
        for name in ("account_external_id", "user_id", "event_type", "properties", "event_id")
    }
    schema = CHECKED_SCHEMA
    accounts = table.column("account_external_id")
    if accounts.type == ACCOUNT_DICTIONARY:
        # Kept as the reader gave it, so accounts are looked up once per distinct value.
        text["account_external_id"] = accounts
        schema = _CHECKED_DICTIONARY_SCHEMA
    ts = table.column("timestamp").cast(pa.timestamp("us", tz="UTC"))
    value = (
        table.column("value").cast(pa.float64()) if "value" in table.column_names
        else pa.chunked_array([pa.nulls(rows, pa.float64())])
    )
    reason = pa.chunked_array([pa.nulls(rows, pa.string())])
    checks = [
        ("account_external_id: missing", _blank(text["account_external_id"])),
        ("user_id: missing", _blank(text["user_id"])),
        ("event_type: missing", _blank(text["event_type"])),
        ("timestamp: missing", pc.is_null(ts)),
        ("value: not a number", pc.and_kleene(pc.is_valid(value), pc.invert(pc.is_finite(value)))),
    ]
    for message, failed in checks:
        failed = pc.fill_null(failed, False)
        if pc.any(failed).as_py():
            reason = pc.if_else(pc.and_(pc.is_null(reason), failed), message, reason)
    properties = text["properties"]
    if pc.any(pc.is_valid(properties)).as_py():
        reason = _check_properties(properties, reason)
    events = pa.table(
        {
            "line": table.column("line").cast(pa.int64()),
            "event_id": _blank_as_null(text["event_id"]),
            "account_external_id": text["account_external_id"],
            "user_id": text["user_id"],
            "event_type": text["event_type"],
            "ts": ts,
            "value": value,
            "properties": properties,
        },
        schema=schema,
    )
    bad = pc.is_valid(reason)
    if not pc.any(bad).as_py():
        return Checked(_with_ids(events), QUARANTINE_SCHEMA.empty_table())
    rejected = events.filter(bad)
    quarantine = _text_table(
        rejected.rename_columns(
            ["timestamp" if name == "ts" else name for name in rejected.column_names]
        )
    ).append_column("reason", reason.filter(bad))
    valid = events.filter(pc.invert(bad))
    # The typed path never sets a reader's problem: the text table's empty column goes.
    quarantine = quarantine.select(QUARANTINE_SCHEMA.names).cast(QUARANTINE_SCHEMA)
    return Checked(_with_ids(valid), quarantine)


def _check_properties(properties: pa.ChunkedArray, reason: pa.ChunkedArray) -> pa.ChunkedArray:
    failed = pc.invert(_json_objects(properties))
    return pc.if_else(pc.and_(pc.is_null(reason), failed), "properties: not a JSON object", reason)


def _json_objects(properties: pa.ChunkedArray) -> pa.Array:
    """True where properties are missing or a JSON object; only the present ones are parsed."""
    present = pc.indices_nonzero(pc.is_valid(properties))
    ok = np.ones(len(properties), dtype=bool)
    if len(present):
        parsed = query(
            "SELECT CASE WHEN json_valid(p) THEN json_type(p) = 'OBJECT' ELSE false END AS ok "
            "FROM props",
            props=pa.table({"p": properties.take(present)}),
        ).column("ok")
        ok[present.to_numpy()] = pc.fill_null(parsed, False).to_numpy()
    return pa.array(ok)


def _with_ids(events: pa.Table) -> pa.Table:
    """An id for each event without one: derived from all its fields and, for a row repeating
    an earlier one of the chunk field for field, from how many came before it.

    The first of identical rows gets the id of its content alone, so the same event sent again
    (the file once more, in another format, an export overlapping the last one) is a
    duplicate; the second and later get ids of their own, so genuine repeats (two clicks in one
    second) are all stored. The rows are in file order, so the same file gives the same ids.
    """
    if events.num_rows == 0 or events.column("event_id").null_count == 0:
        return events
    missing = pc.is_null(events.column("event_id"))
    derived = query(_ID_QUERY, events=events).cast(CHECKED_SCHEMA)
    return _number_repeats(derived, np.flatnonzero(missing.to_numpy(zero_copy_only=False)))


def _number_repeats(events: pa.Table, rows: np.ndarray) -> pa.Table:
    """Give the later of identical derived ids (among `rows`) their number among them."""
    ids = events.column("event_id").combine_chunks()
    # 64-bit hashes sort far faster than strings encode: clean data is proven free of repeats
    # with them, and only rows sharing a hash (repeats, or a rare collision) are compared.
    wanted = ids if len(rows) == len(ids) else ids.take(pa.array(rows))
    hashed = query("SELECT hash(event_id) AS h FROM ids", ids=pa.table({"event_id": wanted}))
    hashes = hashed.column("h").to_numpy()
    ordered = np.sort(hashes)
    if not np.any(ordered[1:] == ordered[:-1]):
        return events  # the common case: no row repeats another
    by_hash = np.argsort(hashes, kind="stable")
    same = hashes[by_hash][1:] == hashes[by_hash][:-1]
    shared = np.zeros(len(rows), dtype=bool)
    shared[by_hash[1:][same]] = True
    shared[by_hash[:-1][same]] = True
    rows = rows[shared]  # still in file order
    codes = pc.dictionary_encode(ids.take(pa.array(rows))).indices.to_numpy()
    order = np.argsort(codes, kind="stable")  # each content's rows together, in file order
    grouped = codes[order]
    starts = np.ones(len(grouped), dtype=bool)
    starts[1:] = grouped[1:] != grouped[:-1]
    positions = np.arange(len(grouped))
    repeat = np.empty(len(codes), dtype=np.int64)
    repeat[order] = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    later = repeat > 0
    renamed = query(
        _REPEAT_QUERY,
        repeats=pa.table({"event_id": ids.take(pa.array(rows[later])), "repeat": repeat[later]}),
    ).column("event_id")
    where = np.arange(len(ids))
    where[rows[later]] = len(ids) + np.arange(int(later.sum()))
    column = pa.concat_arrays([ids, renamed.combine_chunks()]).take(pa.array(where))
    return events.set_column(events.schema.get_field_index("event_id"), "event_id", column)
