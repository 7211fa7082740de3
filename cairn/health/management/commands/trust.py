"""`cairn trust report|suggest [--scorecard ID|NAME] [--lead-days 90] [--as-of YYYY-MM-DD]
[--train-from D] [--train-until D] [--test-from D] [--test-until D] [--include-new]`.

`report` prints how well a scorecard would have ranked the accounts that churned, out of time:
AUC and the lift of the riskiest tenth on the test dates with their 95 % intervals and per test
date; figures on dates a fit saw are labelled in-sample. `suggest` also fits suggested weights
on the training dates, measures them on the test dates, and keeps them for a leader to review
on the Trust page. Both exit non-zero, saying why, when there is not enough data.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cairn.fields import sane_day
from cairn.health.models import Scorecard
from cairn.health.trust import actions
from cairn.health.trust.backtest import (
    MAX_LEAD_DAYS,
    RESAMPLES,
    SPLIT_FIELDS,
    Figures,
    Judged,
    Report,
    with_interval,
)
from cairn.health.trust.forms import DEFAULT_LEAD_DAYS
from cairn.health.trust.observe import NEW_ACCOUNT_DAYS
from cairn.health.trust.suggest import Suggestion


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _date(flag: str) -> Callable[[str], dt.date]:
    def parse(text: str) -> dt.date:
        try:
            return sane_day(text)
        except ValueError as exc:
            raise ArgumentTypeError(f"{flag}: {exc}") from None

    return parse


def _lead(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_LEAD_DAYS:
        raise ArgumentTypeError(f"--lead-days: {text!r} is not a number of days from 1 to {MAX_LEAD_DAYS}")
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


def _refused(exc: ValidationError) -> CommandError:
    """A refused split or input as the command's error, naming the option."""
    if not hasattr(exc, "error_dict"):
        return CommandError(" ".join(exc.messages))
    return CommandError(
        "; ".join(f"{_flag(name)}: {' '.join(errors)}" for name, errors in exc.message_dict.items())
    )


class Command(BaseCommand):
    help = "Trust in a health scorecard: backtest it against churn out of time, and suggest weights."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("report", "Print the backtest on the test dates: AUC, lift of the riskiest tenth, counts."),
            ("suggest", "Backtest, fit suggested weights on the training dates and keep them for review."),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--scorecard", help="Scorecard id or name (default: the default one).")
            sub.add_argument(
                "--lead-days", type=_lead, default=DEFAULT_LEAD_DAYS,
                help=f"Churn within this many days after a date counts (default {DEFAULT_LEAD_DAYS}).",
            )
            sub.add_argument(
                "--as-of", type=_date("--as-of"), help="Outcomes known up to this day (default: today)."
            )
            for field, words in (
                ("train_from", "First training date (default: the first metric date)."),
                ("train_until", "Last training date (default: the last one whose churn window "
                                "ends by the first test date)."),
                ("test_from", "First test date (default: the last third of the metric dates)."),
                ("test_until", "Last test date (default: the last metric date whose churn is known)."),
            ):
                sub.add_argument(_flag(field), type=_date(_flag(field)), help=words)
            sub.add_argument(
                "--include-new", action="store_true",
                help=f"Also observe accounts in their first {NEW_ACCOUNT_DAYS} paying days "
                "(left out by default: they are easy to flag and flatter the score).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        card = _scorecard(options["scorecard"])
        as_of = options["as_of"] or timezone.localdate()
        try:
            outcome = actions.evaluate(
                card, lead_days=options["lead_days"], as_of=as_of,
                include_new=options["include_new"],
                **{name: options[name] for name in SPLIT_FIELDS},
            )
        except ValidationError as exc:
            raise _refused(exc) from None
        self._report(outcome.report)
        if not outcome.report.enough:
            raise CommandError(outcome.report.message)
        if options["action"] == "report":
            return
        row = actions.keep(outcome, card, by=None)
        self._suggestion(outcome.suggestion, outcome.suggested, outcome.report, row.pk)

    def _report(self, r: Report) -> None:
        out = self.stdout.write
        s = r.split
        out(f"Backtest of {r.scorecard}: churn within {r.lead_days} days, outcomes known to {r.as_of}")
        if s.test_from is not None:
            out(f"  test dates: {len(s.test_dates)} from {s.test_from} to {s.test_until}")
        if s.train_from is not None:
            out(f"  training dates: {len(s.train_dates)} from {s.train_from} to {s.train_until} "
                f"(each one's churn window ends by {s.test_from})")
        elif s.test_from is not None:
            out("  training dates: none end their churn window before the test dates start")
        if r.include_new:
            out("  new accounts: included")
        else:
            out(f"  new accounts: left out (first paid fewer than {NEW_ACCOUNT_DAYS} days before a date; "
                f"{r.new_left_out:,} observations on the test dates)")
        if not r.enough or r.test is None:
            return
        self._figures("Out of time, test dates only" if not r.test.in_sample else "IN-SAMPLE, test dates",
                      r.test, per_date=True)
        if r.train is not None:
            self._figures("Training dates" + (", IN-SAMPLE" if r.train.in_sample else ""), r.train)

    def _figures(self, title: str, f: Figures, *, per_date: bool = False) -> None:
        out = self.stdout.write
        out(f"{title} ({f.dates} dates, {f.first_date} to {f.last_date}):")
        if f.in_sample:
            out(f"  WARNING {f.warning}")
        out(f"  AUC of (100 - score): {with_interval(f.auc, f.auc_ci)}")
        out(f"  lift of the riskiest tenth: {with_interval(f.lift, f.lift_ci)}; "
            f"overall churn rate {(f.churn_rate or 0) * 100:.1f} %")
        out(f"  accounts {f.accounts:,}, observations {f.observations:,}, churn events {f.churn_events:,} "
            f"({f.churn_observations:,} churn observations)")
        if f.tenths:
            out("  lift by tenth, lowest scores first: " + " ".join(f"{x:.2f}" for x in f.tenths))
        if per_date and f.per_date:
            out("  per test date:")
            out(f"    {'date':<10}  {'observations':>12}  {'churned':>7}  {'AUC':>5}  {'lift':>5}")
            for d in f.per_date:
                out(f"    {d.day.isoformat():<10}  {d.observations:>12,}  {d.churns:>7,}  "
                    f"{_ratio(d.auc):>5}  {_ratio(d.lift):>5}")
        out(f"  (in brackets: 95 % interval over {RESAMPLES} resamples of accounts)")

    def _suggestion(self, s: Suggestion, judged: Judged | None, r: Report, pk: int) -> None:
        out = self.stdout.write
        if not s.fitted or judged is None:
            out(s.message)
            return
        out("Suggested weights, fitted on the training dates only:")
        out(f"  out of time, test dates: AUC {with_interval(judged.test.auc, judged.test.auc_ci)}, "
            f"lift {with_interval(judged.test.lift, judged.test.lift_ci)} "
            f"(current weights: AUC {_ratio(r.auc)}, lift {_ratio(r.lift)})")
        if judged.train is not None:
            out(f"  IN-SAMPLE, training dates: AUC {with_interval(judged.train.auc, judged.train.auc_ci)}, "
                f"lift {with_interval(judged.train.lift, judged.train.lift_ci)}")
            out(f"  WARNING {judged.train.warning}")
        width = max(len(w.name) for w in s.rows)
        out(f"  {'measure':<{width}}  current  suggested  note")
        for w in s.rows:
            out(f"  {w.name:<{width}}  {w.current:>7.1f}  {w.suggested:>9.1f}  {w.note}")
        out(f"Suggestion {pk} waits for a leader's review on the Trust page (/health/trust/).")


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
