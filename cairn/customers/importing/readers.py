"""Reading CSV and XLSX exports row by row, with the line numbers the user sees.

Rows are produced lazily (a csv reader over the open file, openpyxl's read-only
`iter_rows`), so a large export is never held in memory as raw text.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cairn.customers.importing.values import as_text

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES
DELIMITERS = (",", ";", "\t")


# Python's csv module refuses a cell over 131,072 characters, and says neither where nor
# which column. Cells are read up to this length instead, so the importer names the row and
# column of one too long for its field; past it, the row is named (UnreadableRow).
CSV_CELL_LIMIT = 16 * 1024 * 1024
# What the mapping page shows of a cell: enough to recognise the column.
PREVIEW_CELL = 200


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


class UnreadableRow(UnreadableFile):
    """Reading stopped at the record that starts on `line` (a cell past CSV_CELL_LIMIT)."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"Line {line}: {reason}")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 by BOM, else Windows-1252, else Latin-1.

    The whole file is decoded in chunks, so a stray byte on the last line is found too,
    without holding the file in memory.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 16):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header into the most columns (ties go to the comma)."""
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        count = len(next(csv.reader([first_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _unique_headers(cells: Sequence[object]) -> list[str]:
    """Header names as shown to the user; blank or repeated names get a distinct label."""
    texts = [as_text(cell) for cell in cells]
    while texts and not texts[-1]:
        texts.pop()  # spreadsheets pad rows with empty cells
    headers: list[str] = []
    for position, text in enumerate(texts, start=1):
        name = text or f"Column {position}"
        candidate, copy = name, 2
        while candidate in headers:
            candidate, copy = f"{name} ({copy})", copy + 1
        headers.append(candidate)
    return headers


@dataclass
class Table:
    """An open CSV or XLSX sheet: its headers, then its data rows as (line, cells)."""

    headers: list[str]
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    _rows: Iterator[tuple[int, Sequence[Any]]] = field(default_factory=lambda: iter(()))
    _close: Any = None

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        """Data rows with their line number (the header is line 1); blank rows skipped."""
        for line, cells in self._rows:
            if any(as_text(cell) for cell in cells):
                yield line, cells

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _numbered_csv_rows(handle: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    if csv.field_size_limit() < CSV_CELL_LIMIT:
        csv.field_size_limit(CSV_CELL_LIMIT)  # process-wide; only ever raised
    reader = csv.reader(handle, delimiter=delimiter)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableRow(start, f"this row cannot be read as CSV ({exc}).") from None
        # A quoted value may span lines: report the line where the record starts.
        yield start, cells
        start = reader.line_num + 1


def _open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        first = handle.readline()
        offset = 0
        # Excel writes a "sep=;" line before the header when it exports with a non-comma.
        if first.lower().startswith("sep=") and len(first.strip()) == 5:
            delimiter, offset = first.strip()[4], 1
            first = handle.readline()
        else:
            delimiter = sniff_delimiter(first)
        handle.seek(0)
        if offset:
            handle.readline()
        numbered = (
            (line + offset, cells) for line, cells in _numbered_csv_rows(handle, delimiter)
        )
        _, header = _first_nonblank(numbered)
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise UnreadableFile(f"This file cannot be read as CSV: {exc}") from None
    return Table(
        headers=_unique_headers(header),
        encoding=encoding,
        delimiter=delimiter,
        _rows=numbered,
        _close=handle.close,
    )


def _first_nonblank(rows: Iterator[tuple[int, Sequence[Any]]]) -> tuple[int, Sequence[Any]]:
    for line, cells in rows:
        if any(as_text(cell) for cell in cells):
            return line, cells
    raise UnreadableFile("The file is empty: it needs a header row and at least one data row.")


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile(f"This file cannot be read as an Excel workbook: {exc}") from None
    names = list(workbook.sheetnames)
    if sheet and sheet not in names:
        workbook.close()
        raise UnreadableFile(
            f"The workbook has no sheet named {sheet!r}; it has: {', '.join(names)}."
        )
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    # Some exporters write wrong sheet dimensions; without them nothing is cut off.
    worksheet.reset_dimensions()  # type: ignore[union-attr]
    numbered = enumerate(worksheet.iter_rows(values_only=True), start=1)
    try:
        _, header = _first_nonblank(numbered)
    except UnreadableFile:
        workbook.close()
        raise
    return Table(
        headers=_unique_headers(header),
        sheets=names,
        sheet=worksheet.title,
        _rows=numbered,
        _close=workbook.close,
    )


def open_table(path: Path, sheet: str | None = None) -> Table:
    """Open a CSV or XLSX file by its suffix; use as a context manager to close it."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _open_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES:
        return _open_csv(path)
    raise UnreadableFile(f"Cairn imports {', '.join(SUFFIXES)} files, not {suffix or 'this file'}.")


@dataclass
class Preview:
    headers: list[str]
    rows: list[list[str]]
    sheets: list[str]
    sheet: str
    description: str


def _shown(text: str) -> str:
    return text if len(text) <= PREVIEW_CELL else f"{text[:PREVIEW_CELL]}… ({len(text):,} characters)"


def preview(path: Path, sheet: str | None = None, limit: int = 5) -> Preview:
    with open_table(path, sheet) as table:
        rows: list[list[str]] = []
        for _, cells in table.rows():
            texts = [_shown(as_text(cell)) for cell in cells[: len(table.headers)]]
            rows.append(texts + [""] * (len(table.headers) - len(texts)))
            if len(rows) >= limit:
                break
        if table.encoding:
            names = {",": "comma", ";": "semicolon", "\t": "tab"}
            description = f"CSV, {table.encoding}, {names.get(table.delimiter, table.delimiter)}"
        else:
            description = f"Excel workbook, sheet {table.sheet!r}"
        return Preview(table.headers, rows, table.sheets, table.sheet, description)
