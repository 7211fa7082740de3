"""What the automation tests start from: Carol's Acme (enterprise, the root conftest's) and
Dave's Globex (mid-market), a fixed `TODAY`, and helpers that write the history rules read
(scores, metric series) and build a rule the way a leader does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

TODAY = dt.date(2026, 12, 7)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def light_of(score: float) -> str:
    return "green" if score >= 70 else "red" if score < 40 else "amber"


def score(day: dt.date, scores: dict[Any, float]) -> None:
    """Record the scores of `day` for the given accounts, as a recompute does."""
    from cairn.health import history

    accounts = sorted(scores, key=lambda a: a.pk)
    values = np.array([scores[a] for a in accounts], dtype=float)
    table = history.table_of(
        np.array([a.pk for a in accounts]), [None] * len(accounts), [None] * len(accounts), values,
        [light_of(v) for v in values], ["{}"] * len(accounts),
    )
    history.record(day, table, None)


def make_rule(
    owner: Any, trigger: dict[str, Any], actions: list[dict[str, Any]] | None = None, *,
    conditions: list[dict[str, Any]] | None = None, cooldown: int = 14, name: str = "Rule",
    enabled: bool = True, catch_up: bool = True,
) -> Any:
    from cairn.automation import actions as rules
    from cairn.automation.models import Rule

    definition = rules.parse({
        "trigger": trigger, "conditions": conditions or [],
        "actions": actions or [{"kind": "task", "title": "Look at {{ account }}", "due_days": 2}],
    })
    rule = rules.save_rule(Rule(name=name, owner=owner, cooldown_days=cooldown), definition, by=owner)
    if enabled:
        rule = rules.switch(rule, enabled=True, by=owner, catch_up=catch_up, today=TODAY)
    return rule


@pytest.fixture
def globex(dave: Any) -> Any:
    from cairn.customers.models import Account

    return Account.objects.create(name="Globex", segment="mid_market", owner=dave, industry="Retail")


@pytest.fixture
def evaluate() -> Callable[..., Any]:
    """Evaluate a rule as of TODAY (or the given day) and answer its firings."""
    from cairn.automation import engine

    def run(rule: Any, today: dt.date = TODAY) -> Any:
        engine.evaluate(rule, today)
        return list(rule.firings.order_by("event_on", "account__name"))

    return run
