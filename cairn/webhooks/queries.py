"""What the webhook pages and the API read: the endpoints with their last delivery, an
endpoint's delivery log, a delivery with its attempts, and the endpoints' history in words.
Each in a fixed number of queries, however many rows there are."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from cairn import changes
from cairn.webhooks import events, sender
from cairn.webhooks.models import Attempt, Delivery, Endpoint, Status

HISTORY_ROWS = 200


def endpoints() -> QuerySet[Endpoint]:
    """Every endpoint with the state of its latest delivery (last_status, last_at,
    last_code): one query."""
    latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    return Endpoint.objects.select_related("created_by").annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_at=Subquery(latest.values("created_at")[:1]),
        last_code=Subquery(latest.values("last_status_code")[:1]),
    ).order_by("name", "pk")


def endpoint_rows() -> list[Endpoint]:
    """The endpoints, each with `last_label`, its latest delivery's status in words."""
    rows = list(endpoints())
    for row in rows:
        status = getattr(row, "last_status", None)
        row.last_label = Status(status).label if status else ""  # type: ignore[attr-defined]
    return rows


def log(endpoint: Endpoint) -> QuerySet[Delivery]:
    """An endpoint's deliveries, newest first."""
    return endpoint.deliveries.select_related("requested_by").order_by("-created_at", "-pk")


def deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("endpoint", "requested_by", "replay_of")


def attempts(delivery: Delivery) -> list[Attempt]:
    return list(delivery.attempt_log.order_by("number"))


def replays(delivery: Delivery) -> list[Delivery]:
    return list(delivery.replays.select_related("requested_by").order_by("created_at", "pk"))


def pause_words(pause: dt.timedelta) -> str:
    """'1 min', '30 min', '2 h'."""
    minutes = int(pause.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes >= 60 and minutes % 60 == 0 else f"{minutes} min"


def backoff_words() -> list[str]:
    return [pause_words(pause) for pause in sender.BACKOFF]


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def body(delivery: Delivery) -> str:
    """The envelope as the receiver gets it, indented for people."""
    return pretty(events.envelope(str(delivery.uuid), delivery.event, delivery.created_at, delivery.payload))


@dataclasses.dataclass
class HistoryRow:
    when: dt.datetime
    who: Any
    action: str
    endpoint_id: int
    endpoint_name: str
    changes: list[changes.Change]


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _labels(names: Any) -> str:
    if not isinstance(names, list):
        return changes.MISSING
    return ", ".join(events.label(str(name)) for name in names) or changes.MISSING


def history(endpoint_id: int | None = None, limit: int = HISTORY_ROWS) -> list[HistoryRow]:
    """Who created, changed, rotated the secret of or deleted which endpoint, newest first,
    deleted endpoints included. Each record is compared with the one before it in Python,
    from one query, so the count does not grow with the rows."""
    found = Endpoint.history.select_related("history_user").order_by("id", "history_date", "history_id")
    if endpoint_id is not None:
        found = found.filter(id=endpoint_id)
    records = list(found)
    pairs = []
    previous = None
    for record in records:
        pairs.append((record, previous if previous is not None and previous.id == record.id else None))
        previous = record
    pairs.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    pairs = pairs[:limit]
    described = changes.describe(pairs)
    rows = []
    for (record, before), words in zip(pairs, described, strict=True):
        for change in words:
            # The events by their labels, not the list of their internal names.
            if change.field == "Events" and before is not None:
                change.old, change.new = _labels(before.events), _labels(record.events)
        rows.append(HistoryRow(
            record.history_date, record.history_user, ACTIONS.get(record.history_type, "changed"),
            record.id, record.name, words,
        ))
    return rows
