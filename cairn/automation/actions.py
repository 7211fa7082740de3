"""What leaders do to rules and plays, and what anyone who may change an account does to its
flags. Each action owns its transaction and leaves a history record (django-simple-history,
with the person who made the change)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.automation import merge
from cairn.automation.definition import (
    ActionKind,
    Definition,
    Field_,
    Op,
    TriggerKind,
)
from cairn.automation.models import AccountFlag, Play, PlayStep, Rule
from cairn.customers.models import Account
from cairn.people.models import User
from cairn.validation import assignable

# How far back a rule looks when it is switched on with "act on the last 30 days": the same
# window its preview shows.
CATCH_UP_DAYS = 30
MAX_STEPS = 30


def definition_of(rule: Rule) -> Definition:
    """The rule's stored definition, as the schema reads it."""
    return Definition.model_validate({
        "trigger": {"kind": rule.trigger, **rule.trigger_settings},
        "conditions": rule.conditions,
        "actions": rule.actions,
    })


def parse(data: Any) -> Definition:
    """A definition from form or API data; a ValidationError names each wrong field by its
    path ("trigger.points", "actions.0.title")."""
    try:
        return Definition.model_validate(data)
    except pydantic.ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"]) or "definition"
            message = str(error["msg"]).removeprefix("Value error, ")
            errors.setdefault(path, []).append(message)
        raise ValidationError(errors) from None


def _stored(definition: Definition) -> dict[str, Any]:
    trigger = definition.trigger.model_dump(mode="json", exclude_defaults=True)
    kind = trigger.pop("kind")
    return {
        "trigger": kind,
        "trigger_settings": trigger,
        "conditions": [c.model_dump(mode="json", exclude_defaults=True) for c in definition.conditions],
        "actions": [a.model_dump(mode="json", exclude_defaults=True) for a in definition.actions],
    }


def _check_references(definition: Definition) -> None:
    """Every record the definition names exists: the metric, the play, the template, the
    webhook, the owners, the phases."""
    from cairn.customers.models import Segment
    from cairn.health.models import Light
    from cairn.metrics.models import MetricDefinition
    from cairn.notifications.models import EmailTemplate
    from cairn.playbooks.models import Phase
    from cairn.webhooks.models import Endpoint

    errors: dict[str, str] = {}
    trigger = definition.trigger
    if trigger.kind == TriggerKind.METRIC_CROSSED and not MetricDefinition.objects.filter(
        pk=trigger.metric or 0
    ).exists():
        errors["trigger.metric"] = f"There is no metric with id {trigger.metric}."
    if trigger.phase and not Phase.objects.filter(key=trigger.phase).exists():
        errors["trigger.phase"] = f"There is no phase {trigger.phase!r}."
    known: dict[str, set[str]] = {
        Field_.SEGMENT: set(Segment.values),
        Field_.LIGHT: set(Light.values),
    }
    for number, condition in enumerate(definition.conditions):
        path = f"conditions.{number}.values"
        allowed = known.get(condition.field)
        if condition.field == Field_.PHASE:
            allowed = set(Phase.objects.values_list("key", flat=True))
        if condition.field == Field_.OWNER:
            allowed = {"none", *(str(pk) for pk in User.objects.filter(
                pk__in=[v for v in condition.values if v.isdigit()]
            ).values_list("pk", flat=True))}
        if allowed is not None and condition.op in (Op.IN, Op.NOT_IN):
            strangers = [v for v in condition.values if v not in allowed]
            if strangers:
                errors[path] = f"{condition.field.label}: {', '.join(strangers)} is not a choice."
    for number, action in enumerate(definition.actions):
        path = f"actions.{number}"
        for name in ("title", "body"):
            unknown = merge.unknown_fields(getattr(action, name))
            if unknown:
                errors[f"{path}.{name}"] = (
                    f"There is no merge field {', '.join(unknown)}; use one of "
                    f"{', '.join(merge.MERGE_FIELDS)}."
                )
        if action.kind == ActionKind.PLAY and not Play.objects.filter(pk=action.play or 0).exists():
            errors[f"{path}.play"] = f"There is no play with id {action.play}."
        if action.kind == ActionKind.EMAIL and not EmailTemplate.objects.filter(
            key=action.template
        ).exists():
            errors[f"{path}.template"] = f"There is no e-mail template {action.template!r}."
        if action.kind == ActionKind.WEBHOOK and not Endpoint.objects.filter(
            pk=action.endpoint or 0
        ).exists():
            errors[f"{path}.endpoint"] = f"There is no webhook with id {action.endpoint}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_rule(rule: Rule, definition: Definition, *, by: User) -> Rule:
    """Create or change a rule. A change to what it does (trigger, conditions, actions,
    cooldown) makes a new version; a new name or description does not."""
    _check_references(definition)
    assignable(rule.owner, "owner")
    stored = _stored(definition)
    if rule.pk is not None:
        before = Rule.objects.select_for_update().get(pk=rule.pk)
        changed = any(getattr(before, name) != value for name, value in stored.items())
        if changed or before.cooldown_days != rule.cooldown_days:
            rule.version = before.version + 1
    for name, value in stored.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule._history_user = by  # type: ignore[attr-defined]
    rule.save()
    return rule


