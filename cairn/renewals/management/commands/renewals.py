"""`cairn renewals`: open a renewal for every customer's subscriptions coming up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.fields import EARLIEST_DAY, latest_day
from cairn.renewals import actions


class Command(BaseCommand):
    help = (
        f"Open a renewal for each account's active subscriptions ending within "
        f"{actions.HORIZON_DAYS} days (or ended up to {actions.OVERDUE_DAYS} days ago and still "
        "active) that no renewal covers yet. Every health refresh does the same; running it "
        "again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="The day to look ahead from (YYYY-MM-DD); today by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["as_of"]:
            try:
                today = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {options['as_of']!r} is not a date (YYYY-MM-DD).") from exc
            if not EARLIEST_DAY <= today <= latest_day():
                raise CommandError(f"--as-of: give a day from {EARLIEST_DAY} to {latest_day()}.")
        opened = actions.open_renewals(today)
        self.stdout.write(f"Opened {opened} renewal{'s' if opened != 1 else ''}.")
