"""Running an import: read every row, check them all, then write all of them or none.

An importer (one per kind, in accounts.py, contacts.py, subscriptions.py) parses each cell,
then checks the rows together (duplicates, references, permissions) with a few bulk queries,
and only when no row is bad writes everything in one transaction, with history records that
name the importing user.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cairn.customers.importing.mapping import KINDS, Kind, missing_required
from cairn.customers.importing.readers import UnreadableRow, open_table
from cairn.customers.importing.values import BadValue, DateOrder, as_text
from cairn.customers.models import Account
from cairn.people import permissions
from cairn.people.models import User

BATCH = 500
M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f', column "{self.column}"' if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportOptions:
    date_order: str = DateOrder.AUTO


@dataclass
class ParsedRow:
    """One data row: the values read from its mapped, non-blank cells, by Cairn field."""

    line: int
    values: dict[str, Any]
    target: Any = None  # the existing object this row updates, found by check()
    ok: bool = True


@dataclass
class ImportResult:
    kind: str
    mapping: dict[str, str]
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    products_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> int:
        return len({error.line for error in self.errors})

    def summary(self) -> str:
        kind = KINDS[self.kind].label.lower()
        text = (
            f"{self.rows} {kind} read: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.products_created:
            text += f"; {self.products_created} new products"
        return text + ("; dry run, nothing saved." if self.dry_run else ".")


class MappingError(ValueError):
    """The mapping itself is wrong (a required field unmapped, an unknown column)."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems.values()))


class _Rollback(Exception):
    pass


