"""Alerts: a task for the owner when an account turns red or its score falls sharply.

Never twice for the same drop: an alert stays open while its condition holds (one open
alert per account and kind, a database constraint), and the scoring date that raised it is
part of its key, so re-running a recompute, even after the condition briefly cleared on the same
day, does not raise it again. An alert closes when the account recovers; a later drop is new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.models import AlertKind, HealthAlert
from cairn.health.scoring import CardSpec, Explanation
from cairn.people.models import User
from cairn.timeline.models import Entry, EntryKind, Task
from cairn.validation import assignable


@dataclass(frozen=True, slots=True)
class Check:
    account_id: int
    owner_id: int | None
    card: CardSpec
    score: float | None
    light: str
    explanation: Explanation
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


OpenAlert = tuple[int, int, str]  # pk, account id, kind


def open_alerts() -> list[OpenAlert]:
    # Open alerts are few: read them all rather than name every scored account in the query.
    return list(
        HealthAlert.objects.filter(resolved_on__isnull=True).values_list("pk", "account_id", "kind")
    )


# Sent once new alerts are committed, with their ids: the owners are told, integrations hear.
alerts_raised = Signal()


def evaluate(as_of: dt.date, checks: list[Check], still: list[OpenAlert]) -> tuple[int, int]:
    """Raise the new alerts and resolve the ones whose condition ended; (raised, resolved).

    `checks` covers every scored account whose score meets a condition or that has one of
    the open alerts `still` (read by `open_alerts`); an open alert of an account without a
    check was not scored in this run and is left alone."""
    by_account = {c.account_id: c for c in checks}
    still_open: set[tuple[int, str]] = set()
    ended: list[int] = []
    for pk, account_id, kind in still:
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
    done = set(
        HealthAlert.objects.filter(account_id__in=ids, scored_on=as_of).values_list(
            "account_id", "kind"
        )
    )
    wanted = [(c, kind) for c, kind in wanted if (c.account_id, kind) not in done]
    tasks = _tasks(as_of, wanted)
    made = HealthAlert.objects.bulk_create(
        HealthAlert(
            account_id=check.account_id, kind=kind, scored_on=as_of, score=check.score,
            raised_on=as_of, task=tasks.get(check.account_id),
        )
        for check, kind in wanted
    )
    ids = [alert.pk for alert in made]
    transaction.on_commit(lambda: alerts_raised.send(sender=HealthAlert, ids=ids))
    return len(wanted), resolved


def _tasks(as_of: dt.date, raised: Sequence[tuple[Check, str]]) -> dict[int, Task]:
    """One task per account for its owner, with its timeline entry: the rows
    `timeline.actions.create_task` writes, in three statements rather than three per task
    (a bad morning raises thousands). Turning red by a sharp fall is one event for the
    owner: one task, two alert records. An owner who cannot be given work (deactivated,
    read-only) gets none; the alert is still recorded."""
    first: dict[int, tuple[Check, str]] = {}
    for check, kind in raised:
        first.setdefault(check.account_id, (check, kind))
    accounts = Account.objects.in_bulk(list(first))
    owners = User.objects.in_bulk([c.owner_id for c, _ in first.values() if c.owner_id])
    due = as_of + dt.timedelta(days=3)
    details = paths("account_health")
    made: dict[int, Task] = {}
    for account_id, (check, kind) in first.items():
        owner = owners.get(check.owner_id or 0)
        if owner is None or not _assignable(owner):
            continue
        account = accounts[account_id]
        made[account_id] = Task(
            title=title(account, kind, check)[:200],
            description=describe(account, check, details(account.pk)),
            assignee=owner, account=account, due_date=due, created_by=None,
        )
    Task.objects.bulk_create(made.values())
    now = timezone.now()
    my_work = reverse("my_work")
    Entry.objects.bulk_create(
        Entry(
            account_id=task.account_id, kind=EntryKind.TASK,
            title=f"Task for {task.assignee}: {task.title}, due {due:%d %b %Y}"[:200],
            link=f"{my_work}#task-{task.pk}", occurred_at=now,  # task.get_absolute_url()
        )
        for task in made.values()
    )
    return made


def _assignable(owner: User) -> bool:
    try:
        assignable(owner, "assignee")
    except ValidationError:
        return False
    return True


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


def paths(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for many pks at the cost of one reverse. For URLs whose
    only argument is an `<int:pk>`, which is written as the bare number."""
    marker = 918273645
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def describe(account: Account, check: Check, details: str | None = None) -> str:
    """The explanation in words, so the task says why without opening another page;
    `details` is the URL of the account's health page (reversed when not given)."""
    e = check.explanation
    lines = [f"Health score {check.score:.0f} ({check.light}) on scorecard {check.card.name}."]
    if check.reference is not None:
        lines.append(f"It was {check.reference:.0f} before.")
    by_key = {line.key: line for line in e.lines}
    if e.pulled_down:
        lines += ["", "What pulled it down the most:"]
        for key in e.pulled_down:
            m = by_key[key]
            cost = m.effective_weight * (100 - (m.points or 0))
            lines.append(
                f"- {m.name}: value {_value(m.value)}, {m.points or 0:.0f} points, "
                f"weight {m.effective_weight:.0%}, costing {cost:.1f} points"
            )
    missing = [line.name for line in e.lines if line.missing]
    if missing:
        lines += ["", "Without recent data (weight shared among the others): " + ", ".join(missing)]
    details = details or reverse("account_health", args=[account.pk])
    lines += ["", f"Details: {details}"]
    return "\n".join(lines)


def _value(value: float | str | None) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
