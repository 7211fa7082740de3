"""Reading the event store for pages: recent events, the quarantine, one account's usage.

Every read goes through `store.committed_event_files()`, so an uncommitted batch is never
shown, and through DuckDB with bound parameters (file lists and filters are parameters).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
from django.db.models import Count, Q
from django.utils import timezone

from cairn.customers.models import Account
from cairn.usage import store
from cairn.usage.models import IngestBatch, SupportTicket, SurveyResponse

RECENT_DAYS = 28


def _connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    # Through Arrow: DuckDB's own conversion of zone-aware timestamps needs pytz.
    return cursor.to_arrow_table().to_pylist()  # type: ignore[no-any-return]


@dataclass
class EventPage:
    events: list[dict[str, Any]]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


_EVENT_COLUMNS = (
    "event_id, account_id, account_external_id, user_id, event_type, ts, value, properties, "
    "batch_id"
)
_FILTER = (
    "($account = '' OR account_external_id = $account) "
    "AND ($event_type = '' OR event_type = $event_type)"
)


def recent_events(
    *, account: str = "", event_type: str = "", page: int = 1, per_page: int = 50,
    days: int = 31,
) -> EventPage:
    """The newest events of the last `days` days with data, newest first, one page of them."""
    latest = IngestBatch.objects.exclude(last_day=None).order_by("-last_day").first()
    if latest is None or latest.last_day is None:
        return EventPage([], 0, 1, per_page)
    files = store.committed_event_files(latest.last_day - dt.timedelta(days=days - 1))
    if not files:
        return EventPage([], 0, 1, per_page)
    params = {"files": files, "account": account, "event_type": event_type}
    connection = _connection()
    source = "read_parquet($files, hive_partitioning = false)"
    count = connection.execute(
        f"SELECT count(*) FROM {source} WHERE {_FILTER}", params  # noqa: S608 - fixed text
    ).fetchone()
    total = int(count[0]) if count else 0
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    cursor = connection.execute(
        f"SELECT {_EVENT_COLUMNS} FROM {source} WHERE {_FILTER} "  # noqa: S608 - fixed text
        "ORDER BY ts DESC, event_id LIMIT $limit OFFSET $offset",
        {**params, "limit": per_page, "offset": (number - 1) * per_page},
    )
    return EventPage(_rows(cursor), total, number, per_page)


@dataclass
class QuarantineView:
    batches: list[IngestBatch]
    reasons: dict[str, int]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def quarantine(limit: int = 200) -> QuarantineView:
    """Open quarantines: counts by reason (from the database) and the first rows of them."""
    batches = list(IngestBatch.objects.filter(quarantine_open=True).order_by("-created_at"))
    reasons: dict[str, int] = {}
    for batch in batches:
        for reason, count in batch.quarantine_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    view = QuarantineView(batches, dict(sorted(reasons.items(), key=lambda r: -r[1])))
    view.total = sum(batch.quarantined for batch in batches)
    files = [str(store.absolute(b.quarantine_file)) for b in batches if b.quarantine_file]
    if files:
        cursor = _connection().execute(
            "SELECT regexp_extract(filename, '([0-9a-f]{32})\\.parquet$', 1) AS batch_id, * "
            "EXCLUDE (filename) FROM read_parquet($files, filename = true) "
            "ORDER BY batch_id, line LIMIT $limit",
            {"files": files, "limit": limit},
        )
        view.rows = _rows(cursor)
    return view


@dataclass
class AccountUsage:
    by_type: list[tuple[str, int]]
    total: int
    users: int
    last_seen: dt.datetime | None
    since: dt.date
    tickets: list[SupportTicket]
    open_tickets: int
    surveys: list[SurveyResponse]
    nps: int | None  # promoters % - detractors %, over the last 12 months of answers

    @property
    def max_count(self) -> int:
        return max((count for _, count in self.by_type), default=0)


def account_usage(account: Account, *, today: dt.date | None = None) -> AccountUsage:
    """The account page's usage panel: the last 28 days of events, tickets and NPS."""
    today = today or timezone.now().date()
    since = today - dt.timedelta(days=RECENT_DAYS - 1)
    by_type: list[tuple[str, int]] = []
    total = users = 0
    last_seen = None
    recent = store.committed_event_files(since, today)
    connection = _connection()
    if recent:
        cursor = connection.execute(
            "SELECT event_type, count(*) AS n FROM read_parquet($files, hive_partitioning = false)"
            " WHERE account_id = $account GROUP BY event_type ORDER BY n DESC, event_type",
            {"files": recent, "account": account.pk},
        )
        by_type = [(str(kind), int(count)) for kind, count in cursor.fetchall()]
        total = sum(count for _, count in by_type)
        row = connection.execute(
            "SELECT count(DISTINCT user_id) FROM read_parquet($files, hive_partitioning = false)"
            " WHERE account_id = $account",
            {"files": recent, "account": account.pk},
        ).fetchone()
        users = int(row[0]) if row else 0
    # The last 28 days usually answer "last seen"; only a quiet account needs every file.
    every = recent if total else store.committed_event_files()
    if every:
        rows = _rows(connection.execute(
            "SELECT max(ts) AS last_seen FROM read_parquet($files, hive_partitioning = false) "
            "WHERE account_id = $account",
            {"files": every, "account": account.pk},
        ))
        last_seen = rows[0]["last_seen"] if rows else None
    tickets = list(SupportTicket.objects.filter(account=account).select_related("contact")[:5])
    open_tickets = SupportTicket.objects.filter(
        account=account, status__in=["open", "pending"]
    ).count()
    surveys = list(SurveyResponse.objects.filter(account=account).select_related("contact")[:5])
    year = SurveyResponse.objects.filter(
        account=account, answered_at__gte=timezone.now() - dt.timedelta(days=365)
    ).aggregate(
        answers=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    nps = None
    if year["answers"]:
        nps = round(100 * (year["promoters"] - year["detractors"]) / year["answers"])
    return AccountUsage(by_type, total, users, last_seen, since, tickets, open_tickets, surveys, nps)