def chunked(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Importer(ABC):
    """Parse, check and write one kind of record. Subclasses fill in the three steps."""

    kind: Kind

    def __init__(self, user: User | None, mapping: dict[str, str], options: ImportOptions):
        self.user = user
        self.mapping = mapping
        self.options = options
        self.rows: list[ParsedRow] = []
        self.errors: list[RowError] = []
        self.products_created = 0

    # Reading -------------------------------------------------------------------------------

    @abstractmethod
    def parse(self, name: str, raw: object) -> Any:
        """The typed value of a cell for the Cairn field `name`, or BadValue."""

    def add(self, line: int, cells: Sequence[object], columns: dict[str, int], width: int) -> None:
        row = ParsedRow(line, {})
        extra = [i for i in range(width, len(cells)) if as_text(cells[i])]
        if extra:
            self.fail(row, "", f"this row has a value in column {extra[0] + 1}, beyond the "
                      f"{width} columns of the header; is a value missing its quotes?")
        for name, index in columns.items():
            raw = cells[index] if index < len(cells) else None
            shown = as_text(raw)
            if shown == "":
                if self.kind.field(name).required:
                    self.fail(row, name, "is required but empty.")
                continue
            problem = cell_problem(shown)
            if problem:
                self.fail(row, name, problem)
                continue
            try:
                row.values[name] = self.parse(name, raw)
            except BadValue as exc:
                self.fail(row, name, str(exc))
        self.rows.append(row)

    def fail(self, row: ParsedRow, name: str, message: str) -> None:
        row.ok = False
        column = self.mapping.get(name, name)
        self.errors.append(RowError(row.line, column, message))

    # Checking and writing ------------------------------------------------------------------

    @abstractmethod
    def check(self) -> None:
        """Resolve references across rows and against the database, failing bad rows."""

    @abstractmethod
    def write(self) -> tuple[int, int, int]:
        """Save every row; return how many were created, updated and left unchanged."""

    # Helpers for subclasses ------------------------------------------------------------------

    def editable_account_ids(self, ids: set[int]) -> set[int]:
        """The accounts among `ids` the importing user may change (a CLI run may change all)."""
        if self.user is None or permissions.is_leader(self.user):
            return set(ids)
        if not permissions.can_write(self.user):
            return set()
        mine = Q(owner=self.user) | Q(engagements__owner=self.user) | Q(engagements__team=self.user)
        editable: set[int] = set()
        for batch in chunked(ids):
            editable.update(
                Account.objects.filter(mine, pk__in=batch).values_list("pk", flat=True).distinct()
            )
        return editable

    def refuse_others_accounts(self, rows: list[tuple[ParsedRow, Account]], name: str) -> None:
        editable = self.editable_account_ids({account.pk for _, account in rows})
        for row, account in rows:
            if account.pk not in editable:
                self.fail(row, name, f"you may not change the account {account.name!r}: only "
                          "its owner, its engagement team and CS leaders may.")

    def find_accounts(self, keys: set[str]) -> dict[str, Account]:
        """Accounts by external id, else by name in any case; keyed by the text as given."""
        by_external: dict[str, Account] = {}
        by_name: dict[str, Account] = {}
        for batch in chunked(keys):
            for account in Account.objects.filter(external_id__in=batch):
                by_external[account.external_id] = account
            lowered = [key.lower() for key in batch]
            for account in Account.objects.annotate(lname=Lower("name")).filter(lname__in=lowered):
                by_name[account.name.lower()] = account
        found: dict[str, Account] = {}
        for key in keys:
            match = by_external.get(key) or by_name.get(key.lower())
            if match is not None:
                found[key] = match
        return found

    def resolve_account_column(self) -> None:
        """For contacts and subscriptions: set row.values["account"] to the Account."""
        keys = {row.values["account"] for row in self.rows if "account" in row.values}
        accounts = self.find_accounts(keys)
        resolved: list[tuple[ParsedRow, Account]] = []
        for row in self.rows:
            key = row.values.get("account")
            if key is None:
                continue
            account = accounts.get(key)
            if account is None:
                self.fail(row, "account", f"no account in Cairn is named {key!r} or has it as "
                          "external id; import the accounts first.")
                row.values.pop("account")
                continue
            row.values["account"] = account
            resolved.append((row, account))
        self.refuse_others_accounts(resolved, "account")

    def save(
        self, model: type[M], new: list[M], changed: list[M], fields: set[str]
    ) -> None:
        now = timezone.now()
        for obj in (*new, *changed):
            obj._history_user = self.user  # type: ignore[attr-defined]
        if new:
            bulk_create_with_history(new, model, batch_size=BATCH, default_user=self.user)
        if changed:
            for obj in changed:
                obj.updated_at = now  # type: ignore[attr-defined]
            bulk_update_with_history(
                changed, model, sorted(fields | {"updated_at"}), batch_size=BATCH,
                default_user=self.user,
            )


# No field an import fills takes more than a few hundred characters; a longer cell is
# refused before it is read as a value, so no message repeats it.
LONGEST_CELL = 10_000


def cell_problem(text: str) -> str:
    """Why a cell cannot be imported whatever its field ("" when it can)."""
    if "\x00" in text:
        # PostgreSQL cannot store it, and no one means it: a sign of a binary or broken export.
        return "contains a NUL character (\\0), which Cairn does not store; remove it."
    if len(text) > LONGEST_CELL:
        return (f"is {len(text):,} characters long, far more than any field takes "
                "(is a closing quote missing?).")
    return ""


def apply(obj: models.Model, values: dict[str, Any], names: Iterable[str]) -> set[str]:
    """Set the given fields from the row's values; return those that changed.

    A blank cell never erases what Cairn already has: it is simply not in `values`.
    """
    changed: set[str] = set()
    for name in names:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.add(name)
    return changed


def importer_for(kind: str, user: User | None, mapping: dict[str, str], options: ImportOptions
                 ) -> Importer:
    from cairn.customers.importing.accounts import AccountImporter
    from cairn.customers.importing.contacts import ContactImporter
    from cairn.customers.importing.subscriptions import SubscriptionImporter

    classes: dict[str, type[Importer]] = {
        "accounts": AccountImporter,
        "contacts": ContactImporter,
        "subscriptions": SubscriptionImporter,
    }
    return classes[kind](user, mapping, options)


def check_mapping(kind: Kind, mapping: dict[str, str], headers: list[str]) -> None:
    problems: dict[str, str] = {}
    for field_ in missing_required(kind, mapping):
        problems[field_.name] = f"{field_.label} is required: choose the file column that holds it."
    for name, header in mapping.items():
        if header and header not in headers:
            problems[name] = f"The file has no column {header!r} (for {kind.field(name).label})."
    if problems:
        raise MappingError(problems)


def run_import(
    path: Path,
    kind: str,
    mapping: dict[str, str],
    *,
    user: User | None,
    options: ImportOptions | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import one file all-or-nothing. Raises UnreadableFile or MappingError before any row.

    `user` is whom the history names and whose permissions apply; None (the CLI without
    --user) is the operator, who may change everything.
    """
    spec = KINDS[kind]
    mapping = {name: header for name, header in mapping.items() if header}
    result = ImportResult(kind=kind, mapping=mapping, dry_run=dry_run)
    importer = importer_for(kind, user, mapping, options or ImportOptions())
    with open_table(path, sheet) as table:
        check_mapping(spec, mapping, table.headers)
        columns = {name: table.headers.index(header) for name, header in mapping.items()}
        try:
            for line, cells in table.rows():
                importer.add(line, cells, columns, len(table.headers))
        except UnreadableRow as exc:
            # The rows after it cannot be read either: report it with those read so far.
            result.rows = len(importer.rows)
            errors = [*importer.errors, RowError(exc.line, "", exc.reason)]
            result.errors = sorted(errors, key=lambda error: error.line)
            return result
    result.rows = len(importer.rows)
    if not importer.rows:
        importer.errors.append(RowError(1, "", "the file has a header but no data rows."))
    importer.check()
    result.errors = sorted(importer.errors, key=lambda error: error.line)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            result.created, result.updated, result.unchanged = importer.write()
            result.products_created = importer.products_created
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except DatabaseError as exc:
        # Another user changed the same records meanwhile; nothing of this file was saved.
        result.created = result.updated = result.unchanged = result.products_created = 0
        result.errors = [RowError(0, "", f"the database refused the import: {exc}")]
    return result
