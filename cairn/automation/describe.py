"""A rule in words, from its definition: "When the health light turns red, for accounts in
segment Enterprise with ARR at least 50,000: create a task …".

The records a definition names by id or key (a metric, a play, an e-mail template, a
webhook, owners, phases) are looked up for many definitions at once (`Names.of`), one query
per kind of record, so a page of rules or of a rule's versions reads in a constant number of
queries. A record deleted since is named as such rather than failing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from django.utils import formats

from cairn.automation.actions import definition_of
from cairn.automation.definition import (
    Action,
    ActionKind,
    Assignee,
    Condition,
    Definition,
    Direction,
    Every,
    Field_,
    Op,
    Recipient,
    Trigger,
    TriggerKind,
)
from cairn.customers.models import Segment
from cairn.health.models import Light

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOBODY = "none"  # the owner condition's value for accounts without an owner


def number(value: float) -> str:
    """50000.0 as "50,000", 2.5 as "2.5"."""
    whole = float(value).is_integer()
    return formats.number_format(value if not whole else int(value), decimal_pos=None if whole else 1,
                                 use_l10n=True, force_grouping=True)


def _lower(label: Any) -> str:
    text = str(label)
    return text[:1].lower() + text[1:]


def _either(words: list[str]) -> str:
    """"a", "a or b", "a, b or c"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


@dataclasses.dataclass
class Names:
    """What a definition's ids and keys stand for, by kind."""

    metrics: dict[int, str] = dataclasses.field(default_factory=dict)
    plays: dict[int, str] = dataclasses.field(default_factory=dict)
    templates: dict[str, str] = dataclasses.field(default_factory=dict)
    endpoints: dict[int, str] = dataclasses.field(default_factory=dict)
    users: dict[str, str] = dataclasses.field(default_factory=dict)
    phases: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, definitions: Iterable[Definition]) -> Names:
        """The names every definition needs, at most one query per kind of record."""
        from cairn.metrics.models import MetricDefinition
        from cairn.people.models import User
        from cairn.playbooks.models import Phase

        metrics: set[int] = set()
        plays: set[int] = set()
        templates: set[str] = set()
        endpoints: set[int] = set()
        users: set[int] = set()
        phases = False
        for definition in definitions:
            trigger = definition.trigger
            if trigger.kind == TriggerKind.METRIC_CROSSED and trigger.metric is not None:
                metrics.add(trigger.metric)
            phases = phases or bool(trigger.phase)
            for condition in definition.conditions:
                if condition.field == Field_.OWNER:
                    users.update(int(v) for v in condition.values if v.isdigit() and len(v) < 12)
                phases = phases or condition.field == Field_.PHASE
            for action in definition.actions:
                if action.kind == ActionKind.PLAY and action.play is not None:
                    plays.add(action.play)
                if action.kind == ActionKind.EMAIL and action.template:
                    templates.add(action.template)
                if action.kind == ActionKind.WEBHOOK and action.endpoint is not None:
                    endpoints.add(action.endpoint)
        names = cls()
        if metrics:
            names.metrics = dict(MetricDefinition.objects.filter(pk__in=metrics).values_list("pk", "name"))
        if users:
            names.users = {str(user.pk): str(user) for user in User.objects.filter(pk__in=users)}
        if phases:
            # A key keeps the name of its newest playbook version.
            names.phases = dict(Phase.objects.order_by("version_id", "position").values_list("key", "name"))
        if plays:
            from cairn.automation.models import Play

            names.plays = dict(Play.objects.filter(pk__in=plays).values_list("pk", "name"))
        if templates:
            from cairn.notifications.models import EmailTemplate

            names.templates = dict(EmailTemplate.objects.filter(key__in=templates).values_list("key", "name"))
        if endpoints:
            from cairn.webhooks.models import Endpoint

            names.endpoints = dict(Endpoint.objects.filter(pk__in=endpoints).values_list("pk", "name"))
        return names

    def phase(self, key: str) -> str:
        return self.phases.get(key, key)

    def user(self, value: str) -> str:
        if value == NOBODY:
            return "nobody"
        return self.users.get(value, "a deleted user")


# --- Triggers -----------------------------------------------------------------------------


def trigger_words(trigger: Trigger, names: Names) -> str:
    """What sets the rule off, as the rest of "When …" (or "Every …" for a schedule)."""
    kind = trigger.kind
    if kind == TriggerKind.LIGHT_CHANGED:
        return f"the health light turns {trigger.light}" if trigger.light else "the health light changes"
    if kind == TriggerKind.SCORE_FELL:
        return f"the health score falls by at least {trigger.points} points within {trigger.days} days"
    if kind == TriggerKind.METRIC_CROSSED:
        metric = names.metrics.get(trigger.metric or 0, "a deleted metric")
        how = "falls below" if trigger.direction == Direction.BELOW else "rises above"
        return f"{metric} {how} {number(trigger.value or 0)}"
    if kind == TriggerKind.RENEWAL_NEAR:
        return f"a renewal comes within {trigger.days} days"
    if kind == TriggerKind.PHASE_STALLED:
        where = f"the {names.phase(trigger.phase)} phase gate" if trigger.phase else "a phase gate"
        return f"an engagement waits at {where} for more than {trigger.days} days"
    if kind == TriggerKind.TASK_OVERDUE:
        return f"a task is overdue by {trigger.days} days"
    if kind == TriggerKind.SCHEDULE:
        if trigger.every == Every.WEEK:
            return f"every {WEEKDAYS[trigger.weekday]}"
        if trigger.every == Every.MONTH:
            return f"every month on day {trigger.day_of_month}"
        return "every day"
    return _lower(kind.label)


