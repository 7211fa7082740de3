"""`cairn health recompute [--as-of YYYY-MM-DD] [--account ID ...]` and
`cairn health default-scorecard`."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cairn.health import actions
from cairn.health.models import Scorecard


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"--as-of: {text!r} is not a date like 2026-03-31") from None


class Command(BaseCommand):
    help = "Health scores: recompute them, or install the default scorecard."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        again = commands.add_parser("recompute", help="Score accounts and raise alerts.")
        again.add_argument("--as-of", type=_date, help="Scoring date (default: today).")
        again.add_argument(
            "--account", type=int, action="append", help="Only this account id (repeatable)."
        )
        commands.add_parser("default-scorecard", help="Create the default scorecard if missing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "default-scorecard":
            card = actions.ensure_default_scorecard()
            self.stdout.write(f"Default scorecard: {card.name} ({card.measures.count()} measures).")
            return
        if not Scorecard.objects.exists():
            raise CommandError(
                "There is no scorecard yet: run `cairn health default-scorecard` or make one "
                "on the Health page."
            )
        result = actions.recompute_scores(options["as_of"], accounts=options["account"])
        self.stdout.write(
            f"Scored {result.scored} accounts on {result.as_of:%Y-%m-%d} in {result.seconds:.2f} s: "
            f"{result.scored - result.without_data} with a score, {result.without_data} without "
            f"enough data; alerts raised {result.alerts_raised}, resolved {result.alerts_resolved}."
        )
        if not Scorecard.objects.filter(is_default=True).exists():
            self.stdout.write(
                "Note: no default scorecard, so accounts outside the scorecards' segments have no score."
            )
