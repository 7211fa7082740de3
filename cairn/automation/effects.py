"""What a rule does when it fires: the tasks, plays, e-mails, timeline entries, flags and
webhook calls of its actions, for many firings at once and in the evaluation's transaction,
so a rule that fires on a thousand accounts writes in bulk and either all of it lands or
none. E-mails and webhook calls leave only after the transaction commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Min, Sum
from django.urls import reverse
from django.utils import timezone

from cairn.automation import merge
from cairn.automation.definition import Action, ActionKind, Assignee, Definition, Recipient
from cairn.automation.models import AccountFlag, Firing, Play, PlayStep, Rule
from cairn.automation.triggers import day_text, number_text
from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.engagements.models import Engagement
from cairn.engagements.models import Status as EngagementStatus
from cairn.fields import NOTE
from cairn.health.models import AccountHealth
from cairn.people.models import Role, User
from cairn.timeline.models import Entry, EntryKind, Task

TASK_TITLE = 200
EVENT = "rule.fired"
ENTRY_TITLE = 200


@dataclasses.dataclass
class Target:
    """An account a rule fired on, with what its actions need: who works on it and the
    values of the merge fields."""

    account: Account
    engagement: Engagement | None
    values: dict[str, str]


def _money(value: Any) -> str:
    return number_text(round(float(value or 0)))


def targets(rule: Rule, firings: Sequence[Firing], today: dt.date) -> dict[int, Target]:
    """The fired accounts with their owners, engagements and merge values, in a few queries."""
    ids = {f.account_id for f in firings}
    accounts = Account.objects.select_related("owner").in_bulk(ids)
    health = {h.account_id: h for h in AccountHealth.objects.filter(account_id__in=ids)}
    live = [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIAL]
    subscriptions = Subscription.objects.filter(account_id__in=ids, status__in=live).values("account_id")
    arr = dict(subscriptions.annotate(total=Sum("arr")).values_list("account_id", "total"))
    renewals = dict(
        subscriptions.filter(end_date__gte=today).annotate(first=Min("end_date"))
        .values_list("account_id", "first")
    )
    engagements: dict[int, Engagement] = {}
    rows = (Engagement.objects.filter(account_id__in=ids, status=EngagementStatus.ACTIVE)
            .select_related("owner", "current_phase").prefetch_related("team")
            .order_by("account_id", "-start_date", "-pk"))
    for row in rows:
        engagements.setdefault(row.account_id, row)
    found = {}
    for pk, account in accounts.items():
        scored = health.get(pk)
        engagement: Engagement | None = engagements.get(pk)
        renewal = renewals.get(pk)
        found[pk] = Target(account=account, engagement=engagement, values={
            "account": account.name,
            "owner": str(account.owner) if account.owner else "nobody",
            "rule": rule.name,
            "arr": _money(arr.get(pk)),
            "score": f"{scored.score:.0f}" if scored and scored.score is not None else "no score",
            "light": scored.get_light_display() if scored and scored.light else "no light",
            "renewal_date": day_text(renewal) if renewal else "none planned",
            "phase": engagement.current_phase.name if engagement else "no engagement",
        })
    return found


def _values(target: Target, firing: Firing) -> dict[str, str]:
    return {**target.values, "reason": firing.summary,
            "event_on": day_text(firing.event_on)}


def _can_work(user: User | None) -> bool:
    return user is not None and user.is_active and user.role != Role.READONLY


def _assignee(choice: str, rule: Rule, target: Target) -> User:
    """Who gets the task: the chosen person when they can take work, else the rule's owner."""
    owner = target.account.owner
    person: User | None = {
        Assignee.OWNER: owner,
        Assignee.ENGAGEMENT_OWNER: target.engagement.owner if target.engagement else owner,
        Assignee.RULE_OWNER: rule.owner,
    }[Assignee(choice)]
    return person if person is not None and _can_work(person) else rule.owner


@dataclasses.dataclass
class Pending:
    """Rows to write in bulk once every firing's actions are known."""

    tasks: list[tuple[Firing, Task]] = dataclasses.field(default_factory=list)
    entries: list[Entry] = dataclasses.field(default_factory=list)
    flags: list[tuple[Firing, str]] = dataclasses.field(default_factory=list)


