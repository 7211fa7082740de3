"""`cairn ingest events|tickets|surveys FILE` and `cairn ingest replay`.

Events are streamed in chunks (one atomic batch each), so a file of any size fits in memory.
Tickets and surveys are all-or-nothing per file: every bad row is printed by line and
field, and nothing is saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.people import permissions
from cairn.people.models import User
from cairn.usage import actions, feedback
from cairn.usage.models import IngestBatch
from cairn.usage.readers import DEFAULT_CHUNK_ROWS, FORMATS, UnreadableFile, guess_format, read_chunks
from cairn.usage.validation import UnusableColumns


class Command(BaseCommand):
    help = "Ingest product-usage events, support tickets or survey answers; replay the quarantine."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{events,tickets,surveys,replay}")
        events = kinds.add_parser("events", help="Events from a CSV, JSON lines or Parquet file.")
        events.add_argument("file", type=Path)
        events.add_argument("--format", choices=FORMATS, help="Default: from the file's suffix.")
        events.add_argument(
            "--chunk-size", type=int, default=DEFAULT_CHUNK_ROWS,
            help=f"Rows per batch (default {DEFAULT_CHUNK_ROWS:,}); memory follows this.",
        )
        for name, label in (("tickets", "Support tickets"), ("surveys", "NPS survey answers")):
            sub = kinds.add_parser(name, help=f"{label} from a CSV or JSON lines file.")
            sub.add_argument("file", type=Path)
            sub.add_argument("--format", choices=("csv", "jsonl"))
        kinds.add_parser("replay", help="Check quarantined events again; store the valid ones.")
        parser.add_argument(
            "--user", help="Ingest as this Cairn user (username), named on the batches.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options.get("user"))
        kind = options["kind"]
        if kind == "replay":
            self._replay(user)
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        fmt = options.get("format") or guess_format(path)
        if kind == "events":
            self._events(path, fmt, options["chunk_size"], user)
            return
        self._feedback(kind, path, fmt, user)

    def _events(self, path: Path, fmt: str, chunk_size: int, user: User | None) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        try:
            batches = actions.ingest_file_chunks(
                read_chunks(path, fmt, chunk_size), source_name=path.name, user=user
            )
        except (UnreadableFile, UnusableColumns) as exc:
            raise CommandError(f"{path}: {exc}") from None
        except actions.IngestStopped as exc:
            self._report(path, exc.batches)
            raise CommandError(f"{path}: {exc}") from None
        self._report(path, batches)

    def _report(self, path: Path, batches: list[IngestBatch]) -> None:
        totals = {
            name: sum(getattr(batch, name) for batch in batches)
            for name in ("received", "stored", "duplicates", "quarantined")
        }
        for batch in batches:
            self.stdout.write(f"Batch {batch.batch_id}: {actions.batch_summary(batch)}")
            for reason, count in sorted(batch.quarantine_reasons.items()):
                self.stdout.write(f"  quarantined {count}: {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {totals['received']} received, {totals['stored']} stored, "
                f"{totals['duplicates']} duplicate(s), {totals['quarantined']} quarantined "
                f"in {len(batches)} batch(es)."
            )
        )

    def _feedback(self, kind: str, path: Path, fmt: str, user: User | None) -> None:
        try:
            rows = feedback.read_rows(path, fmt)
        except UnreadableFile as exc:
            raise CommandError(f"{path}: {exc}") from None
        result = feedback.import_rows(kind, rows, user=user)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s); nothing was saved.")
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _replay(self, user: User | None) -> None:
        batches = actions.replay_quarantine(user=user)
        if not batches:
            self.stdout.write("The quarantine is empty: nothing to replay.")
            return
        for batch in batches:
            self.stdout.write(f"Batch {batch.batch_id}: {actions.batch_summary(batch)}")
        stored = sum(batch.stored for batch in batches)
        kept = sum(batch.quarantined for batch in batches)
        self.stdout.write(self.style.SUCCESS(f"Replayed: {stored} stored, {kept} still quarantined."))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user is called {username!r}.")
        if not permissions.can_write(user):
            raise CommandError(f"--user: {username} is read-only and cannot ingest.")
        return user
