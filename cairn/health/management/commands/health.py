"""`cairn health recompute [--as-of YYYY-MM-DD] [--account ID ...]`,
`cairn health backfill [--since YYYY-MM-DD] [--until YYYY-MM-DD]` and
`cairn health default-scorecard`."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cairn.fields import sane_day
from cairn.health import actions
from cairn.health.models import Scorecard


def _date(text: str) -> dt.date:
    try:
        return sane_day(text)
    except ValueError as exc:
        raise ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = "Health scores: recompute them, or install the default scorecard."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        again = commands.add_parser("recompute", help="Score accounts and raise alerts.")
        again.add_argument("--as-of", type=_date, help="Scoring date (default: today).")
        again.add_argument(
            "--account", type=int, action="append", help="Only this account id (repeatable)."
        )
        past = commands.add_parser(
            "backfill",
            help="Score the observation dates before the first scoring date from the metric series.",
        )
        past.add_argument(
            "--since", type=_date, help="First date to fill (default: the first of the series)."
        )
        past.add_argument("--until", type=_date, help="Last date to fill (default: yesterday).")
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
        if options["action"] == "backfill":
            self._backfill(options["until"], options["since"])
            return
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

    def _backfill(self, until: dt.date | None, since: dt.date | None) -> None:
        done = actions.backfill_history(until, since)
        started = (
            f" The history already starts on {done.history_started:%Y-%m-%d}; only dates before it "
            "are filled."
            if done.history_started
            else ""
        )
        if not done.dates:
            self.stdout.write(
                "Nothing to fill: no complete observation date of the metric series is missing a "
                f"score (compute metrics on a grid with `cairn metrics`).{started}"
            )
            return
        self.stdout.write(
            f"Scored {len(done.dates)} past dates, {done.dates[0]:%Y-%m-%d} to "
            f"{done.dates[-1]:%Y-%m-%d}: {done.rows} score rows in {done.seconds:.2f} s.{started}"
        )
