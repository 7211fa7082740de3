"""`cairn metrics load FILE.toml | --standard`, `cairn metrics export [FILE]` and
`cairn metrics recompute [...]`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.fields import sane_day
from cairn.metrics import actions
from cairn.metrics.backends import ENGINES
from cairn.metrics.models import MetricDefinition
from cairn.metrics.recompute import DEFAULT_WEEKS


def _date(value: str) -> dt.date:
    try:
        return sane_day(value)
    except ValueError as exc:
        raise CommandError(f"--date: {exc}") from None


class Command(BaseCommand):
    help = "Load metric definitions from a file, export them to one, or recompute the metric series."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Create or update metrics (by slug) from a TOML file.")
        load.add_argument("file", nargs="?", type=Path)
        load.add_argument("--standard", action="store_true", help="Load Cairn's standard metric set.")
        export = sub.add_parser(
            "export", help="Write every metric definition as TOML, in the format `load` reads."
        )
        export.add_argument("file", nargs="?", type=Path, help="Where to write (default: standard output).")
        run = sub.add_parser("recompute", help="Compute the metric series on the weekly grid.")
        run.add_argument("--date", help="The latest observation date (default: today, UTC).")
        run.add_argument("--weeks", type=int, default=DEFAULT_WEEKS, help="Weekly dates in the grid.")
        run.add_argument("--engine", choices=ENGINES, default="duckdb")
        run.add_argument("--full", action="store_true", help="Redo every date, even current ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options)
        elif options["action"] == "export":
            self._export(options["file"])
        else:
            self._recompute(options)

    def _load(self, options: dict[str, Any]) -> None:
        path: Path | None = options["file"]
        if options["standard"] == (path is not None):
            raise CommandError("Give either a FILE or --standard.")
        try:
            result = actions.load_standard() if path is None else actions.load_file(path)
        except actions.LoadError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was saved.") from None
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _export(self, path: Path | None) -> None:
        if not MetricDefinition.objects.exists():
            raise CommandError("There are no metric definitions to export: cairn metrics load --standard")
        text = actions.export_text()
        if path is None:
            self.stdout.write(text, ending="")
            return
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot be written ({exc.strerror}).") from None
        count = MetricDefinition.objects.count()
        self.stdout.write(self.style.SUCCESS(f"{count} metric definition(s) written to {path}."))

    def _recompute(self, options: dict[str, Any]) -> None:
        if options["weeks"] < 1:
            raise CommandError("--weeks must be at least 1.")
        result = actions.recompute(
            date=_date(options["date"]) if options["date"] else None,
            weeks=options["weeks"], engine_name=options["engine"], full=options["full"],
            progress=self.stdout.write,
        )
        if not result.metrics:
            self.stdout.write("Load some first: cairn metrics load --standard")
