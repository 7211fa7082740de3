"""The figures of the two home pages: the leader's book and a CSM's own.

Each function reads its figure in a fixed number of queries, whatever the size of the book;
the home pages are read by everyone every morning.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cairn.customers.models import Account, Subscription
from cairn.customers.queries import in_force, with_standing
from cairn.engagements.models import ActivityStatus, Engagement, EngagementActivity, PhaseMove
from cairn.engagements.models import Status as EngagementStatus
from cairn.health import history
from cairn.health.models import Light, ScoreDate
from cairn.people.models import User
from cairn.playbooks.models import Phase
from cairn.renewals.models import OPEN_STAGES, Renewal, Stage
from cairn.renewals.queries import AT_RISK
from cairn.retention.queries import Period, figures
from cairn.timeline.models import Task, TaskStatus

# ARR at risk: renewals inside this many days whose owner flagged them or whose health is
# red or amber (the definition, and the renewals page's 90-day window).
RISK_DAYS = 90
PIPELINE_DAYS = 180
HEALTH_WEEKS = 26
LIGHTS = (Light.GREEN, Light.AMBER, Light.RED)


@dataclass(frozen=True)
class Mix:
    """How many accounts have each light; `none` have no score (not enough data)."""

    green: int = 0
    amber: int = 0
    red: int = 0
    none: int = 0

    @property
    def total(self) -> int:
        return self.green + self.amber + self.red + self.none

    def parts(self) -> list[tuple[str, str, int]]:
        """(light, label, count) from the worst to the best, then the unscored."""
        return [("red", "Red", self.red), ("amber", "Amber", self.amber),
                ("green", "Green", self.green), ("none", "Not scored", self.none)]


@dataclass(frozen=True)
class Book:
    accounts: int
    arr: Decimal
    mix: Mix
    renewals_soon: int  # open renewals inside RISK_DAYS, overdue ones included
    renewals_soon_arr: Decimal
    at_risk: int
    at_risk_arr: Decimal
    overdue_tasks: int = 0
    overdue_activities: int = 0

    @property
    def overdue(self) -> int:
        return self.overdue_tasks + self.overdue_activities


def _accounts(owner: int | None) -> Any:
    """The book as the portfolio shows it: customers, not former customers."""
    accounts = with_standing(Account.objects.all()).filter(is_former=False)  # type: ignore[misc]
    return accounts.filter(owner=owner) if owner is not None else accounts


def _mix(row: dict[str, Any]) -> Mix:
    return Mix(green=row["green"], amber=row["amber"], red=row["red"], none=row["n"] - row["scored"])


_MIX = {
    "n": Count("pk"),
    "scored": Count("pk", filter=Q(health__light__in=LIGHTS)),
    **{light.value: Count("pk", filter=Q(health__light=light)) for light in LIGHTS},
}


@dataclass(frozen=True)
class Holdings:
    """How many customers, their ARR and their health: the slow part of a book's figures."""

    accounts: int = 0
    arr: Decimal = Decimal(0)
    mix: Mix = field(default_factory=Mix)


def holdings(today: dt.date, owner: int | None = None) -> Holdings:
    """The book's (or `owner`'s) customers, ARR in force and health: two queries."""
    counts = _accounts(owner).aggregate(**_MIX)
    live = Subscription.objects.filter(in_force(today))
    if owner is not None:
        live = live.filter(account__owner=owner)
    arr = live.aggregate(total=Coalesce(Sum("arr"), Decimal(0)))["total"]
    return Holdings(counts["n"], arr, _mix(counts))


def holdings_by_owner(today: dt.date) -> dict[int | None, Holdings]:
    """`holdings` of each owner (None: accounts nobody owns): two queries."""
    counts = {
        row["owner"]: row for row in _accounts(None).order_by().values("owner").annotate(**_MIX)
    }
    arr = {
        row["account__owner"]: row["total"]
        for row in Subscription.objects.filter(in_force(today)).order_by()
        .values("account__owner").annotate(total=Sum("arr"))
    }
    return {
        owner: Holdings(row["n"], arr.get(owner) or Decimal(0), _mix(row))
        for owner, row in counts.items()
    }


