"""A situation a trigger found, and what became of it in an evaluation or a preview."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import models


@dataclasses.dataclass(frozen=True)
class Hit:
    """One situation on one account: the key names it (the same key is the same situation),
    `matched` holds the values that made it, `summary` says it in words."""

    account_id: int
    event_key: str
    event_on: dt.date
    summary: str
    matched: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False, compare=False)


class Verdict(models.TextChoices):
    FIRES = "fires", "Fires"
    COOLDOWN = "cooldown", "Held back by the cooldown"
    ALREADY = "already", "Already acted on"


@dataclasses.dataclass(frozen=True)
class Judged:
    hit: Hit
    verdict: Verdict
