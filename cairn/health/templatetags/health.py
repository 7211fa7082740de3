"""`{% load health %}{% account_health account as health %}`: an account's latest health, for
the panel other apps' pages include (a fixed number of queries and one row group of the
score history read, whatever the page)."""

from __future__ import annotations

from typing import Any

from django import template

from cairn.customers.models import Account
from cairn.health.history import stored
from cairn.health.models import AccountHealth, Indicator
from cairn.health.queries import score_lines
from cairn.health.scoring import trend

register = template.Library()


@register.simple_tag
def account_health(account: Account) -> dict[str, Any]:
    latest = AccountHealth.objects.filter(account=account).first()
    if latest is None:
        return {"scored": False}
    score = stored(account.pk, latest.scored_on)
    explanation = score.explanation if score else {}
    names = {m["key"]: m for m in (score_lines(score) if score else [])}
    return {
        "scored": True,
        "latest": latest,
        "trend": trend(latest.change),
        "trend_30d": trend(latest.change_30d),
        "pulled_down": [names[k] for k in explanation.get("pulled_down", []) if k in names],
        "missing": [m["name"] for m in names.values() if m.get("points") is None],
    }


@register.filter
def indicator_label(value: str) -> str:
    """A measure's indicator as the scorecard names it ("nps" → "NPS")."""
    try:
        return str(Indicator(value).label)
    except ValueError:
        return value