def book(today: dt.date, owner: int | None = None, held: Holdings | None = None) -> Book:
    """The book's size, ARR, health and renewals at risk; a CSM's own with `owner` (and
    their overdue work). Three queries when `held` (see `snapshot`) is given, five without,
    two more with `owner`."""
    held = held if held is not None else holdings(today, owner)
    soon = Renewal.objects.filter(
        stage__in=OPEN_STAGES, renewal_date__lte=today + dt.timedelta(days=RISK_DAYS)
    )
    if owner is not None:
        soon = soon.filter(owner=owner)
    renewals = soon.aggregate(
        n=Count("pk"), total=Coalesce(Sum("arr"), Decimal(0)),
        risk_n=Count("pk", filter=AT_RISK), risk_total=Coalesce(Sum("arr", filter=AT_RISK), Decimal(0)),
    )
    tasks, activities = (0, 0)
    if owner is not None:
        work = overdue_work(today, [owner])
        tasks, activities = work.get(owner, (0, 0))
    return Book(
        accounts=held.accounts, arr=held.arr, mix=held.mix,
        renewals_soon=renewals["n"], renewals_soon_arr=renewals["total"],
        at_risk=renewals["risk_n"], at_risk_arr=renewals["risk_total"],
        overdue_tasks=tasks, overdue_activities=activities,
    )


@dataclass(frozen=True)
class StageRow:
    stage: str
    label: str
    count: int
    arr: Decimal


def pipeline(today: dt.date, owner: int | None = None) -> list[StageRow]:
    """Open renewals inside PIPELINE_DAYS (overdue ones included) by stage: one query."""
    rows = Renewal.objects.filter(
        stage__in=OPEN_STAGES, renewal_date__lte=today + dt.timedelta(days=PIPELINE_DAYS)
    )
    if owner is not None:
        rows = rows.filter(owner=owner)
    found: dict[str, tuple[int, Decimal]] = {
        r["stage"]: (r["n"], r["total"])
        for r in rows.order_by().values("stage").annotate(n=Count("pk"), total=Sum("arr"))
    }
    return [
        StageRow(stage.value, stage.label, *found.get(stage.value, (0, Decimal(0))))
        for stage in (Stage(s) for s in OPEN_STAGES)
    ]


@dataclass(frozen=True)
class WeekMix:
    day: dt.date  # the scoring date that stands for its week: the week's last
    mix: Mix


def health_mix(today: dt.date, weeks: int = HEALTH_WEEKS) -> list[WeekMix]:
    """The book's lights on the last scoring date of each of the last `weeks` weeks, from
    the score history: one query for the dates, then one scan over the files not yet seen.

    A date's file never changes (a new run writes a new file and points the date at it),
    so its counts are cached by file name."""
    for attempt in range(2):
        last_of_week: dict[tuple[int, int], ScoreDate] = {}
        for date in history.dates(since=today - dt.timedelta(weeks=weeks), until=today):
            last_of_week[date.scored_on.isocalendar()[:2]] = date
        dates = sorted(last_of_week.values(), key=lambda d: d.scored_on)
        keys = {d.file: f"cairn.home.lights:{d.file}" for d in dates}
        cached = cache.get_many(list(keys.values()))
        known = {name: cached[key] for name, key in keys.items() if key in cached}
        try:
            fresh = history.light_counts([d for d in dates if d.file not in known])
        except duckdb.IOException:
            if attempt:
                raise
            continue  # a run of one of the dates committed a new file: list them again
        cache.set_many({keys[name]: counts for name, counts in fresh.items()}, timeout=None)
        known.update(fresh)
        return [WeekMix(d.scored_on, _light_mix(known[d.file])) for d in dates]
    return []


def _light_mix(counts: dict[str, int]) -> Mix:
    return Mix(
        green=counts.get("green", 0), amber=counts.get("amber", 0), red=counts.get("red", 0),
        none=sum(n for light, n in counts.items() if light not in LIGHTS),
    )


@dataclass
class PhaseRow:
    key: str
    name: str
    running: int = 0  # running engagements in the phase now
    days_so_far: float | None = None  # their average days in it so far
    finished: int = 0  # stays in the phase that ended with a move on
    days_spent: float | None = None  # their average length in days


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0"
    return f"julianday({later}) - julianday({earlier})"


def phases(now: dt.datetime) -> list[PhaseRow]:
    """Engagements per phase now, and the time spent in each phase: how long the stays that
    ended lasted, and how long the running ones have lasted so far. Two queries.

    A stay runs from a move into the phase to the engagement's next move (forward or back).
    Phases are matched by key across playbook versions."""
    move, phase, engagement = (m._meta.db_table for m in (PhaseMove, Phase, Engagement))
    days = _days_between("COALESCE(s.left_at, %s)", "s.moved_at")
    # Table names come from the models; values go in as parameters.
    sql = f"""
        WITH stays AS (
            SELECT m.engagement_id, p.key AS phase_key, m.moved_at,
                   LEAD(m.moved_at) OVER (
                       PARTITION BY m.engagement_id ORDER BY m.moved_at, m.id
                   ) AS left_at
            FROM {move} m JOIN {phase} p ON p.id = m.to_phase_id
        )
        SELECT s.phase_key, s.left_at IS NULL AS current, COUNT(*), AVG({days})
        FROM stays s JOIN {engagement} e ON e.id = s.engagement_id
        WHERE s.left_at IS NOT NULL OR e.status <> %s
        GROUP BY s.phase_key, s.left_at IS NULL
    """  # noqa: S608
    names: dict[str, str] = {}
    for key, name in Phase.objects.order_by("version_id", "position").values_list("key", "name"):
        names.setdefault(key, name)
    rows = {key: PhaseRow(key, name) for key, name in names.items()}
    if connection.vendor == "sqlite":  # stored as UTC text: compare like with like
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, EngagementStatus.CLOSED])
        found = cursor.fetchall()
    for key, current, n, avg_days in found:
        row = rows.setdefault(key, PhaseRow(key, key))
        average = float(avg_days) if avg_days is not None else None
        if current:
            row.running, row.days_so_far = n, average
        else:
            row.finished, row.days_spent = n, average
    return list(rows.values())


