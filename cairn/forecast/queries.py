"""Reading forecasts for the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus

# A driver whose value and contribution move together less than this reads as mixed.
CLEAR_DIRECTION = 0.1
BOOK_DRIVERS_SHOWN = 12


def headline(name: str, forecast: AccountForecast) -> str:
    return (f"{name}: {forecast.probability:.0%} chance of churning within "
            f"{forecast.model.lead_days} days of {forecast.scored_on} "
            f"(forecast version {forecast.model.version})")


def current_model() -> ForecastModel | None:
    return ForecastModel.objects.filter(status=ModelStatus.TRAINED).order_by("-version").first()


def latest_attempt() -> ForecastModel | None:
    return ForecastModel.objects.order_by("-version").first()


def for_account(account_id: int) -> AccountForecast | None:
    return AccountForecast.objects.filter(account_id=account_id).select_related("model").first()


def versions() -> list[ForecastModel]:
    """Every version, newest first, with what a list shows (not the drivers or features)."""
    return list(
        ForecastModel.objects.order_by("-version")
        .defer("features", "drivers", "calibration")
    )


def version(number: int) -> ForecastModel | None:
    return ForecastModel.objects.filter(version=number).select_related("trained_by").first()


def shown_by_default() -> ForecastModel | None:
    """The version the model card opens on: the one scoring the book, else the latest try."""
    found = ForecastModel.objects.select_related("trained_by").order_by("-version")
    return found.filter(status=ModelStatus.TRAINED).first() or found.first()


def newer_failure(shown: ForecastModel, every: list[ForecastModel]) -> ForecastModel | None:
    """The latest training, when it came after the version shown and lacked history: the
    card keeps showing the version that scores the book, and says the retraining failed."""
    latest = every[0] if every else None
    if latest is None or latest.version <= shown.version or latest.status == ModelStatus.TRAINED:
        return None
    return latest


def ratio(value: float | None) -> str:
    """AUC or lift with two decimals; a dash when there is none."""
    return "—" if value is None else f"{value:.2f}"


def with_interval(value: float | None, interval: list[float] | None) -> str:
    """The figure and its 95 % interval, as "0.74 (0.71-0.77)" with an en dash."""
    if value is None:
        return "—"
    if not interval:
        return ratio(value)
    return f"{value:.2f} ({interval[0]:.2f}–{interval[1]:.2f})"


def direction_words(direction: float) -> str:
    """Which way a feature pushes the risk as its value rises, across the book."""
    if direction > CLEAR_DIRECTION:
        return "higher raises risk"
    if direction < -CLEAR_DIRECTION:
        return "higher lowers risk"
    return "no clear direction"


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def period(first: dt.date | None, last: dt.date | None) -> str:
    """"6 January 2025 to 14 April 2025" ("6 January 2025" for one date)."""
    if first is None or last is None:
        return "no dates"
    if first == last:
        return f"{first.day} {first:%B %Y}"
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


@dataclass(frozen=True)
class BookDriver:
    feature: str
    label: str
    importance: float
    direction: float
    words: str
    share: float  # of the largest importance, for the bar


@dataclass(frozen=True)
class Headline:
    """The out-of-time figures of a version, as the list and the card show them."""

    auc: float | None
    auc_interval: list[float] | None
    lift: float | None
    lift_interval: list[float] | None
    baseline_auc: float | None
    baseline_lift: float | None

    @property
    def auc_text(self) -> str:
        return with_interval(self.auc, self.auc_interval)

    @property
    def lift_text(self) -> str:
        return with_interval(self.lift, self.lift_interval)


def headline_figures(model: ForecastModel) -> Headline:
    e = model.evaluation or {}
    return Headline(
        e.get("auc"), e.get("auc_ci"), e.get("lift"), e.get("lift_ci"),
        e.get("baseline_auc"), e.get("baseline_lift"),
    )


def book_drivers(model: ForecastModel, most: int = BOOK_DRIVERS_SHOWN) -> list[BookDriver]:
    rows = (model.drivers or [])[:most]
    top = max((float(d["importance"]) for d in rows), default=0.0)
    return [
        BookDriver(
            feature=str(d["feature"]), label=str(d["label"]), importance=float(d["importance"]),
            direction=float(d["direction"]), words=direction_words(float(d["direction"])),
            share=round(100 * float(d["importance"]) / top, 1) if top > 0 else 0.0,
        )
        for d in rows
    ]


@dataclass(frozen=True)
class Card:
    """What the model card shows of one version."""

    model: ForecastModel
    figures: Headline
    evaluation: dict[str, Any]
    train_period: str
    test_period: str
    scoring_period: str
    per_date: list[dict[str, Any]]
    drivers: list[BookDriver]

    @property
    def trained(self) -> bool:
        return self.model.status == ModelStatus.TRAINED


def card(model: ForecastModel) -> Card:
    e = model.evaluation or {}
    per_date = [
        {**p, "date": _day(p["date"]), "auc_text": ratio(p.get("auc")), "lift_text": ratio(p.get("lift"))}
        for p in e.get("per_date", [])
    ]
    return Card(
        model=model,
        figures=headline_figures(model),
        evaluation=e,
        train_period=period(_day(e.get("train_from")), _day(e.get("train_until"))),
        test_period=period(_day(e.get("test_from")), _day(e.get("test_until"))),
        scoring_period=period(model.fitted_from, model.fitted_until),
        per_date=per_date,
        drivers=book_drivers(model),
    )


def account_page(request: HttpRequest, account: Any) -> dict[str, Any]:
    """The account page's churn forecast section: the account's latest forecast, its version
    and drivers; one query."""
    return {
        "account_sections": ["forecast/_account.html"],
        "churn_forecast": for_account(account.pk),
    }
