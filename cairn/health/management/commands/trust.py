"""`cairn trust report [--scorecard ID|NAME] [--lead-days 90] [--as-of YYYY-MM-DD]` prints how
well a scorecard would have ranked the accounts that churned; `cairn trust suggest` (same
options) also fits suggested weights and keeps them for a leader to review on the Trust page."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cairn.fields import sane_day
from cairn.health.models import Scorecard
from cairn.health.trust import actions
from cairn.health.trust.backtest import Report
from cairn.health.trust.forms import DEFAULT_LEAD_DAYS
from cairn.health.trust.suggest import Suggestion


def _date(text: str) -> dt.date:
    try:
        return sane_day(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"--as-of: {exc}") from None


def _lead(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 730:
        raise ArgumentTypeError(f"--lead-days: {text!r} is not a number of days from 1 to 730")
    return int(text)


def _scorecard(wanted: str | None) -> Scorecard:
    if wanted is None:
        card = Scorecard.objects.filter(is_default=True).first()
        if card is None:
            raise CommandError("--scorecard: there is no default scorecard; name one (id or name).")
        return card
    found = (
        Scorecard.objects.filter(pk=int(wanted)).first() if wanted.isdigit()
        else Scorecard.objects.filter(name__iexact=wanted).first()
    )
    if found is None:
        names = ", ".join(f"{c.pk} {c.name}" for c in Scorecard.objects.all()) or "none yet"
        raise CommandError(f"--scorecard: no scorecard {wanted!r} (there are: {names}).")
    return found


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    help = "Trust in a health scorecard: backtest it against churn, and suggest weights."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("report", "Print the backtest: AUC, lift of the riskiest tenth, counts."),
            ("suggest", "Backtest, fit suggested weights and keep them for review."),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--scorecard", help="Scorecard id or name (default: the default one).")
            sub.add_argument(
                "--lead-days", type=_lead, default=DEFAULT_LEAD_DAYS,
                help=f"Churn within this many days after a date counts (default {DEFAULT_LEAD_DAYS}).",
            )
            sub.add_argument("--as-of", type=_date, help="Outcomes known up to this day (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        card = _scorecard(options["scorecard"])
        as_of = options["as_of"] or timezone.localdate()
        lead = options["lead_days"]
        outcome = actions.evaluate(card, lead_days=lead, as_of=as_of)
        self._report(outcome.report)
        if options["action"] == "report":
            return
        row = actions.keep(outcome, card, lead_days=lead, as_of=as_of, by=None)
        self._suggestion(outcome.suggestion, row.pk)

    def _report(self, r: Report) -> None:
        out = self.stdout.write
        out(f"Backtest of {r.scorecard}: churn within {r.lead_days} days, outcomes known to {r.as_of}")
        out(f"  accounts {r.accounts}, observations {r.observations} on {r.dates} dates"
            + (f" ({r.first_date} to {r.last_date})" if r.first_date else "")
            + f", churn events {r.churn_events} ({r.churn_observations} churn observations)")
        if not r.enough:
            out(f"  {r.message}")
            return
        out(f"  AUC of (100 - score): {_ratio(r.auc)}")
        out(f"  lift of the riskiest tenth: {_ratio(r.lift)} (overall churn rate {r.churn_rate:.3f})")
        out("  lift by tenth, lowest scores first: " + " ".join(f"{x:.2f}" for x in r.tenths))

    def _suggestion(self, s: Suggestion, pk: int) -> None:
        out = self.stdout.write
        if s.message:
            out(s.message)
        if not s.fitted:
            return
        out(f"Out of time ({s.cv_folds} later periods, {s.cv_observations} observations): "
            f"AUC current {_ratio(s.cv_auc_current)}, suggested {_ratio(s.cv_auc_suggested)}")
        width = max(len(w.name) for w in s.rows)
        out(f"  {'measure':<{width}}  current  suggested  note")
        for w in s.rows:
            out(f"  {w.name:<{width}}  {w.current:>7.1f}  {w.suggested:>9.1f}  {w.note}")
        out(f"Suggestion {pk} waits for a leader's review on the Trust page (/health/trust/).")
