"""API schemas of the churn forecast: versions with their out-of-time figures, and an
account's latest forecast with its drivers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from cairn.forecast.actions import DEFAULT_LEAD_DAYS
from cairn.forecast.forms import MAX_LEAD, MIN_LEAD
from cairn.validation import Day

Status = Literal["trained", "not_enough"]

OUT_OF_TIME = "Measured on test dates after every training date (out of time)."


class ModelSummaryOut(Schema):
    version: int
    status: Status
    status_label: str
    lead_days: int = Field(description="The forecast is the chance of churning within this many days.")
    as_of: dt.date = Field(description="Outcomes known up to this day.")
    trained_at: dt.datetime
    seconds: float = Field(description="How long the training took.")
    message: str = Field(description="Without enough history: what the forecast needs.")
    out_of_time: bool = Field(description="Every figure is out of time: always true.")
    auc: float | None = Field(description=f"AUC. {OUT_OF_TIME}")
    auc_interval: list[float] | None = Field(description="The AUC's 95 % interval (low, high), "
                                             "from resampling accounts.")
    lift: float | None = Field(description=f"Lift of the riskiest tenth. {OUT_OF_TIME}")
    lift_interval: list[float] | None = Field(description="The lift's 95 % interval (low, high).")
    baseline_auc: float | None = Field(description="The yardstick's AUC: a logistic regression on "
                                       "the same features, same dates, out of time.")
    baseline_lift: float | None = Field(description="The yardstick's lift of the riskiest tenth.")


class PerDateOut(Schema):
    date: dt.date
    observations: int
    churned: int
    auc: float | None
    lift: float | None


class CalibrationBinOut(Schema):
    predicted: float = Field(description="The tenth's average forecast.")
    observed: float = Field(description="The share of the tenth that churned.")
    count: int


class EvaluationOut(Schema):
    """The out-of-time check: fitted on the training dates, measured on the test dates."""

    train_from: dt.date | None
    train_until: dt.date | None
    test_from: dt.date | None
    test_until: dt.date | None
    train_observations: int
    train_churn_events: int = Field(description="Accounts that churned within the lead of a training date.")
    test_observations: int
    test_churn_events: int
    churn_rate: float | None = Field(description="Share of the test observations that churned.")
    brier: float | None
    per_date: list[PerDateOut]
    calibration: list[CalibrationBinOut] = Field(description="Tenths of the test observations, "
                                                 "lowest forecasts first.")
    tenths: list[float] = Field(description="Lift of each tenth, highest forecasts first.")


class BookDriverOut(Schema):
    feature: str
    label: str
    importance: float = Field(description="Mean absolute contribution to the log-odds.")
    direction: float = Field(description="Correlation of the feature's value with its contribution: "
                             "above 0, a higher value raises the risk.")
    direction_text: str


class FeatureOut(Schema):
    name: str
    label: str
    kind: str
    metric: str
    back_days: int


class ModelOut(ModelSummaryOut):
    train_from: dt.date | None = Field(description="First training date of the out-of-time check.")
    train_until: dt.date | None
    test_from: dt.date | None = Field(description="First test date of the out-of-time check.")
    test_until: dt.date | None
    fitted_from: dt.date | None = Field(description="First date the scoring version learned from "
                                        "(after the check, every date with a known outcome).")
    fitted_until: dt.date | None
    observations: int = Field(description="Observations the scoring version learned from.")
    churn_events: int = Field(description="Churned accounts among them.")
    evaluation: EvaluationOut | None = Field(description="Null without enough history.")
    drivers: list[BookDriverOut]
    features: list[FeatureOut]


class AccountDriverOut(Schema):
    feature: str
    text: str = Field(description='What the account\'s value says, e.g. "Logins fell 60 % in 28 days".')
    effect: float = Field(description="Contribution to the account's log-odds of churning.")
    raises: bool = Field(description="True when it raises the risk.")


class AccountForecastOut(Schema):
    account_id: int
    probability: float = Field(description="Chance of churning within lead_days after scored_on.")
    scored_on: dt.date
    lead_days: int
    version: int
    drivers: list[AccountDriverOut] = Field(description="Those raising the risk most first, then "
                                            "those lowering it most.")


class TrainIn(Schema):
    lead_days: int = Field(DEFAULT_LEAD_DAYS, ge=MIN_LEAD, le=MAX_LEAD,
                           description="Churn within this many days counts.")
    as_of: Day | None = Field(None, description="Outcomes known up to this day; today when null.")
    train_from: Day | None = Field(None, description="First metric date to learn from.")
    train_until: Day | None = None
    test_from: Day | None = Field(None, description="First metric date of the out-of-time check.")
    test_until: Day | None = None
