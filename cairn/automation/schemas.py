"""API schemas of automation: rules (their definition in the shape of
cairn.automation.definition), their preview, firings and history; plays and their tasks;
account flags.

A rule's trigger, conditions and actions have the fields and bounds of the definition, without
its checks across fields (a trigger's required settings, a condition's values for its test, an
action's required setting): cairn.automation.actions.parse makes those after the permission
check, and names each refusal by its path ("trigger.points", "actions.0.title"). Choices are
spelled out as literals; a test keeps them equal to the definition's.

Every name starts with Automation: the OpenAPI document names each schema by its class name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen, MinLen
from ninja import Field, Schema
from pydantic import ConfigDict

from cairn.automation.actions import MAX_STEPS
from cairn.automation.definition import FLAG_CHARS, MAX_ACTIONS, MAX_CONDITIONS, MAX_DAYS
from cairn.automation.models import MAX_COOLDOWN_DAYS
from cairn.validation import NO_NUL, Name, Note, Title

TriggerKindValue = Literal[
    "light_changed", "score_fell", "metric_crossed", "renewal_near", "phase_stalled", "kpi_off_track",
    "detractor", "urgent_ticket", "link_answered", "link_expired", "task_overdue", "schedule",
]
LightValue = Literal["red", "amber", "green", ""]
DirectionValue = Literal["below", "above"]
EveryValue = Literal["day", "week", "month"]
FieldValue = Literal[
    "segment", "owner", "arr", "phase", "light", "score", "renewal_days", "industry", "region",
    "employees", "name", "flag",
]
OpValue = Literal["in", "not_in", "gte", "lte", "contains", "has", "has_not"]
ActionKindValue = Literal["task", "play", "email", "timeline", "flag", "webhook"]
AssigneeValue = Literal["owner", "engagement_owner", "rule_owner"]
RecipientValue = Literal["owner", "rule_owner", "leaders", "team", "contact"]
FlagStateValue = Literal["open", "cleared", "all"]

RecordId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Bound = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
PhaseKey = Annotated[str, MaxLen(60), NO_NUL]
Word = Annotated[str, MinLen(1), MaxLen(200), NO_NUL]
Body = Annotated[str, MaxLen(2000), NO_NUL]
TemplateKey = Annotated[str, MaxLen(60), NO_NUL]
FlagName = Annotated[str, MaxLen(FLAG_CHARS), NO_NUL]
Cooldown = Annotated[
    int, Field(ge=0, le=MAX_COOLDOWN_DAYS, description="Days between two firings on an account.")
]
DueDays = Annotated[int, Field(ge=0, le=365, description="Due this many days after it fires.")]


# --- A rule's definition ------------------------------------------------------------------


class AutomationTrigger(Schema):
    """What sets the rule off; each kind reads only its own settings: score_fell needs points
    and days, metric_crossed a metric, direction and value, renewal_near, phase_stalled and
    task_overdue days, schedule every."""

    # A setting the definition does not know is a mistake to name, not to drop silently.
    model_config = ConfigDict(extra="forbid")

    kind: TriggerKindValue
    light: LightValue = Field("", description="light_changed: changes to this light; blank: any change.")
    points: Annotated[int, Field(ge=1, le=100)] | None = Field(None, description="score_fell: by at least.")
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = Field(
        None, description="score_fell: within; renewal_near: before; phase_stalled: in the phase; "
        "task_overdue: overdue by.",
    )
    metric: RecordId | None = Field(None, description="metric_crossed: the metric's id.")
    direction: DirectionValue | None = None
    value: Bound | None = Field(None, description="metric_crossed: the threshold.")
    phase: PhaseKey = Field("", description="phase_stalled: only this phase (its key); blank: any.")
    every: EveryValue | None = None
    weekday: int = Field(0, ge=0, le=6, description="schedule every week: 0 is Monday.")
    day_of_month: int = Field(1, ge=1, le=28)


class AutomationCondition(Schema):
    """A test of the account: `values` for in and not_in, `number` for gte and lte, `text`
    for contains, has and has_not."""

    model_config = ConfigDict(extra="forbid")

    field: FieldValue
    op: OpValue
    values: Annotated[list[Word], MaxLen(50)] = Field(
        default_factory=list, description="Segments, lights, phase keys, owner ids (or none), industries.",
    )
    number: Bound | None = None
    text: Name = ""


class AutomationAction(Schema):
    """What the rule does: task (title, body, assignee, due_days), play (play), email (to,
    template), timeline (title, body), flag (flag), webhook (endpoint)."""

    model_config = ConfigDict(extra="forbid")

    kind: ActionKindValue
    title: Title = Field("", description="May use merge fields such as {{ account }}.")
    body: Body = ""
    assignee: AssigneeValue = "owner"
    due_days: DueDays = 0
    play: RecordId | None = None
    to: RecipientValue = "owner"
    template: TemplateKey = Field("", description="The e-mail template's key, such as rule_email.")
    flag: FlagName = ""
    endpoint: RecordId | None = Field(None, description="The webhook's id.")


Conditions = Annotated[list[AutomationCondition], MaxLen(MAX_CONDITIONS)]
Actions = Annotated[list[AutomationAction], MinLen(1), MaxLen(MAX_ACTIONS)]


# --- Rules --------------------------------------------------------------------------------


class AutomationRuleIn(Schema):
    name: Name = Field(min_length=1)
    description: Note = ""
    owner: int | None = Field(None, description="Who answers for the rule; the caller if left out.")
    cooldown_days: Cooldown = 14
    trigger: AutomationTrigger
    conditions: Conditions = Field(default_factory=list)
    actions: Actions


class AutomationRulePatch(Schema):
    """Any part; a trigger, conditions or actions given replace the rule's. A change to what
    the rule does (or its cooldown) makes a new version."""

    name: Name | None = Field(None, min_length=1)
    description: Note | None = None
    owner: int | None = None
    cooldown_days: Cooldown | None = None
    trigger: AutomationTrigger | None = None
    conditions: Conditions | None = None
    actions: Actions | None = None


class AutomationRuleOut(Schema):
    id: int
    name: str
    description: str
    owner: int = Field(alias="owner_id")
    owner_name: str
    enabled: bool
    version: int
    cooldown_days: int
    trigger: AutomationTrigger
    conditions: list[AutomationCondition]
    actions: list[AutomationAction]
    words: str = Field(description="The rule in words.")
    fired_last_30_days: int = Field(alias="fired_recently")
    last_fired_at: dt.datetime | None = Field(alias="last_fired")
    enabled_at: dt.datetime | None
    evaluated_through: dt.date | None = Field(description="It has acted on what happened up to this day.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_trigger(obj: Any) -> dict[str, Any]:
        return {"kind": obj.trigger, **(obj.trigger_settings or {})}

    @staticmethod
    def resolve_words(obj: Any) -> str:
        words = getattr(obj, "words", None)
        return words.sentence if words is not None else ""


class AutomationSwitchIn(Schema):
    enabled: bool
    catch_up: bool = Field(
        False, description="Switched on: act on the situations of the last 30 days its preview lists, "
        "not only on what happens from now on.",
    )


class AutomationPreviewRowOut(Schema):
    account: int = Field(alias="account_id")
    account_name: str
    event_on: dt.date
    summary: str
    matched: dict[str, Any]
    verdict: str = Field(description="fires, cooldown (held back by the cooldown) or already (acted on).")


class AutomationPreviewOut(Schema):
    start: dt.date
    end: dt.date
    fires: int
    cooldown: int
    already: int
    accounts: int = Field(description="How many accounts it would fire on.")
    truncated: bool = Field(description="More situations than the rows listed.")
    rows: list[AutomationPreviewRowOut]


class AutomationFiringOut(Schema):
    id: int
    rule: int = Field(alias="rule_id")
    version: int
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.name")
    event_key: str
    event_on: dt.date
    status: str = Field(description="fired, or suppressed (held back by the cooldown).")
    summary: str
    matched: dict[str, Any]
    outcomes: list[dict[str, Any]] = Field(description="What its actions did: tasks, e-mails, flags…")
    fired_at: dt.datetime


class AutomationChangeOut(Schema):
    field: str
    old: str
    new: str
    added: list[str]
    removed: list[str]


class AutomationHistoryOut(Schema):
    when: dt.datetime
    who: str
    what: str = Field(description="created, changed, switched on, switched off, deleted.")
    version: int | None
    changes: list[AutomationChangeOut]
    does: str = Field(description="What the rule does from this version on, in words, when that changed.")


# --- Plays --------------------------------------------------------------------------------


class AutomationStepIn(Schema):
    title: Title = Field(min_length=1, description="May use merge fields such as {{ account }}.")
    description: Note = ""
    assignee: AssigneeValue = "owner"
    due_days: DueDays = 0


class AutomationStepOut(Schema):
    id: int
    position: int
    title: str
    description: str
    assignee: str
    due_days: int


Steps = Annotated[list[AutomationStepIn], MinLen(1), MaxLen(MAX_STEPS)]


class AutomationPlayIn(Schema):
    name: Name = Field(min_length=1)
    description: Note = ""
    steps: Steps


class AutomationPlayPatch(Schema):
    name: Name | None = Field(None, min_length=1)
    description: Note | None = None
    steps: Steps | None = Field(None, description="Replaces the tasks.")


class AutomationPlayOut(Schema):
    id: int
    name: str
    description: str
    steps: list[AutomationStepOut]
    created_by: int | None = Field(alias="created_by_id")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


# --- Flags --------------------------------------------------------------------------------


class AutomationFlagIn(Schema):
    account: int
    name: FlagName = Field(min_length=1, description="For example: At risk.")


class AutomationFlagOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.name")
    name: str
    rule: int | None = Field(alias="rule_id", description="The rule that set it, if one did.")
    set_by: int | None = Field(alias="set_by_id")
    set_at: dt.datetime
    cleared_at: dt.datetime | None
    cleared_by: int | None = Field(alias="cleared_by_id")


class AutomationFlagFilter(Schema):
    account: int | None = None
    state: FlagStateValue = "open"


class AutomationFiringFilter(Schema):
    status: Literal["fired", "suppressed"] | None = None
