"""What a rule is, as data: one trigger, the conditions an account must meet, the actions
taken when it fires. The rule's row keeps each part as JSON; these types are its schema, so
the form, the API and the engine read and check one definition.

Merge fields in a task's title or a timeline entry are written `{{ account }}`; only the
names in MERGE_FIELDS are known (cairn.automation.merge), so a template can print a value
and never reach an object's attributes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.db import models
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cairn.fields import NAME, TITLE

MAX_CONDITIONS = 12
MAX_ACTIONS = 10
MAX_DAYS = 730
FLAG_CHARS = 40


class TriggerKind(models.TextChoices):
    LIGHT_CHANGED = "light_changed", "Health light changes"
    SCORE_FELL = "score_fell", "Health score falls"
    METRIC_CROSSED = "metric_crossed", "A metric crosses a threshold"
    RENEWAL_NEAR = "renewal_near", "A renewal comes within reach"
    PHASE_STALLED = "phase_stalled", "A phase gate waits too long"
    KPI_OFF_TRACK = "kpi_off_track", "A KPI turns off track"
    DETRACTOR = "detractor", "A detractor answers a survey"
    URGENT_TICKET = "urgent_ticket", "A high-priority ticket opens"
    LINK_ANSWERED = "link_answered", "A customer link is answered"
    LINK_EXPIRED = "link_expired", "A customer link expires unanswered"
    TASK_OVERDUE = "task_overdue", "A task becomes overdue"
    SCHEDULE = "schedule", "On a schedule"


class Every(models.TextChoices):
    DAY = "day", "Every day"
    WEEK = "week", "Every week"
    MONTH = "month", "Every month"


class Direction(models.TextChoices):
    BELOW = "below", "Falls below"
    ABOVE = "above", "Rises above"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(Strict):
    """The trigger and its settings; each kind reads only its own (see REQUIRED)."""

    kind: TriggerKind
    # Light changes: to this light; blank for any change.
    light: Literal["red", "amber", "green", ""] = ""
    # Score falls: by at least `points` within `days`. Renewal near, phase stalled, task
    # overdue: the days before the renewal, in the phase, past the due date.
    points: Annotated[int, Field(ge=1, le=100)] | None = None
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = None
    # Metric crosses: the metric's id, which way, and the threshold.
    metric: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    direction: Direction | None = None
    value: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    # Phase stalled: only this phase (its key); blank for any.
    phase: Annotated[str, Field(max_length=60)] = ""
    # Schedule: every day, week (on `weekday`, 0 is Monday) or month (on `day_of_month`).
    every: Every | None = None
    weekday: Annotated[int, Field(ge=0, le=6)] = 0
    day_of_month: Annotated[int, Field(ge=1, le=28)] = 1

    @model_validator(mode="after")
    def _has_its_settings(self) -> Trigger:
        missing = [name for name in REQUIRED.get(self.kind, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.kind.label} needs: {', '.join(missing)}.")
        return self


REQUIRED: dict[str, tuple[str, ...]] = {
    TriggerKind.SCORE_FELL: ("points", "days"),
    TriggerKind.METRIC_CROSSED: ("metric", "direction", "value"),
    TriggerKind.RENEWAL_NEAR: ("days",),
    TriggerKind.PHASE_STALLED: ("days",),
    TriggerKind.TASK_OVERDUE: ("days",),
    TriggerKind.SCHEDULE: ("every",),
}


class Field_(models.TextChoices):
    """What a condition looks at: the account, its latest health, its engagement, its flags."""

    SEGMENT = "segment", "Segment"
    OWNER = "owner", "Owner"
    ARR = "arr", "ARR"
    PHASE = "phase", "Engagement phase"
    LIGHT = "light", "Health light"
    SCORE = "score", "Health score"
    RENEWAL_DAYS = "renewal_days", "Days to the next renewal"
    INDUSTRY = "industry", "Industry"
    REGION = "region", "Region"
    EMPLOYEES = "employees", "Employees"
    NAME = "name", "Account name"
    FLAG = "flag", "Flag"


class Op(models.TextChoices):
    IN = "in", "is one of"
    NOT_IN = "not_in", "is none of"
    GTE = "gte", "is at least"
    LTE = "lte", "is at most"
    CONTAINS = "contains", "contains"
    HAS = "has", "is set"
    HAS_NOT = "has_not", "is not set"


# Which operators each field takes.
OPS: dict[str, tuple[str, ...]] = {
    Field_.SEGMENT: (Op.IN, Op.NOT_IN),
    Field_.OWNER: (Op.IN, Op.NOT_IN),
    Field_.ARR: (Op.GTE, Op.LTE),
    Field_.PHASE: (Op.IN, Op.NOT_IN),
    Field_.LIGHT: (Op.IN, Op.NOT_IN),
    Field_.SCORE: (Op.GTE, Op.LTE),
    Field_.RENEWAL_DAYS: (Op.GTE, Op.LTE),
    Field_.INDUSTRY: (Op.IN, Op.NOT_IN, Op.CONTAINS),
    Field_.REGION: (Op.IN, Op.NOT_IN, Op.CONTAINS),
    Field_.EMPLOYEES: (Op.GTE, Op.LTE),
    Field_.NAME: (Op.CONTAINS,),
    Field_.FLAG: (Op.HAS, Op.HAS_NOT),
}
NUMERIC = {Field_.ARR, Field_.SCORE, Field_.RENEWAL_DAYS, Field_.EMPLOYEES}

Word = Annotated[str, Field(min_length=1, max_length=NAME)]


class Condition(Strict):
    field: Field_
    op: Op
    # A list for is one of / is none of, a number for at least / at most, a word otherwise.
    values: Annotated[list[Word], Field(max_length=50)] = []
    number: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    text: Annotated[str, Field(max_length=NAME)] = ""

    @model_validator(mode="after")
    def _fits_its_field(self) -> Condition:
        if self.op not in OPS[self.field]:
            allowed = ", ".join(Op(op).label for op in OPS[self.field])
            raise ValueError(f"{self.field.label} takes: {allowed}.")
        if self.op in (Op.IN, Op.NOT_IN) and not self.values:
            raise ValueError(f"{self.field.label}: choose at least one value.")
        if self.op in (Op.GTE, Op.LTE) and self.number is None:
            raise ValueError(f"{self.field.label}: give a number.")
        if self.op in (Op.CONTAINS, Op.HAS, Op.HAS_NOT) and not self.text.strip():
            raise ValueError(f"{self.field.label}: give the text to look for.")
        return self


class ActionKind(models.TextChoices):
    TASK = "task", "Create a task"
    PLAY = "play", "Start a play"
    EMAIL = "email", "Send an e-mail"
    TIMELINE = "timeline", "Add a timeline entry"
    FLAG = "flag", "Flag the account"
    WEBHOOK = "webhook", "Call a webhook"


class Assignee(models.TextChoices):
    OWNER = "owner", "The account's owner"
    ENGAGEMENT_OWNER = "engagement_owner", "The engagement's owner"
    RULE_OWNER = "rule_owner", "The rule's owner"


class Recipient(models.TextChoices):
    OWNER = "owner", "The account's owner"
    RULE_OWNER = "rule_owner", "The rule's owner"
    LEADERS = "leaders", "Every CS leader"
    TEAM = "team", "The engagement team"
    CONTACT = "contact", "The customer's key stakeholder (most power)"


class Action(Strict):
    kind: ActionKind
    title: Annotated[str, Field(max_length=TITLE)] = ""
    body: Annotated[str, Field(max_length=2000)] = ""
    assignee: Assignee = Assignee.OWNER
    due_days: Annotated[int, Field(ge=0, le=365)] = 0
    play: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    to: Recipient = Recipient.OWNER
    template: Annotated[str, Field(max_length=60)] = ""
    flag: Annotated[str, Field(max_length=FLAG_CHARS)] = ""
    endpoint: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None

    @model_validator(mode="after")
    def _has_its_settings(self) -> Action:
        needs = {
            ActionKind.TASK: ("title", "Task title"),
            ActionKind.TIMELINE: ("title", "Entry title"),
            ActionKind.FLAG: ("flag", "Flag"),
            ActionKind.EMAIL: ("template", "E-mail template"),
            ActionKind.PLAY: ("play", "Play"),
            ActionKind.WEBHOOK: ("endpoint", "Webhook"),
        }[self.kind]
        value = getattr(self, needs[0])
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"{self.kind.label}: {needs[1]} is required.")
        return self


class Definition(Strict):
    trigger: Trigger
    conditions: Annotated[list[Condition], Field(max_length=MAX_CONDITIONS)] = []
    actions: Annotated[list[Action], Field(min_length=1, max_length=MAX_ACTIONS)]