def _task(pending: Pending, firing: Firing, target: Target, rule: Rule, *, title: str,
          description: str, assignee: str, due_days: int, today: dt.date) -> None:
    values = _values(target, firing)
    person = _assignee(assignee, rule, target)
    text = merge.render(description, values)
    note = f"Opened by the rule “{rule.name}”: {firing.summary}."
    task = Task(
        title=merge.render(title, values)[:TASK_TITLE], assignee=person, account=target.account,
        engagement=target.engagement, due_date=today + dt.timedelta(days=due_days),
        description=(f"{text}\n\n{note}" if text else note)[:NOTE],
    )
    pending.tasks.append((firing, task))


def _recipients(action: Action, rule: Rule, target: Target, leaders: list[User]) -> list[User]:
    owner = target.account.owner
    choices: dict[str, list[User | None]] = {
        Recipient.OWNER: [owner],
        Recipient.RULE_OWNER: [rule.owner],
        Recipient.LEADERS: list(leaders),
        Recipient.TEAM: (
            [target.engagement.owner, *target.engagement.team.all()] if target.engagement else [owner]
        ),
        Recipient.CONTACT: [],
    }
    people = choices[Recipient(action.to)]
    return [p for p in people if p is not None and p.is_active]


def _key_contact(target: Target) -> Any:
    from cairn.commitment.models import Stakeholder

    if target.engagement is None:
        return None
    found = (Stakeholder.objects.filter(engagement=target.engagement, contact__isnull=False)
             .exclude(contact__email="").select_related("contact").order_by("-power", "-interest", "pk")
             .first())
    return found.contact if found else None


def apply(rule: Rule, definition: Definition, fired: Sequence[Firing], today: dt.date) -> None:
    """Carry out the rule's actions for each firing and record what each did in its
    `outcomes`; the firings are not saved yet (the caller writes them after)."""
    if not fired:
        return
    from cairn.notifications import actions as notifications
    from cairn.webhooks import actions as webhooks
    from cairn.webhooks.models import Endpoint

    found = targets(rule, fired, today)
    pending = Pending()
    leaders = list(User.objects.filter(role=Role.LEADER, is_active=True)) if any(
        a.kind == ActionKind.EMAIL and a.to == Recipient.LEADERS for a in definition.actions) else []
    plays = {p.pk: list(p.steps.all()) for p in Play.objects.filter(
        pk__in=[a.play for a in definition.actions if a.kind == ActionKind.PLAY]
    ).prefetch_related("steps")}
    endpoints = Endpoint.objects.in_bulk(
        [a.endpoint for a in definition.actions if a.kind == ActionKind.WEBHOOK]
    )
    link = reverse("automation_rule", args=[rule.pk])
    # One look at the endpoints, not one per firing: most books have none that listen.
    listening = any(EVENT in e.events for e in Endpoint.objects.filter(active=True).only("events"))
    for firing in fired:
        target = found.get(firing.account_id)
        if target is None:
            continue
        values = _values(target, firing)
        outcomes = firing.outcomes
        for action in definition.actions:
            if action.kind == ActionKind.TASK:
                _task(pending, firing, target, rule, title=action.title, description=action.body,
                      assignee=action.assignee, due_days=action.due_days, today=today)
            elif action.kind == ActionKind.PLAY:
                steps: list[PlayStep] = plays.get(action.play or 0, [])
                for step in steps:
                    _task(pending, firing, target, rule, title=step.title, description=step.description,
                          assignee=step.assignee, due_days=step.due_days, today=today)
            elif action.kind == ActionKind.EMAIL:
                context = {**values, "link": target.account.get_absolute_url()}
                if action.to == Recipient.CONTACT:
                    contact = _key_contact(target)
                    sent = contact is not None and notifications.email_contact(
                        contact, template=action.template,
                        context={**context, "contact_name": contact.full_name},
                    )
                    outcomes.append({"kind": "email", "to": contact.full_name if sent else "",
                                     "sent": bool(sent)})
                    continue
                people = _recipients(action, rule, target, leaders)
                notifications.notify(
                    people, "automation", title=merge.render(action.title, values) or
                    f"{rule.name}: {target.account.name}", body=firing.summary,
                    link=target.account.get_absolute_url(), account=target.account,
                    template=action.template, context=context,
                )
                outcomes.append({"kind": "email", "to": ", ".join(str(p) for p in people)})
            elif action.kind == ActionKind.TIMELINE:
                pending.entries.append(Entry(
                    account=target.account, engagement=target.engagement, kind=EntryKind.AUTOMATION,
                    title=merge.render(action.title, values)[:ENTRY_TITLE],
                    body=(merge.render(action.body, values) or firing.summary)[:NOTE], link=link,
                ))
                outcomes.append({"kind": "timeline", "title": pending.entries[-1].title})
            elif action.kind == ActionKind.FLAG:
                pending.flags.append((firing, action.flag))
            elif action.kind == ActionKind.WEBHOOK:
                endpoint = endpoints.get(action.endpoint or 0)
                if endpoint is None or not endpoint.active:
                    outcomes.append({"kind": "webhook", "skipped": "the webhook is switched off or gone"})
                    continue
                if EVENT in endpoint.events:
                    continue  # it hears every firing through its subscription, below
                delivery = webhooks.deliver(endpoint, EVENT, payload(rule, firing, target))
                outcomes.append({"kind": "webhook", "endpoint": endpoint.name, "id": delivery.pk})
        if listening:  # integrations subscribed to every rule's firings
            for delivery in webhooks.emit(EVENT, payload(rule, firing, target)):
                outcomes.append({"kind": "webhook", "endpoint": delivery.endpoint.name, "id": delivery.pk})
    _write(pending, rule)


