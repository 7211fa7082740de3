"""`cairn forecast train|report|explain`: train a version of the churn forecast (judged out of
time first), print a version's model card, or say what drives one account's risk."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from cairn.customers.models import Account
from cairn.fields import sane_day
from cairn.forecast import actions, queries
from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus


def _day(flag: str):  # type: ignore[no-untyped-def]
    def parse(text: str) -> dt.date:
        try:
            return sane_day(text)
        except ValueError as exc:
            raise ArgumentTypeError(f"{flag}: {exc}") from None
    return parse


def _lead(text: str) -> int:
    if not text.isdigit() or not 7 <= int(text) <= 730:
        raise ArgumentTypeError(f"--lead-days: {text!r} is not a number of days from 7 to 730")
    return int(text)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _interval(pair: list[float] | None) -> str:
    return "" if not pair else f" (95 % interval {pair[0]:.2f}–{pair[1]:.2f})"


class Command(BaseCommand):
    help = "The churn forecast: train a version, print its model card, explain an account."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        train = commands.add_parser("train", help="Train a new version (judged out of time first).")
        lead = actions.DEFAULT_LEAD_DAYS
        train.add_argument("--lead-days", type=_lead, default=lead,
                           help=f"Churn within this many days counts (default {lead}).")
        train.add_argument("--as-of", type=_day("--as-of"),
                           help="Outcomes known up to this day (default today).")
        for flag in ("--train-from", "--train-until", "--test-from", "--test-until"):
            train.add_argument(flag, type=_day(flag),
                               help="First or last metric date of the period (inclusive).")
        report = commands.add_parser("report",
                                     help="Print a version's model card (default: the current one).")
        report.add_argument("--version", type=int, help="The version number.")
        explain = commands.add_parser("explain", help="What drives one account's forecast.")
        explain.add_argument("account", help="The account's id, external id or exact name.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "train":
            self._train(options)
        elif action == "report":
            self._report(options["version"])
        else:
            self._explain(options["account"])

    def _train(self, options: dict[str, Any]) -> None:
        dates = actions.Dates(options["train_from"], options["train_until"],
                              options["test_from"], options["test_until"])
        try:
            model = actions.train_model(lead_days=options["lead_days"], as_of=options["as_of"], dates=dates)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise CommandError(f"--{field.replace('_', '-')}: {' '.join(messages)}") from None
        self._card(model)
        if model.status != ModelStatus.TRAINED:
            raise CommandError(model.message)

    def _report(self, version: int | None) -> None:
        model = (
            ForecastModel.objects.filter(version=version).first() if version is not None
            else ForecastModel.objects.order_by("-version").first()
        )
        if model is None:
            raise CommandError(
                f"--version: there is no version {version}." if version is not None
                else "No forecast has been trained yet: run `cairn forecast train`."
            )
        self._card(model)

    def _card(self, model: ForecastModel) -> None:
        out = self.stdout.write
        out(f"Churn forecast version {model.version}: {model.get_status_display().lower()}, "
            f"churn within {model.lead_days} days, outcomes known to {model.as_of}, "
            f"trained {model.trained_at:%Y-%m-%d %H:%M} in {model.seconds:.1f} s")
        if model.status != ModelStatus.TRAINED:
            out(f"  {model.message}")
            return
        e = model.evaluation
        out(f"  Out of time: trained on {e['train_from']} to {e['train_until']} "
            f"({e['train_observations']:,} observations, {e['train_churn_events']:,} churned accounts), "
            f"tested on {e['test_from']} to {e['test_until']} "
            f"({e['test_observations']:,} observations, {e['test_churn_events']:,} churned accounts)")
        out(f"  AUC {_ratio(e['auc'])}{_interval(e['auc_ci'])}; "
            f"lift of the riskiest tenth {_ratio(e['lift'])}{_interval(e['lift_ci'])}")
        out(f"  Yardstick, a logistic regression on the same features, same dates: "
            f"AUC {_ratio(e['baseline_auc'])}, lift {_ratio(e['baseline_lift'])}")
        out(f"  Scoring version trained on every date with a known outcome: {model.fitted_from} to "
            f"{model.fitted_until} ({model.observations:,} observations, "
            f"{model.churn_events:,} churned accounts)")
        out("  Drivers across the book (mean effect on the log-odds):")
        for d in model.drivers[:8]:
            way = ("higher raises risk" if d["direction"] > 0.1
                   else "higher lowers risk" if d["direction"] < -0.1 else "mixed")
            out(f"    {d['label']}: {d['importance']:.3f} ({way})")

    def _explain(self, wanted: str) -> None:
        match = Q(external_id=wanted) | Q(name=wanted)
        if wanted.isdigit():
            match |= Q(pk=int(wanted))
        account = Account.objects.filter(match).first()
        if account is None:
            raise CommandError(f"account: no account with the id, external id or name {wanted!r}.")
        forecast = AccountForecast.objects.filter(account=account).select_related("model").first()
        if forecast is None:
            raise CommandError(
                f"account: {account.name} has no forecast (not a current customer, or no forecast "
                "has been trained: run `cairn forecast train`)."
            )
        self.stdout.write(queries.headline(account.name, forecast))
        for d in forecast.drivers:
            self.stdout.write(f"  {'+' if d['raises'] else '-'} {d['text']} "
                              f"({'raises' if d['raises'] else 'lowers'} the risk)")
