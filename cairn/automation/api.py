"""Automation in the API: rules with their definition (trigger, conditions, actions), their
preview over the last 30 days, switching on and off, their firings and history; plays; flags
on accounts.

The same rules as the pages: everyone reads; leaders and admins keep rules and plays; who may
change an account flags it. Writes go through cairn.automation.actions; a refusal of the
definition names its path ("trigger.points", "conditions.0.values", "actions.1.template").
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.automation import actions, describe, queries
from cairn.automation.actions import Step
from cairn.automation.models import AccountFlag, Firing, Play, PlayStep, Rule
from cairn.automation.preview import preview
from cairn.automation.schemas import (
    AutomationFiringFilter,
    AutomationFiringOut,
    AutomationFlagFilter,
    AutomationFlagIn,
    AutomationFlagOut,
    AutomationHistoryOut,
    AutomationPlayIn,
    AutomationPlayOut,
    AutomationPlayPatch,
    AutomationPreviewOut,
    AutomationRuleIn,
    AutomationRuleOut,
    AutomationRulePatch,
    AutomationStepIn,
    AutomationSwitchIn,
)
from cairn.people import access
from cairn.people.models import User
from cairn.resources import tagged

router = Router(tags=["automation"])

RULE_REFUSAL = "Only CS leaders and admins build, switch and delete rules."
PLAY_REFUSAL = "Only CS leaders and admins keep the plays."
DEFINITION = ("trigger", "conditions", "actions")


class _Described:
    """Rules as the paginator slices them, each page described in words with the names
    looked up once for the page: a constant number of queries whatever the page size."""

    def __init__(self, rules: QuerySet[Rule]) -> None:
        self.rules = rules

    def __len__(self) -> int:
        return self.rules.count()

    def __getitem__(self, part: slice) -> list[Rule]:
        return queries.with_words(self.rules[part])


def _rule(rule_id: int) -> Rule:
    return queries.with_words([get_object_or_404(queries.rules(), pk=rule_id)])[0]


def _changeable_rule(request: HttpRequest, rule_id: int) -> tuple[Rule, User]:
    user = access.leader(user_of(request), RULE_REFUSAL)
    return get_object_or_404(Rule.objects.select_related("owner"), pk=rule_id), user


def _not_null(data: dict[str, Any], names: tuple[str, ...]) -> None:
    """A PATCH may leave a field out, not null one that cannot be empty: a 400 naming it."""
    nulled = [name for name in names if name in data and data[name] is None]
    if nulled:
        raise ValidationError({name: "This field cannot be null." for name in nulled})


# --- Rules --------------------------------------------------------------------------------


@router.get("/rules", response=list[AutomationRuleOut], summary="List rules, by name")
@paginate(Pagination)
def list_rules(request: HttpRequest) -> Any:
    return _Described(queries.rules())


@router.post("/rules", response={201: AutomationRuleOut, **WRITE_ERRORS},
             summary="Build a rule; it is off until switched on")
def create_rule(request: HttpRequest, payload: AutomationRuleIn) -> tuple[int, Rule]:
    user = access.leader(user_of(request), RULE_REFUSAL)
    owner = related(User, payload.owner, "owner") if payload.owner is not None else user
    definition = actions.parse(payload.model_dump(mode="json", include=set(DEFINITION)))
    rule = Rule(name=payload.name, description=payload.description, owner=owner,
                cooldown_days=payload.cooldown_days)
    tagged(Rule, lambda: actions.save_rule(rule, definition, by=user))
    return 201, _rule(rule.pk)


@router.get("/rules/{int:rule_id}", response={200: AutomationRuleOut, **READ_ERRORS},
            summary="Read a rule, with its definition in words")
def get_rule(request: HttpRequest, rule_id: int) -> Rule:
    return _rule(rule_id)


@router.patch("/rules/{int:rule_id}", response={200: AutomationRuleOut, **WRITE_ERRORS},
              summary="Change a rule; a change to what it does makes a new version")
def update_rule(request: HttpRequest, rule_id: int, payload: AutomationRulePatch) -> Rule:
    rule, user = _changeable_rule(request, rule_id)
    data = payload.model_dump(mode="json", exclude_unset=True)
    _not_null(data, ("name", "description", "owner", "cooldown_days", *DEFINITION))
    stored: dict[str, Any] = {
        "trigger": {"kind": rule.trigger, **(rule.trigger_settings or {})},
        "conditions": rule.conditions, "actions": rule.actions,
    }
    definition = actions.parse({**stored, **{part: data[part] for part in DEFINITION if part in data}})
    if "owner" in data:
        rule.owner = related(User, data["owner"], "owner")
    for name in ("name", "description", "cooldown_days"):
        if name in data:
            setattr(rule, name, data[name])
    tagged(Rule, lambda: actions.save_rule(rule, definition, by=user))
    return _rule(rule.pk)


@router.delete("/rules/{int:rule_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a rule and its log; the tasks, entries and flags it made stay")
def delete_rule(request: HttpRequest, rule_id: int) -> tuple[int, None]:
    rule, user = _changeable_rule(request, rule_id)
    actions.delete_rule(rule, by=user)
    return 204, None


@router.get("/rules/{int:rule_id}/preview", response={200: AutomationPreviewOut, **READ_ERRORS},
            summary="Preview a rule over the last 30 days: where it would have fired and why",
            description="Nothing is done: the same judgement the evaluation makes, without acting.")
def preview_rule(request: HttpRequest, rule_id: int) -> Any:
    rule = get_object_or_404(Rule, pk=rule_id)
    if describe.readable(rule) is None:
        raise ValidationError({"definition": "Cairn can no longer read this rule's definition: change it."})
    return preview(rule)


@router.post("/rules/{int:rule_id}/switch", response={200: AutomationRuleOut, **WRITE_ERRORS},
             summary="Switch a rule on (acting on the last 30 days or only from now on) or off")
def switch_rule(request: HttpRequest, rule_id: int, payload: AutomationSwitchIn) -> Rule:
    rule, user = _changeable_rule(request, rule_id)
    actions.switch(rule, enabled=payload.enabled, catch_up=payload.enabled and payload.catch_up, by=user)
    return _rule(rule.pk)


@router.get("/rules/{int:rule_id}/firings", response=list[AutomationFiringOut],
            summary="A rule's firings, newest first, with the values that matched and what it did")
@paginate(Pagination)
def list_firings(
    request: HttpRequest, rule_id: int, filters: Query[AutomationFiringFilter]
) -> QuerySet[Firing]:
    found = queries.firings(get_object_or_404(Rule, pk=rule_id))
    if filters.status is not None:
        found = found.filter(status=filters.status)
    return found


@router.get("/rules/{int:rule_id}/history", response={200: list[AutomationHistoryOut], **READ_ERRORS},
            summary="A rule's changes in words, newest first")
def rule_history(request: HttpRequest, rule_id: int) -> list[queries.HistoryRow]:
    return queries.rule_history(get_object_or_404(Rule, pk=rule_id).pk)


# --- Plays --------------------------------------------------------------------------------


def _plays() -> QuerySet[Play]:
    return Play.objects.prefetch_related(Prefetch("steps", PlayStep.objects.order_by("position", "pk")))


def _steps(items: list[AutomationStepIn]) -> list[Step]:
    return [
        Step(title=s.title, description=s.description, assignee=s.assignee, due_days=s.due_days)
        for s in items
    ]


@router.get("/plays", response=list[AutomationPlayOut], summary="List plays, by name")
@paginate(Pagination)
def list_plays(request: HttpRequest) -> QuerySet[Play]:
    return _plays()


@router.post("/plays", response={201: AutomationPlayOut, **WRITE_ERRORS},
             summary="Write a play: a named set of tasks")
def create_play(request: HttpRequest, payload: AutomationPlayIn) -> tuple[int, Play]:
    user = access.leader(user_of(request), PLAY_REFUSAL)
    play = Play(name=payload.name, description=payload.description)
    tagged(Play, lambda: actions.save_play(play, _steps(payload.steps), by=user))
    return 201, _plays().get(pk=play.pk)


@router.get("/plays/{int:play_id}", response={200: AutomationPlayOut, **READ_ERRORS}, summary="Read a play")
def get_play(request: HttpRequest, play_id: int) -> Play:
    return get_object_or_404(_plays(), pk=play_id)


@router.patch("/plays/{int:play_id}", response={200: AutomationPlayOut, **WRITE_ERRORS},
              summary="Change a play: its name, description or tasks")
def update_play(request: HttpRequest, play_id: int, payload: AutomationPlayPatch) -> Play:
    user = access.leader(user_of(request), PLAY_REFUSAL)
    play = get_object_or_404(_plays(), pk=play_id)
    data = payload.model_dump(exclude_unset=True)
    _not_null(data, ("name", "description", "steps"))
    steps = _steps(payload.steps) if payload.steps is not None else [
        Step(title=s.title, description=s.description, assignee=s.assignee, due_days=s.due_days)
        for s in play.steps.all()
    ]
    for name in ("name", "description"):
        if name in data:
            setattr(play, name, data[name])
    tagged(Play, lambda: actions.save_play(play, steps, by=user))
    return _plays().get(pk=play.pk)


@router.delete("/plays/{int:play_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a play no rule starts; the tasks it started stay")
def delete_play(request: HttpRequest, play_id: int) -> tuple[int, None]:
    user = access.leader(user_of(request), PLAY_REFUSAL)
    actions.delete_play(get_object_or_404(Play, pk=play_id), by=user)
    return 204, None


# --- Flags --------------------------------------------------------------------------------


def _flags() -> QuerySet[AccountFlag]:
    return AccountFlag.objects.select_related("account")


@router.get("/flags", response=list[AutomationFlagOut],
            summary="List account flags, the open ones by default")
@paginate(Pagination)
def list_flags(request: HttpRequest, filters: Query[AutomationFlagFilter]) -> QuerySet[AccountFlag]:
    found = _flags().order_by("-set_at", "-pk")
    if filters.account is not None:
        found = found.filter(account=filters.account)
    if filters.state == "open":
        found = found.filter(cleared_at__isnull=True)
    elif filters.state == "cleared":
        found = found.filter(cleared_at__isnull=False)
    return found


@router.post("/flags", response={201: AutomationFlagOut, 200: AutomationFlagOut, **WRITE_ERRORS},
             summary="Flag an account; a flag it carries already is answered as it is (200)")
def create_flag(request: HttpRequest, payload: AutomationFlagIn) -> tuple[int, AccountFlag]:
    user = user_of(request)
    account = access.editable_account(user, payload.account, field="account")
    carried = AccountFlag.objects.filter(
        account=account, name=payload.name.strip(), cleared_at__isnull=True
    ).exists()
    flag = tagged(AccountFlag, lambda: actions.set_flag(account, payload.name, by=user))
    return (200 if carried else 201), _flags().get(pk=flag.pk)


@router.post("/flags/{int:flag_id}/clear", response={200: AutomationFlagOut, **WRITE_ERRORS},
             summary="Clear a flag")
def clear_flag(request: HttpRequest, flag_id: int) -> AccountFlag:
    user = user_of(request)
    flag = access.account_item(user, _flags(), pk=flag_id)
    actions.clear_flag(flag, by=user)
    return _flags().get(pk=flag.pk)