@transaction.atomic
def switch(rule: Rule, *, enabled: bool, by: User, catch_up: bool = False,
           today: dt.date | None = None) -> Rule:
    """Switch a rule on or off. Switched on with `catch_up`, its first evaluation acts on the
    situations of the last 30 days that its preview listed; otherwise only on what happens
    from today."""
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.enabled == enabled:
        return rule
    rule.enabled = enabled
    if enabled:
        today = today or timezone.localdate()
        rule.enabled_at = timezone.now()
        rule.evaluated_through = today - dt.timedelta(days=CATCH_UP_DAYS) if catch_up else today
    rule._history_user = by  # type: ignore[attr-defined]
    rule.save()
    return rule


@transaction.atomic
def delete_rule(rule: Rule, *, by: User) -> None:
    """Delete a rule and its log; the tasks, entries and flags it made stay."""
    rule._history_user = by  # type: ignore[attr-defined]
    rule.delete()


@dataclass(frozen=True)
class Step:
    title: str
    description: str = ""
    assignee: str = "owner"
    due_days: int = 0


def _rules_using(play: Play) -> list[Rule]:
    return [
        rule for rule in Rule.objects.all()
        if any(a.get("kind") == ActionKind.PLAY and a.get("play") == play.pk for a in rule.actions)
    ]


@transaction.atomic
def save_play(play: Play, steps: Sequence[Step], *, by: User) -> Play:
    """Create or change a play and replace its steps."""
    if not steps:
        raise ValidationError({"steps": "A play needs at least one task."})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": f"A play holds at most {MAX_STEPS} tasks."})
    if play.pk is None:
        play.created_by = by
    play.full_clean()
    play._history_user = by  # type: ignore[attr-defined]
    play.save()
    rows = [
        PlayStep(play=play, position=position, title=step.title, description=step.description,
                 assignee=step.assignee, due_days=step.due_days)
        for position, step in enumerate(steps)
    ]
    for position, row in enumerate(rows):
        unknown = merge.unknown_fields(row.title)
        if unknown:
            raise ValidationError({
                f"steps.{position}.title": f"There is no merge field {', '.join(unknown)}."
            })
        try:
            row.full_clean(exclude=["play"])
        except ValidationError as exc:
            raise ValidationError({
                f"steps.{position}.{name}": messages for name, messages in exc.message_dict.items()
            }) from None
    play.steps.all().delete()
    PlayStep.objects.bulk_create(rows)
    return play


@transaction.atomic
def delete_play(play: Play, *, by: User) -> None:
    using = _rules_using(play)
    if using:
        names = ", ".join(rule.name for rule in using)
        raise ValidationError(f"Rules start this play: {names}. Change them first.")
    play._history_user = by  # type: ignore[attr-defined]
    play.delete()


@transaction.atomic
def set_flag(account: Account, name: str, *, by: User | None = None, rule: Rule | None = None) -> AccountFlag:
    """Flag the account; a flag it already carries stays as it was."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the flag."})
    found = AccountFlag.objects.filter(account=account, name=name, cleared_at__isnull=True).first()
    if found is not None:
        return found
    flag = AccountFlag(account=account, name=name, set_by=by, rule=rule, set_at=timezone.now())
    flag.full_clean()
    flag.save()
    return flag


@transaction.atomic
def clear_flag(flag: AccountFlag, *, by: User) -> AccountFlag:
    if flag.cleared_at is None:
        flag.cleared_at, flag.cleared_by = timezone.now(), by
        flag.save(update_fields=["cleared_at", "cleared_by"])
    return flag
