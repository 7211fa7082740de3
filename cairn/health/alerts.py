"""Alerts: a task for the owner when an account turns red or its score falls sharply.

Never twice for the same drop: an alert stays open while its condition holds (one open
alert per account and kind, a database constraint), and the score row that raised it is part
of its key, so re-running a recompute, even after the condition briefly cleared on the same
day, does not raise it again. An alert closes when the account recovers; a later drop is new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from cairn.customers.models import Account
from cairn.health.models import AlertKind, HealthAlert, HealthScore
from cairn.health.scoring import CardSpec, explain
from cairn.people.models import User
from cairn.timeline.actions import create_task
from cairn.timeline.models import Task


@dataclass(frozen=True, slots=True)
class Check:
    account_id: int
    owner_id: int | None
    card: CardSpec
    score: float | None
    light: str
    explanation: dict[str, Any]
    had_previous: bool
    previous_light: str
    # The higher of the previous score and the score at the start of the alert period.
    reference: float | None


def condition(check: Check, kind: str) -> bool:
    score = check.score
    if score is None:
        return False
    if kind == AlertKind.TURNED_RED:
        return check.light == "red"
    return check.reference is not None and check.reference - score > check.card.alert_drop_points


def evaluate(as_of: dt.date, checks: list[Check]) -> tuple[int, int]:
    """Raise the new alerts and resolve the ones whose condition ended; (raised, resolved)."""
    by_account = {c.account_id: c for c in checks}
    # Open alerts are few: read them all rather than name every scored account in the query.
    open_alerts = HealthAlert.objects.filter(resolved_on__isnull=True).values_list(
        "pk", "account_id", "kind"
    )
    still_open: set[tuple[int, str]] = set()
    ended: list[int] = []
    for pk, account_id, kind in open_alerts:
        check = by_account.get(account_id)
        if check is None:
            continue  # not scored in this run
        if condition(check, kind):
            still_open.add((account_id, kind))
        else:
            ended.append(pk)
    resolved = HealthAlert.objects.filter(pk__in=ended).update(resolved_on=as_of) if ended else 0
    wanted = [
        (c, kind)
        for c in checks
        for kind in (AlertKind.TURNED_RED, AlertKind.DROPPED)
        if (c.account_id, kind) not in still_open and condition(c, kind) and _is_new(c, kind)
    ]
    if not wanted:
        return 0, resolved
    ids = [c.account_id for c, _ in wanted]
    score_ids = dict(
        HealthScore.objects.filter(account_id__in=ids, scored_on=as_of).values_list("account_id", "pk")
    )
    done = set(
        HealthAlert.objects.filter(score_id__in=list(score_ids.values())).values_list(
            "account_id", "kind"
        )
    )
    accounts = Account.objects.in_bulk(ids)
    owners = User.objects.in_bulk([c.owner_id for c, _ in wanted if c.owner_id])
    raised = 0
    tasks: dict[int, Task] = {}
    for check, kind in wanted:
        if (check.account_id, kind) in done:
            continue
        account = accounts[check.account_id]
        owner = owners.get(check.owner_id or 0)
        # Turning red by a sharp fall is one event for the owner: one task, two alert records.
        task = tasks.get(account.pk)
        if task is None and owner is not None and owner.is_active:
            task = create_task(
                title=title(account, kind, check)[:200], assignee=owner, account=account,
                created_by=None, due_date=as_of + dt.timedelta(days=3),
                description=describe(account, check),
            )
            tasks[account.pk] = task
        HealthAlert.objects.create(
            account=account, kind=kind, score_id=score_ids[check.account_id], raised_on=as_of,
            task=task,
        )
        raised += 1
    return raised, resolved


def _is_new(check: Check, kind: str) -> bool:
    # Turning red is a change of state: the first score an account ever gets is not one
    # (on a first recompute every red account would otherwise flood its owner with tasks).
    if kind == AlertKind.TURNED_RED:
        return check.had_previous and check.previous_light != "red"
    return True


def title(account: Account, kind: str, check: Check) -> str:
    score = check.score
    if kind == AlertKind.TURNED_RED:
        return f"Health: {account.name} turned red (score {score:.0f})"
    fall = (check.reference or 0) - (score or 0)
    return f"Health: {account.name} fell {fall:.0f} points to {score:.0f}"


def describe(account: Account, check: Check) -> str:
    """The explanation in words, so the task says why without opening another page."""
    e = check.explanation
    lines = [f"Health score {check.score:.0f} ({check.light}) on scorecard {check.card.name}."]
    if check.reference is not None:
        lines.append(f"It was {check.reference:.0f} before.")
    measures = explain(e, [[m.key, m.name, m.indicator, m.weight] for m in check.card.measures])
    by_key = {m["key"]: m for m in measures}
    if e.get("pulled_down"):
        lines += ["", "What pulled it down the most:"]
        for key in e["pulled_down"]:
            m = by_key[key]
            cost = m["effective_weight"] * (100 - m["points"])
            lines.append(
                f"- {m['name']}: value {_value(m['value'])}, {m['points']:.0f} points, "
                f"weight {m['effective_weight']:.0%}, costing {cost:.1f} points"
            )
    missing = [m["name"] for m in measures if m["points"] is None]
    if missing:
        lines += ["", "Without recent data (weight shared among the others): " + ", ".join(missing)]
    lines += ["", f"Details: {reverse('account_health', args=[account.pk])}"]
    return "\n".join(lines)


def _value(value: float | str | None) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
