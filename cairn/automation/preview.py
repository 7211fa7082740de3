"""A rule run over the last 30 days of the book's history without acting: the accounts it
would have fired on and why, before anyone switches it on.

The preview and the evaluation share one path (cairn.automation.engine.judge): switched on
with "act on the last 30 days", the rule's first evaluation acts on exactly the rows the
preview marks as firing, provided nothing changed in between.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from cairn.automation import engine
from cairn.automation.actions import CATCH_UP_DAYS, definition_of
from cairn.automation.hits import Verdict
from cairn.automation.models import Rule
from cairn.customers.models import Account

PREVIEW_ROWS = 500


@dataclasses.dataclass(frozen=True)
class PreviewRow:
    account_id: int
    account_name: str
    event_on: dt.date
    summary: str
    matched: dict[str, Any]
    verdict: Verdict


@dataclasses.dataclass(frozen=True)
class Preview:
    start: dt.date
    end: dt.date
    rows: list[PreviewRow]  # the first PREVIEW_ROWS, by day then account name
    fires: int
    cooldown: int
    already: int
    accounts: int  # distinct accounts it would fire on

    @property
    def truncated(self) -> bool:
        return self.fires + self.cooldown + self.already > len(self.rows)


def preview(rule: Rule, today: dt.date | None = None, limit: int = PREVIEW_ROWS) -> Preview:
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=CATCH_UP_DAYS)
    judged = engine.judge(rule, definition_of(rule), start, today)
    counts = {verdict: 0 for verdict in Verdict}
    for item in judged:
        counts[item.verdict] += 1
    ordered = sorted(judged, key=lambda item: (item.hit.event_on, item.hit.account_id))[:limit]
    names = dict(
        Account.objects.filter(pk__in={item.hit.account_id for item in ordered}).values_list("pk", "name")
    )
    rows = [
        PreviewRow(
            account_id=item.hit.account_id, account_name=names.get(item.hit.account_id, ""),
            event_on=item.hit.event_on, summary=item.hit.summary, matched=item.hit.matched,
            verdict=item.verdict,
        )
        for item in ordered
    ]
    rows.sort(key=lambda row: (row.event_on, row.account_name.casefold()))
    return Preview(
        start=start, end=today, rows=rows, fires=counts[Verdict.FIRES],
        cooldown=counts[Verdict.COOLDOWN], already=counts[Verdict.ALREADY],
        accounts=len({item.hit.account_id for item in judged if item.verdict == Verdict.FIRES}),
    )
