"""`cairn scorecards export [--scorecard ID|NAME] [FILE]` and `cairn scorecards import FILE`:
health scorecards as TOML (cairn.health.toml), to copy them between Cairns or keep them in a
repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.health import toml
from cairn.health.models import Scorecard
from cairn.people import permissions
from cairn.people.models import User


class Command(BaseCommand):
    help = "Export health scorecards with their measures as TOML, or import them from a file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write scorecards and their measures as TOML.")
        export.add_argument("file", nargs="?", type=Path, help="Where to write (default: standard output).")
        export.add_argument("--scorecard", help="Only this scorecard: its id or its name.")
        load = sub.add_parser(
            "import", help="Create or update scorecards by name from a TOML file: all or nothing."
        )
        load.add_argument("file", type=Path)
        load.add_argument(
            "--user", help="Import as this Cairn user (username), a CS leader; the history names "
            "them. Without it the change is the operator's.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options["file"], options["scorecard"])
        else:
            self._import(options["file"], options["user"])

    def _export(self, path: Path | None, which: str | None) -> None:
        cards = [self._card(which)] if which else list(Scorecard.objects.all())
        if not cards:
            raise CommandError(
                "There are no scorecards to export: run `cairn health default-scorecard` or make "
                "one on the Health page."
            )
        text = toml.export_text(cards)
        if path is None:
            self.stdout.write(text, ending="")
            return
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot be written ({exc.strerror}).") from None
        self.stdout.write(self.style.SUCCESS(f"{len(cards)} scorecard(s) written to {path}."))

    def _card(self, which: str) -> Scorecard:
        which = which.strip()
        by_id = which.isdigit() and len(which) <= 18
        found = Scorecard.objects.filter(pk=int(which)).first() if by_id else None
        found = found or Scorecard.objects.filter(name__iexact=which).first()
        if found is None:
            names = ", ".join(f"{c.pk} {c.name!r}" for c in Scorecard.objects.all()) or "none yet"
            raise CommandError(
                f"--scorecard: no scorecard has the id or name {which!r} (there are: {names})."
            )
        return found

    def _import(self, path: Path, username: str | None) -> None:
        user = self._user(username) if username is not None else None
        try:
            result = toml.import_file(path, by=user)
        except toml.ImportProblems as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was saved.") from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
        self.stdout.write("Recompute to apply them: cairn health recompute")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user is called {username!r}.")
        if not (permissions.is_leader(user) and permissions.can_write(user)):
            raise CommandError(f"--user: {user.username} is not a CS leader; only leaders edit scorecards.")
        return user
