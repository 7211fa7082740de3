"""Reading event files of any size as a stream of chunks of at most `rows` rows.

Each reader holds one chunk at a time (Parquet row batches, Arrow's streaming CSV reader,
JSON lines read a slice at a time), so memory follows the chunk size, not the file size.
Every chunk carries a `line` column: the line in a CSV file (the header is line 1) or a
JSON-lines file, the row number in a Parquet file.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cairn.usage.validation import ALIASES, PROBLEM, TEXT_COLUMNS, canonical_columns

FORMATS = ("csv", "jsonl", "parquet")
# Rows per chunk, hence per batch: larger chunks mean fewer files and less per-batch work
# (2 M rows ingest about a tenth faster than 1 M); with one chunk being written, one checked
# and one read, about 1.3 GB peak for typical events (bench/ingest.py).
DEFAULT_CHUNK_ROWS = 2_000_000
# Arrow's streaming CSV reader reads up to 32 blocks ahead in the background, so the block
# size, not the file, sets its memory: 4 MiB blocks keep that under about 130 MiB.
CSV_BLOCK_BYTES = 4 << 20


class UnreadableFile(ValueError):
    pass


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("parquet", "pq"):
        return "parquet"
    return "csv"


def read_chunks(path: Path, fmt: str, rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pa.Table]:
    """The file's events, `rows` at a time, with canonical column names and a `line` column."""
    if fmt == "parquet":
        # Reading a dictionary, Arrow stops each batch at a row group's end: regroup.
        return _rechunk(_parquet(path, rows), rows)
    if fmt == "csv":
        return _rechunk(_csv(path, rows), rows)
    if fmt == "jsonl":
        return _jsonl(path, rows)
    raise UnreadableFile(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def _numbered(table: pa.Table, first_line: int) -> pa.Table:
    lines = pa.array(np.arange(first_line, first_line + table.num_rows, dtype=np.int64))
    return canonical_columns(table).append_column("line", lines)


def _parquet(path: Path, rows: int) -> Iterator[pa.Table]:
    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise UnreadableFile(f"not a Parquet file ({exc})") from None
    canonical_columns(source.schema_arrow.empty_table())
    accounts = _dictionary_encoded_accounts(source)
    if accounts:
        # Read as the file's dictionary: each distinct id is then looked up once.
        source = pq.ParquetFile(path, read_dictionary=[accounts])
    offset = 1
    for batch in source.iter_batches(batch_size=rows):
        table = pa.Table.from_batches([batch])
        yield _numbered(table, offset)
        offset += table.num_rows


def _dictionary_encoded_accounts(source: pq.ParquetFile) -> str | None:
    """The file's name for the account id column, if it is text stored as a dictionary.

    Stored as one, the ids are read as the file has them and looked up once per distinct
    id. But a writer whose dictionary fills up (a Parquet dictionary page holds about 1 MiB:
    some 70,000 ids of a dozen characters) writes the rest of the column plainly, and Arrow
    would then hash each of those values into a dictionary: five times the cost of a plain
    read (measured on 100,000 accounts). Indices take at most 4 bytes a value and a plain
    string at least 5 (its length, one byte), so a column averaging more than 4 bytes a
    value, dictionary page included, is read plainly.
    """
    schema = source.schema_arrow
    for index, name in enumerate(schema.names):
        key = name.strip().lower()
        if ALIASES.get(key, key) != "account_external_id":
            continue
        # (canonical_columns has refused a second column for the account id.)
        metadata = source.metadata
        if not pa.types.is_string(schema.field(index).type) or metadata.num_row_groups == 0:
            return None
        position = metadata.schema.names.index(name)  # leaf names; checked by path below
        chunks = [metadata.row_group(group).column(position)
                  for group in range(metadata.num_row_groups)]
        if not all(c.path_in_schema == name and c.has_dictionary_page for c in chunks):
            return None
        size = sum(chunk.total_uncompressed_size for chunk in chunks)
        return name if 0 < size <= 4 * sum(chunk.num_values for chunk in chunks) else None
    return None


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            return next(csv.reader(handle))
        except StopIteration:
            raise UnreadableFile("the file is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise UnreadableFile(f"not a UTF-8 CSV file ({exc})") from None


def _csv(path: Path, rows: int) -> Iterator[pa.Table]:
    header = _csv_header(path)
    canonical_columns(pa.table({name: pa.array([], pa.string()) for name in header}))
    # Every column is read as text: parsing and its errors belong to validation, row by row.
    # Only an empty cell is missing: Arrow's default list would also blank "NA", "null" or
    # "NaN", silently turning an event type or a value that says so into nothing.
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header}, strings_can_be_null=True,
        null_values=[""],
    )
    try:
        reader = pacsv.open_csv(
            path, read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
            convert_options=options,
        )
    except pa.ArrowInvalid as exc:
        raise UnreadableFile(f"cannot be read as CSV ({exc})") from None
    offset = 2
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise UnreadableFile(f"cannot be read as CSV after line {offset - 1} ({exc})") from None
        table = pa.Table.from_batches([batch])
        yield _numbered(table, offset)
        offset += table.num_rows


def _rechunk(tables: Iterator[pa.Table], rows: int) -> Iterator[pa.Table]:
    pending: list[pa.Table] = []
    count = 0
    for table in tables:
        pending.append(table)
        count += table.num_rows
        while count >= rows:
            whole = pa.concat_tables(pending)
            yield whole.slice(0, rows)
            rest = whole.slice(rows)
            pending, count = ([rest] if rest.num_rows else []), rest.num_rows
    if count:
        yield pa.concat_tables(pending)


def text_of(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold (objects as compact, sorted JSON)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def rows_table(records: list[dict[str, Any] | None], lines: list[int], raw: list[str]) -> pa.Table:
    """Text columns from parsed JSON records; a record that is None was not a JSON object."""
    columns: dict[str, list[str | None]] = {name: [] for name in (*TEXT_COLUMNS, PROBLEM)}
    for record, text in zip(records, raw, strict=True):
        if record is None:
            for name in TEXT_COLUMNS:
                columns[name].append(None)
            # Keep the line itself, so the quarantine loses nothing of it.
            columns["properties"][-1] = text[:10_000]
            columns[PROBLEM].append("line: not a JSON object")
            continue
        fields = {_field_name(key): item for key, item in record.items()}
        for name in TEXT_COLUMNS:
            columns[name].append(text_of(fields.get(name)))
        columns[PROBLEM].append(None)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return table.append_column("line", pa.array(lines, pa.int64()))


def _field_name(key: str) -> str:
    name = key.strip().lower()
    return ALIASES.get(name, name)


def _jsonl(path: Path, rows: int) -> Iterator[pa.Table]:
    try:
        yield from _jsonl_lines(path, rows)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not a UTF-8 text file ({exc})") from None


def _jsonl_lines(path: Path, rows: int) -> Iterator[pa.Table]:
    with path.open(encoding="utf-8") as handle:
        number = 0
        while True:
            lines = list(itertools.islice(handle, rows))
            if not lines:
                return
            records: list[dict[str, Any] | None] = []
            numbers: list[int] = []
            texts: list[str] = []
            for text in lines:
                number += 1
                if not text.strip():
                    continue
                try:
                    parsed = json.loads(text)
                except (ValueError, RecursionError):
                    # Not JSON, an integer past Python's 4,300 digits, or nesting too deep.
                    parsed = None
                records.append(parsed if isinstance(parsed, dict) else None)
                numbers.append(number)
                texts.append(text.rstrip("\n"))
            if records:
                yield rows_table(records, numbers, texts)
