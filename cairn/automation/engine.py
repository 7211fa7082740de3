"""Evaluating rules: find what happened, keep the accounts the conditions allow, hold back
what the cooldown forbids, log each firing and act.

`judge` is the one path the preview and the evaluation share. `evaluate` runs it for one
rule in one transaction: the rule's row is locked (PostgreSQL) and every firing is unique
by (rule, account, event key), so two workers evaluating at once act on a situation once:
the second either waits and then finds it logged, or fails on the constraint and rolls
back without acting.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.automation import conditions, effects, triggers
from cairn.automation.actions import definition_of
from cairn.automation.definition import Definition
from cairn.automation.hits import Judged, Verdict
from cairn.automation.models import Firing, FiringStatus, Rule

logger = logging.getLogger(__name__)

def judge(rule: Rule, definition: Definition, start: dt.date, end: dt.date) -> list[Judged]:
    """Every situation the trigger finds from `start` to `end` on an account the conditions
    allow, with its verdict: fires, held back by the cooldown, or already acted on."""
    hits = triggers.find(definition.trigger, start, end)
    if not hits:
        return []
    allowed = conditions.matching(definition.conditions, {h.account_id for h in hits}, end)
    hits = [h for h in hits if h.account_id in allowed]
    if not hits:
        return []
    cooldown = dt.timedelta(days=rule.cooldown_days)
    logged = Firing.objects.filter(rule=rule, event_on__gte=start - cooldown)
    if len(allowed) <= conditions.BY_ID:
        logged = logged.filter(account_id__in=allowed)
    seen: set[tuple[int, str]] = set()
    last_fired: dict[int, list[dt.date]] = defaultdict(list)
    for account_id, key, day, status in logged.values_list("account_id", "event_key", "event_on", "status"):
        seen.add((account_id, key))
        if status == FiringStatus.FIRED:
            last_fired[account_id].append(day)
    judged = []
    for hit in sorted(hits, key=lambda h: (h.event_on, h.account_id, h.event_key)):
        if (hit.account_id, hit.event_key) in seen:
            judged.append(Judged(hit, Verdict.ALREADY))
            continue
        seen.add((hit.account_id, hit.event_key))
        recent = last_fired[hit.account_id]
        if rule.cooldown_days and any(0 <= (hit.event_on - day).days < rule.cooldown_days for day in recent):
            judged.append(Judged(hit, Verdict.COOLDOWN))
            continue
        recent.append(hit.event_on)
        judged.append(Judged(hit, Verdict.FIRES))
    return judged


@dataclass
class Evaluation:
    rule: int
    fired: int = 0
    held_back: int = 0
    window: tuple[str, str] = ("", "")


def evaluate(rule: Rule, today: dt.date | None = None) -> Evaluation:
    """Act on what happened since the rule was last evaluated (that day included, for what
    arrived later in it), through `today`."""
    today = today or timezone.localdate()
    with transaction.atomic():
        rule = Rule.objects.select_for_update().select_related("owner").get(pk=rule.pk)
        result = Evaluation(rule=rule.pk)
        if not rule.enabled:
            return result
        start = min(rule.evaluated_through or today, today)
        result.window = (start.isoformat(), today.isoformat())
        definition = definition_of(rule)
        judged = [j for j in judge(rule, definition, start, today) if j.verdict != Verdict.ALREADY]
        now = timezone.now()
        rows = [
            Firing(
                rule=rule, version=rule.version, account_id=j.hit.account_id, event_key=j.hit.event_key,
                event_on=j.hit.event_on, summary=j.hit.summary[:300], matched=j.hit.matched, fired_at=now,
                status=FiringStatus.FIRED if j.verdict == Verdict.FIRES else FiringStatus.SUPPRESSED,
                outcomes=[],
            )
            for j in judged
        ]
        fired = [row for row in rows if row.status == FiringStatus.FIRED]
        # Act first, so each firing is written once with what it did; the constraint on the
        # firings still refuses a second worker's copy, and rolls its actions back with it.
        effects.apply(rule, definition, fired, today)
        Firing.objects.bulk_create(rows, batch_size=1000)
        Rule.objects.filter(pk=rule.pk).update(evaluated_through=today)
        result.fired, result.held_back = len(fired), len(rows) - len(fired)
    return result


def evaluate_all(today: dt.date | None = None) -> dict[str, Any]:
    """Evaluate every enabled rule, each in its own transaction: one rule's failure is logged
    and the others run."""
    today = today or timezone.localdate()
    summary: dict[str, Any] = {"rules": 0, "fired": 0, "held_back": 0, "failed": []}
    for rule in Rule.objects.filter(enabled=True).order_by("pk"):
        try:
            result = evaluate(rule, today)
        except Exception:
            logger.exception("Rule %s (%s) failed to evaluate", rule.pk, rule.name)
            summary["failed"].append(rule.name)
            continue
        summary["rules"] += 1
        summary["fired"] += result.fired
        summary["held_back"] += result.held_back
    return summary
