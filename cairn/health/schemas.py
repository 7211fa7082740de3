"""API schemas for scorecards, scores with their explanations, and manual ratings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.health.models import Scorecard
from cairn.health.queries import score_lines
from cairn.validation import NO_NUL, Day, Note

IndicatorValue = Literal[
    "sponsorship", "advocacy", "sentiment", "support_utilization", "product_utilization",
    "company_health", "nps",
]
SourceValue = Literal["metric", "manual", "survey", "tickets"]
MethodValue = Literal["thresholds", "bands", "log", "percentile"]
RatingChoice = Literal["1", "2", "3", "4", "5", "red", "yellow", "green"]


class BandSchema(Schema):
    low: float | None = Field(None, description="Lowest value of the band (inclusive); null: no limit.")
    high: float | None = Field(None, description="Upper end (exclusive); null: no limit.")
    points: float


class MeasureSchema(Schema):
    id: int | None = None
    name: Annotated[str, MaxLen(150), NO_NUL]
    indicator: IndicatorValue
    weight: float
    source: SourceValue
    metric: int | None = Field(None, description="MetricDefinition id, for metric measures.")
    method: MethodValue = Field(
        "thresholds",
        description="thresholds: linear from bad_value (0 points) to good_value (100 points); "
        "log: the same on log(1 + value), values of 0 or more; percentile: the same on the "
        "value's percentile rank among the book's accounts on the date, bad_value and "
        "good_value being ranks (0-100; both null: the rank itself); bands: see bands.",
    )
    bad_value: float | None = None
    good_value: float | None = None
    reverse_direction: bool = Field(
        False, description="Metric measures: scored against the metric's own direction."
    )
    bands: list[BandSchema] = []
    window_days: int = 90

    @staticmethod
    def resolve_metric(obj: Any) -> int | None:
        return getattr(obj, "metric_id", None) if not isinstance(obj, dict) else obj.get("metric")

    @staticmethod
    def resolve_bands(obj: Any) -> list[dict[str, Any]]:
        raw = obj.get("bands") if isinstance(obj, dict) else obj.bands
        return [
            b if "low" in b or "high" in b
            else {"low": b.get("from"), "high": b.get("to"), "points": b["points"]}
            for b in raw or []
        ]


class ScorecardOut(Schema):
    id: int
    name: str
    description: str
    segments: list[str]
    is_default: bool
    green_from: int
    red_below: int
    max_age_days: int
    alert_drop_points: int
    alert_period_days: int
    measures: list[MeasureSchema]
    updated_at: dt.datetime

    @staticmethod
    def resolve_measures(card: Scorecard) -> list[Any]:
        return list(card.measures.all())


class ScorecardIn(Schema):
    name: Annotated[str, MaxLen(150), NO_NUL]
    description: Note = ""
    segments: list[Note] = []
    is_default: bool = False
    green_from: int = 70
    red_below: int = 40
    max_age_days: int = 45
    alert_drop_points: int = 15
    alert_period_days: int = 30
    measures: list[MeasureSchema]


class MeasureLine(Schema):
    key: str
    name: str
    indicator: str
    value: float | str | None
    points: float | None
    weight: float
    effective_weight: float
    contribution: float
    note: str


class ScoreOut(Schema):
    account_id: int
    scored_on: dt.date
    score: float | None = Field(description="0-100; null means not enough data.")
    light: str
    scorecard: str
    pulled_down: list[str] = Field(description="Keys of the measures that cost the most points.")
    measures: list[MeasureLine]

    @staticmethod
    def resolve_scorecard(obj: Any) -> str:
        return obj.snapshot.name if obj.snapshot else ""

    @staticmethod
    def resolve_pulled_down(obj: Any) -> list[str]:
        return list(obj.explanation.get("pulled_down", []))

    @staticmethod
    def resolve_measures(obj: Any) -> list[dict[str, Any]]:
        return score_lines(obj)


class ScorePoint(Schema):
    scored_on: dt.date
    score: float | None
    light: str


class RatingIn(Schema):
    indicator: IndicatorValue
    rating: RatingChoice
    comment: Note
    expires_on: Day


class RatingOut(Schema):
    id: int
    account_id: int
    indicator: str
    rating: str
    comment: str
    rated_on: dt.date
    expires_on: dt.date
    rated_by_id: int | None