def payload(rule: Rule, firing: Firing, target: Target) -> dict[str, Any]:
    """The `rule.fired` event's data (its schema is in cairn.webhooks.events)."""
    from cairn.webhooks.events import account_data

    return {
        "rule": {"id": rule.pk, "name": rule.name, "version": firing.version},
        "account": account_data(target.account),
        "event_on": firing.event_on.isoformat(),
        "summary": firing.summary,
        "matched": firing.matched,
    }


def _flags(pending: Pending, rule: Rule) -> None:
    """Flag the accounts; a flag an account already carries stays as it was."""
    names = {name for _, name in pending.flags}
    ids = {firing.account_id for firing, _ in pending.flags}
    carried = {
        (flag.account_id, flag.name): flag
        for flag in AccountFlag.objects.filter(account_id__in=ids, name__in=names, cleared_at__isnull=True)
    }
    now = timezone.now()
    new = {}
    for firing, name in pending.flags:
        key = (firing.account_id, name)
        if key not in carried and key not in new:
            new[key] = AccountFlag(account_id=firing.account_id, name=name, rule=rule, set_at=now)
    AccountFlag.objects.bulk_create(new.values())
    for firing, name in pending.flags:
        flag = carried.get((firing.account_id, name)) or new[(firing.account_id, name)]
        firing.outcomes.append({"kind": "flag", "name": name, "id": flag.pk})


def _write(pending: Pending, rule: Rule) -> None:
    if pending.flags:
        _flags(pending, rule)
    if pending.tasks:
        Task.objects.bulk_create([task for _, task in pending.tasks])
        my_work = reverse("my_work")
        for firing, task in pending.tasks:
            firing.outcomes.append({"kind": "task", "id": task.pk, "title": task.title,
                                    "assignee": str(task.assignee)})
            due = f", due {day_text(task.due_date)}" if task.due_date else ""
            pending.entries.append(Entry(
                account=task.account, engagement=task.engagement, kind=EntryKind.TASK,
                title=f"Task for {task.assignee}: {task.title}{due}"[:ENTRY_TITLE],
                link=f"{my_work}#task-{task.pk}",  # task.get_absolute_url(), without a reverse each
            ))
    if pending.entries:
        Entry.objects.bulk_create(pending.entries)
