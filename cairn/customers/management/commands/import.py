"""`cairn import accounts|contacts|subscriptions FILE`: the browser's import, from a shell.

Prints the mapping it uses, then either every bad row (and exits 1, nothing saved) or the
counts of what was created and updated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.customers.importing.importers import ImportOptions, MappingError, run_import
from cairn.customers.importing.mapping import KINDS, propose, resolve_field
from cairn.customers.importing.readers import UnreadableFile, open_table
from cairn.customers.importing.values import DateOrder
from cairn.people import permissions
from cairn.people.models import User


class Command(BaseCommand):
    help = "Import accounts, contacts or subscriptions from a CRM export (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--map", action="append", default=[], metavar="FIELD=COLUMN",
            help='Map a Cairn field (name or label) to a file column, e.g. --map "name=Company". '
            "Repeat for several fields; an empty COLUMN leaves the field out. Other fields "
            "keep the proposed mapping.",
        )
        parser.add_argument("--sheet", help="The XLSX sheet to read (default: the first).")
        parser.add_argument(
            "--date-order", choices=DateOrder.values, default=DateOrder.AUTO,
            help="How to read dates like 03/04/2026: dmy, mdy, or auto (reject ambiguous ones).",
        )
        parser.add_argument(
            "--user", help="Import as this Cairn user (username): their permissions apply and "
            "history names them. Without it the operator may change everything.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = KINDS[options["kind"]]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        user = self._user(options["user"])
        try:
            with open_table(path, options["sheet"]) as table:
                headers = table.headers
        except UnreadableFile as exc:
            raise CommandError(f"{path}: {exc}") from None
        mapping = propose(kind, headers)
        for given in options["map"]:
            field_name, column = self._override(kind, given, headers)
            if column:
                mapping[field_name] = column
            else:
                mapping.pop(field_name, None)
        self._print_mapping(kind, mapping, headers)
        try:
            result = run_import(
                path, kind.name, mapping, user=user, sheet=options["sheet"],
                options=ImportOptions(date_order=options["date_order"]),
                dry_run=options["dry_run"],
            )
        except (MappingError, UnreadableFile) as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} problem(s) on {result.bad_lines} row(s); nothing was saved."
            )
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user is called {username!r}.")
        if not permissions.can_write(user):
            raise CommandError(f"--user: {username} is read-only and cannot import.")
        return user

    def _override(self, kind: Any, given: str, headers: list[str]) -> tuple[str, str]:
        name, sep, column = given.partition("=")
        if not sep:
            raise CommandError(f'--map {given!r}: write it as "Cairn field=File column".')
        field = resolve_field(kind, name.strip())
        if field is None:
            known = ", ".join(f.name for f in kind.fields)
            raise CommandError(f"--map {given!r}: {kind.label} have no field {name!r}; "
                               f"they have: {known}.")
        column = column.strip()
        if column and column not in headers:
            raise CommandError(f"--map {given!r}: the file has no column {column!r}; it has: "
                               f"{', '.join(headers)}.")
        return field.name, column

    def _print_mapping(self, kind: Any, mapping: dict[str, str], headers: list[str]) -> None:
        self.stdout.write(f"Mapping for {kind.label.lower()} (Cairn field <- file column):")
        for field in kind.fields:
            column = mapping.get(field.name)
            shown = f'"{column}"' if column else "(not imported)"
            required = " [required]" if field.required else ""
            self.stdout.write(f"  {field.name}{required} <- {shown}")
        unused = [header for header in headers if header not in mapping.values()]
        if unused:
            self.stdout.write(f"File columns not imported: {', '.join(unused)}")