def overdue_work(today: dt.date, users: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """(open tasks, open checklist activities) past their due date, by assignee: two
    queries. Activities of closed engagements are not work any more."""
    tasks = Task.objects.filter(status=TaskStatus.OPEN, due_date__lt=today, assignee__isnull=False)
    activities = EngagementActivity.objects.filter(
        status=ActivityStatus.OPEN, due_date__lt=today, assignee__isnull=False
    ).exclude(engagement__status=EngagementStatus.CLOSED)
    if users is not None:
        tasks, activities = tasks.filter(assignee__in=users), activities.filter(assignee__in=users)
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in tasks.order_by().values("assignee").annotate(n=Count("pk")):
        found[row["assignee"]][0] = row["n"]
    for row in activities.order_by().values("assignee").annotate(n=Count("pk")):
        found[row["assignee"]][1] = row["n"]
    return {user: (t, a) for user, (t, a) in found.items()}


@dataclass
class CsmRow:
    user: User
    accounts: int = 0
    arr: Decimal = Decimal(0)
    mix: Mix = field(default_factory=Mix)
    overdue_tasks: int = 0
    overdue_activities: int = 0

    @property
    def overdue(self) -> int:
        return self.overdue_tasks + self.overdue_activities


def team(today: dt.date, by_owner: dict[int | None, Holdings]) -> list[CsmRow]:
    """Per person who owns accounts or has overdue work: their accounts, ARR, health mix
    (from `holdings_by_owner`) and overdue work, largest book first. Three queries."""
    work = overdue_work(today)
    people = {
        u.pk: u for u in User.objects.filter(pk__in=[pk for pk in {*by_owner, *work} if pk is not None])
    }
    rows = []
    for pk, user in people.items():
        tasks, activities = work.get(pk, (0, 0))
        held = by_owner.get(pk, Holdings())
        rows.append(CsmRow(
            user, accounts=held.accounts, arr=held.arr, mix=held.mix,
            overdue_tasks=tasks, overdue_activities=activities,
        ))
    rows.sort(key=lambda r: (-r.arr, -r.accounts, r.user.get_full_name() or r.user.username))
    return rows


@dataclass(frozen=True)
class Snapshot:
    """The book's figures that take a scan of the whole book, computed at most every
    SNAPSHOT_SECONDS (by each server process): holdings, per owner, time in the phases and
    revenue retention. What people act on (renewals, ARR at risk, overdue work) is read
    live beside it."""

    taken_at: dt.datetime
    holdings: Holdings
    by_owner: dict[int | None, Holdings]
    phases: list[PhaseRow]
    retention: list[Period]


SNAPSHOT_SECONDS = 300


def snapshot(today: dt.date, *, fresh: bool = False) -> Snapshot:
    """The cached snapshot of the book (a new one with `fresh`): no query when cached,
    seven when taken."""
    key = f"cairn.home.snapshot:{today.isoformat()}"
    found = None if fresh else cache.get(key)
    if found is None:
        found = Snapshot(
            taken_at=timezone.now(), holdings=holdings(today), by_owner=holdings_by_owner(today),
            phases=phases(timezone.now()), retention=figures(grain="month", periods=12, today=today),
        )
        cache.set(key, found, SNAPSHOT_SECONDS)
    return found


def my_renewals(today: dt.date, owner: int, limit: int = 5) -> list[Renewal]:
    """The owner's next open renewals, overdue ones first: one query."""
    from cairn.renewals.queries import at_risk, upcoming

    rows = list(upcoming(today, PIPELINE_DAYS, owner=owner)[:limit])
    for renewal in rows:
        renewal.at_risk = at_risk(renewal)  # type: ignore[attr-defined]
        renewal.days_left = (renewal.renewal_date - today).days  # type: ignore[attr-defined]
    return rows


def my_overdue(today: dt.date, user: int, limit: int = 5) -> list[Task]:
    """The user's oldest overdue tasks: one query."""
    return list(
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN, due_date__lt=today)
        .select_related("account").order_by("due_date", "pk")[:limit]
    )