def _lead(trigger: Trigger, names: Names) -> str:
    words = trigger_words(trigger, names)
    if trigger.kind == TriggerKind.SCHEDULE:
        return words[:1].upper() + words[1:]
    return f"When {words}"


# --- Conditions ---------------------------------------------------------------------------


def _labels(condition: Condition, names: Names) -> list[str]:
    field, values = condition.field, condition.values
    if field == Field_.SEGMENT:
        labels = dict(Segment.choices)
        return [str(labels.get(v, v)) for v in values]
    if field == Field_.LIGHT:
        labels = dict(Light.choices)
        return [_lower(labels.get(v, v)) for v in values]
    if field == Field_.PHASE:
        return [names.phase(v) for v in values]
    if field == Field_.OWNER:
        return [names.user(v) for v in values]
    return list(values)


def condition_words(condition: Condition, names: Names) -> str:
    """One condition, as it follows "for accounts …"."""
    field, op = condition.field, condition.op
    negated = op in (Op.NOT_IN, Op.HAS_NOT)
    if op in (Op.IN, Op.NOT_IN):
        values = _either(_labels(condition, names))
        phrases = {
            Field_.SEGMENT: ("in segment", "not in segment"),
            Field_.OWNER: ("owned by", "not owned by"),
            Field_.PHASE: ("in phase", "not in phase"),
            Field_.LIGHT: ("whose health light is", "whose health light is not"),
            Field_.INDUSTRY: ("in industry", "not in industry"),
            Field_.REGION: ("in region", "not in region"),
        }
        words = phrases.get(field, (f"whose {_lower(field.label)} is", f"whose {_lower(field.label)} is not"))
        return f"{words[negated]} {values}"
    if op in (Op.GTE, Op.LTE):
        bound = "at least" if op == Op.GTE else "at most"
        value = number(condition.number or 0)
        if field == Field_.ARR:
            return f"with ARR {bound} {value}"
        if field == Field_.SCORE:
            return f"with a health score of {bound} {value}"
        if field == Field_.RENEWAL_DAYS:
            return f"renewing in {bound} {value} days"
        if field == Field_.EMPLOYEES:
            return f"with {bound} {value} employees"
        return f"whose {_lower(field.label)} is {bound} {value}"
    text = condition.text.strip()
    if field == Field_.FLAG:
        return f"{'not ' if negated else ''}flagged “{text}”"
    return f"whose {_lower(field.label)} contains “{text}”"


# --- Actions ------------------------------------------------------------------------------


def due_words(days: int) -> str:
    if days == 0:
        return "due the same day"
    return f"due in {days} day{'s' if days != 1 else ''}"


def action_words(action: Action, names: Names) -> str:
    kind = action.kind
    if kind == ActionKind.TASK:
        who = _lower(Assignee(action.assignee).label)
        return f"create a task “{action.title}” for {who} {due_words(action.due_days)}"
    if kind == ActionKind.PLAY:
        return f"start the play “{names.plays.get(action.play or 0, 'a deleted play')}”"
    if kind == ActionKind.EMAIL:
        whom = {
            Recipient.OWNER: "the account's owner", Recipient.RULE_OWNER: "the rule's owner",
            Recipient.LEADERS: "every CS leader", Recipient.TEAM: "the engagement team",
            Recipient.CONTACT: "the customer's sponsor",
        }[Recipient(action.to)]
        template = names.templates.get(action.template, f"{action.template}, missing")
        return f"e-mail {whom} (template {template})"
    if kind == ActionKind.TIMELINE:
        return f"add the timeline entry “{action.title}”"
    if kind == ActionKind.FLAG:
        return f"flag the account “{action.flag}”"
    return f"call the webhook {names.endpoints.get(action.endpoint or 0, 'that was deleted')}"


# --- The whole rule -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Words:
    """A rule in words: what sets it off, what the account must be, what it does."""

    trigger: str
    conditions: list[str]
    actions: list[str]
    lead: str

    @property
    def sentence(self) -> str:
        who = f", for accounts {' and '.join(self.conditions)}" if self.conditions else ""
        return f"{self.lead}{who}: {'; '.join(self.actions)}"


def words(definition: Definition, names: Names) -> Words:
    return Words(
        trigger=trigger_words(definition.trigger, names),
        conditions=[condition_words(c, names) for c in definition.conditions],
        actions=[action_words(a, names) for a in definition.actions],
        lead=_lead(definition.trigger, names),
    )


def describe(definition: Definition) -> str:
    """One definition in a sentence, its names looked up."""
    return words(definition, Names.of([definition])).sentence


def readable(rule: Any) -> Definition | None:
    """The definition a rule (or one of its history records) stored; None if it no longer
    reads (a setting the schema has since dropped)."""
    try:
        return definition_of(rule)
    except pydantic.ValidationError:
        return None


def describe_all(rules: Iterable[Any]) -> Mapping[int, Words | None]:
    """Each rule's (or history record's) words by its pk (history records: history_id), the
    names looked up once for all of them."""
    found: dict[int, Definition | None] = {}
    for rule in rules:
        found[getattr(rule, "history_id", None) or rule.pk] = readable(rule)
    names = Names.of(d for d in found.values() if d is not None)
    return {key: words(d, names) if d is not None else None for key, d in found.items()}
