"""Demo content for automation.

Jordan (the demo's CS leader) set the team's rules up a month ago, each previewed on the
book's history before it went on:
- red health on an enterprise or strategic account opens the "Save the account" play for its
  owner, flags the account "At risk" and e-mails the leaders;
- a renewal 90 days out opens the renewal kick-off task for the owner (not in the tech-touch
  pool, which renews on its own);
- a detractor's survey answer opens a call-back task for the owner, due the next day, and
  e-mails the owner at once;
- an urgent or high ticket on a strategic account is written to its timeline and sent to the
  CRM;
- a fall of 15 points within two weeks opens a task to look at usage: still switched off,
  for Jordan to preview;
- on Mondays, tech-touch accounts in red get an e-mail to their owner: switched off too.

The rules that are on ran day by day over the last 30 days, as the worker would have run
them, so their firings, tasks, e-mails and flags are dated on the days the situations arose.
Loaded last: the rules read the scores, tickets, answers and renewals of the other parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from cairn.automation import actions, engine
from cairn.automation.models import Play, Rule
from cairn.customers.models import Account
from cairn.operations.demo_clock import at
from cairn.operations.demo_content import DEMO_USERNAME as LEADER
from cairn.people.models import User

SINCE = 30  # days ago the rules went on

SAVE_PLAY = ("Save the account", "What the team does in the first week after an account turns red.", [
    actions.Step("Call the sponsor at {{ account }} about what changed", due_days=2),
    actions.Step("Walk through usage with {{ account }}'s admins",
                 "Open the usage page first: which teams stopped, since when.", due_days=5),
    actions.Step("Agree a recovery plan with {{ account }}", assignee="engagement_owner", due_days=7),
    actions.Step("Leader check-in on {{ account }}", assignee="rule_owner", due_days=10),
])
RENEWAL_PLAY = ("Renewal kick-off", "Ninety days before a renewal.", [
    actions.Step("Confirm the renewal owner and date for {{ account }}", due_days=3),
    actions.Step("Prepare the value summary for {{ account }}'s renewal", due_days=14),
])


def _rules(leader: User, plays: dict[str, Play]) -> list[tuple[Rule, dict[str, Any], bool]]:
    """(rule, definition, switched on) of the story."""
    return [
        (Rule(name="Red health on a key account", owner=leader, cooldown_days=21,
              description="A key account that turns red gets the save play within a day, and the "
              "leaders hear of it."), {
            "trigger": {"kind": "light_changed", "light": "red"},
            "conditions": [{"field": "segment", "op": "in", "values": ["enterprise", "strategic"]}],
            "actions": [
                {"kind": "play", "play": plays["save"].pk},
                {"kind": "flag", "flag": "At risk"},
                {"kind": "email", "to": "leaders", "template": "rule_email",
                 "title": "{{ account }} turned red"},
            ],
        }, True),
        (Rule(name="Renewal in 90 days", owner=leader, cooldown_days=30,
              description="Every renewal with a CSM starts a quarter ahead (the self-serve "
              "pool renews on its own)."), {
            "trigger": {"kind": "renewal_near", "days": 90},
            "conditions": [{"field": "segment", "op": "not_in", "values": ["tech_touch"]}],
            "actions": [{"kind": "play", "play": plays["renewal"].pk}],
        }, True),
        (Rule(name="Detractor call-back", owner=leader, cooldown_days=14,
              description="A detractor hears from their CSM the next working day."), {
            "trigger": {"kind": "detractor"},
            "actions": [
                {"kind": "task", "title": "Call back the detractor at {{ account }}", "due_days": 1,
                 "body": "{{ reason }}"},
                {"kind": "email", "to": "owner", "template": "rule_email",
                 "title": "Detractor at {{ account }}"},
            ],
        }, True),
        (Rule(name="Urgent ticket on a strategic account", owner=leader, cooldown_days=3,
              description="The account team and the CRM see urgent tickets of strategic accounts."), {
            "trigger": {"kind": "urgent_ticket"},
            "conditions": [{"field": "segment", "op": "in", "values": ["strategic"]}],
            "actions": [{"kind": "timeline", "title": "Urgent ticket at {{ account }}",
                         "body": "{{ reason }}"}],
        }, True),
        (Rule(name="Score fell 15 points in two weeks", owner=leader, cooldown_days=14,
              description="Draft: to preview before switching on."), {
            "trigger": {"kind": "score_fell", "points": 15, "days": 14},
            "actions": [{"kind": "task", "title": "Look at usage at {{ account }}: score {{ score }}",
                         "due_days": 3}],
        }, False),
        (Rule(name="Monday check on red tech-touch accounts", owner=leader, cooldown_days=7), {
            "trigger": {"kind": "schedule", "every": "week", "weekday": 0},
            "conditions": [{"field": "segment", "op": "in", "values": ["tech_touch"]},
                           {"field": "light", "op": "in", "values": ["red"]}],
            "actions": [{"kind": "email", "to": "owner", "template": "rule_email",
                         "title": "{{ account }} is red"}],
        }, False),
    ]


def load(
    accounts: dict[str, Account], users: dict[str, User], today: dt.date,
    stamp: Callable[[dt.date], None],
) -> None:
    leader = users.get(LEADER)
    if leader is None:
        return
    start = today - dt.timedelta(days=SINCE)
    plays = {}
    for key, (name, description, steps) in (("save", SAVE_PLAY), ("renewal", RENEWAL_PLAY)):
        plays[key] = actions.save_play(Play(name=name, description=description), steps, by=leader)
    made = []
    for rule, data, on in _rules(leader, plays):
        rule = actions.save_rule(rule, actions.parse(data), by=leader)
        if on:
            rule = actions.switch(rule, enabled=True, by=leader, catch_up=False, today=start)
        made.append(rule)
    stamp(start)
    # A flag set by hand: Halvorsen's champion moved on, and Priya wants everyone to know.
    halvorsen, priya = accounts.get("halvorsen-maritime"), users.get("priya")
    if halvorsen is not None and priya is not None:
        actions.set_flag(halvorsen, "Champion left", by=priya)
        stamp(today - dt.timedelta(days=9))
    # The worker's runs of each past day, the morning after the nightly refresh.
    for offset in range(SINCE, 0, -1):
        day = today - dt.timedelta(days=offset)
        engine.evaluate_all(day)
        stamp(day)
    _settled_webhooks(today)
    _emailed_then()


def _emailed_then() -> None:
    """The rules' e-mails went out when they fired, in the story: the demo's load sends none
    (they would print to the console), so they are written as sent on their day."""
    from django.db.models import F

    from cairn.notifications.kinds import Delivery
    from cairn.notifications.models import EmailState, Notification

    Notification.objects.filter(email_state=EmailState.PENDING, delivery=Delivery.NOW).update(
        email_state=EmailState.SENT, emailed_at=F("created_at")
    )


def _settled_webhooks(today: dt.date) -> None:
    """The CRM received every firing it was sent: the demo never calls out, so the deliveries
    the rules queued are written as answered."""
    from cairn.webhooks.models import Attempt, Delivery, Status

    now = timezone.now()
    for delivery in Delivery.objects.filter(event="rule.fired", status=Status.PENDING):
        when = delivery.created_at if delivery.created_at < now else at(today, 7)
        Attempt.objects.create(delivery=delivery, number=1, attempted_at=when, status_code=200,
                               response='{"received":true}', duration_ms=140)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Status.DELIVERED, attempts=1, delivered_at=when, last_status_code=200,
            last_response='{"received":true}', next_attempt_at=None,
        )


def wipe(users: list[User]) -> None:
    Rule.objects.filter(owner__in=users).delete()
    Play.objects.filter(created_by__in=users).delete()
