"""Revenue retention of the book: GRR, NRR, logo churn, expansion, contraction and churned
ARR per month or quarter, for the whole book, a segment or a CSM's accounts.

The formulas are written out, with a worked example, in docs/retention.md. In short: an
account's ARR on a day is the ARR of its subscriptions in force that day (start_date <= day
<= end_date, trials left out); a period's cohort is the accounts with ARR on its first day;
each is compared with its ARR as the period closes (in force on the day after its last day).

One query reads the paying subscriptions in force on any of the days measured, their ARR
in cents (and for the breakdown their account's segment and CSM); a sweep in Python adds
them up per account and day, then tallies each period.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast, Round
from django.utils import timezone

from cairn.customers.models import Segment, Subscription, SubscriptionStatus
from cairn.people.models import User

GRAINS = {"month": "Month", "quarter": "Quarter"}
DEFAULT_PERIODS = {"month": 12, "quarter": 8}
MAX_PERIODS = 60
NO_SEGMENT = "No segment"
NO_OWNER = "No CSM"
# Trials are not revenue: their ARR is what the customer would pay, not what it pays.
NOT_PAYING = (SubscriptionStatus.TRIAL,)


@dataclass(frozen=True, slots=True)
class Period:
    """One month or quarter. Money is ARR; the cohort is the accounts paying on `start`;
    `end_arr` is the cohort's ARR as the period closes; `new_arr` is the ARR of accounts that
    paid nothing on `start` and pay as it closes (new logos, outside the cohort)."""

    label: str
    start: dt.date
    end: dt.date
    start_arr: Decimal
    expansion: Decimal
    contraction: Decimal
    churned_arr: Decimal
    end_arr: Decimal
    new_arr: Decimal
    grr: Decimal | None
    nrr: Decimal | None
    cohort_logos: int
    lost_logos: int
    logo_churn: Decimal | None
    expanded_logos: int = 0
    contracted_logos: int = 0
    new_logos: int = 0

    @property
    def closing_arr(self) -> Decimal:
        """The book's ARR as the period closes: the cohort's plus the new logos'."""
        return self.end_arr + self.new_arr


@dataclass(frozen=True, slots=True)
class Group:
    """The latest period's figures for one segment or one CSM."""

    key: str
    label: str
    period: Period


@dataclass(frozen=True, slots=True)
class Breakdown:
    period: Period | None
    by_segment: list[Group]
    by_owner: list[Group]


@dataclass(frozen=True, slots=True)
class Filters:
    grain: str = "month"
    segment: str | None = None
    owner: int | None = None


def parse_filters(data: Mapping[str, str]) -> Filters:
    """The filters of a query string (grain, segment, owner), or a ValidationError naming
    each bad one. Empty values mean no filter."""
    errors: dict[str, str] = {}
    grain = (data.get("grain") or "month").strip()
    if grain not in GRAINS:
        errors["grain"] = "Choose month or quarter."
    segment = (data.get("segment") or "").strip() or None
    if segment is not None and segment not in Segment.values:
        errors["segment"] = "Unknown segment: choose one of " + ", ".join(Segment.labels) + "."
    raw_owner = (data.get("owner") or "").strip()
    owner = None
    if raw_owner:
        if not raw_owner.isascii() or not raw_owner.isdigit() or len(raw_owner) > 18:
            errors["owner"] = "The CSM is given by their number."
        else:
            owner = int(raw_owner)
    if errors:
        raise ValidationError(errors)
    return Filters(grain, segment, owner)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _label(grain: str, start: dt.date) -> str:
    if grain == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return start.strftime("%b %Y")


def spans(grain: str, periods: int, today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The `periods` complete months or quarters before the one `today` falls in, oldest
    first, as (label, first day, last day)."""
    if grain not in GRAINS:
        raise ValidationError({"grain": "Choose month or quarter."})
    if not 1 <= periods <= MAX_PERIODS:
        raise ValidationError({"periods": f"Ask for 1 to {MAX_PERIODS} periods."})
    months = 3 if grain == "quarter" else 1
    current = _quarter_start(today) if grain == "quarter" else today.replace(day=1)
    found = []
    for back in range(periods, 0, -1):
        start = current - relativedelta(months=months * back)
        end = start + relativedelta(months=months) - dt.timedelta(days=1)
        found.append((_label(grain, start), start, end))
    return found


@dataclass
class _Book:
    """ARR in cents per account on each day measured, with each account's segment and CSM."""

    days: list[dt.date]
    arr: dict[int, list[int]]
    segment: dict[int, str]
    owner: dict[int, int | None]


def _book(days: list[dt.date], segment: str | None, owner: int | None, *, groups: bool = False) -> _Book:
    """One query: the paying subscriptions in force on any of `days` (sorted), their ARR in
    cents (whole numbers on every database, so the sums are exact), added up per account
    and day in Python. With `groups`, each account's segment and CSM too."""
    rows = Subscription.objects.exclude(status__in=NOT_PAYING).filter(
        start_date__lte=days[-1], end_date__gte=days[0]
    )
    if segment is not None:
        rows = rows.filter(account__segment=segment)
    if owner is not None:
        rows = rows.filter(account__owner_id=owner)
    cents = Cast(Round(F("arr") * 100), BigIntegerField())
    fields: list[Any] = ["account_id", "start_date", "end_date", cents]
    if groups:
        fields += ["account__segment", "account__owner_id"]
    # Read through the cursor: Django's per-value converters would take longer than the sums.
    sql, params = rows.order_by().values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    arr: dict[int, list[int]] = {}
    segments: dict[int, str] = {}
    owners: dict[int, int | None] = {}
    width = len(days)
    for row in found:
        account, start, end, cents = row[:4]
        if isinstance(start, str):  # SQLite answers dates as text
            start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        first, last = bisect_left(days, start), bisect_right(days, end)
        if first >= last or not cents:
            continue
        vector = arr.get(account)
        if vector is None:
            vector = arr[account] = [0] * width
            if groups:
                segments[account], owners[account] = row[4], row[5]
        for i in range(first, last):
            vector[i] += int(cents)
    return _Book(days, arr, segments, owners)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _ratio(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


def _tally(label: str, start: dt.date, end: dt.date, pairs: Iterable[tuple[int, int]]) -> Period:
    """The period's figures from each account's (ARR on the first day, ARR as it closes),
    in cents."""
    start_arr = expansion = contraction = churned = end_arr = new_arr = 0
    cohort = lost = expanded = contracted = new = 0
    for before, after in pairs:
        if before > 0:
            cohort += 1
            start_arr += before
            end_arr += after
            if after <= 0:
                lost += 1
                churned += before
            elif after > before:
                expanded += 1
                expansion += after - before
            elif after < before:
                contracted += 1
                contraction += before - after
        elif after > 0:
            new += 1
            new_arr += after
    return Period(
        label=label, start=start, end=end, start_arr=_money(start_arr), expansion=_money(expansion),
        contraction=_money(contraction), churned_arr=_money(churned), end_arr=_money(end_arr),
        new_arr=_money(new_arr),
        grr=_ratio(start_arr - contraction - churned, start_arr),
        nrr=_ratio(start_arr + expansion - contraction - churned, start_arr),
        cohort_logos=cohort, lost_logos=lost, logo_churn=_ratio(lost, cohort),
        expanded_logos=expanded, contracted_logos=contracted, new_logos=new,
    )


def _measure(grain: str, periods: int, today: dt.date | None, segment: str | None,
             owner: int | None, *, groups: bool = False) -> tuple[list[tuple[str, dt.date, dt.date]], _Book]:
    found = spans(grain, periods, today or timezone.localdate())
    # Each period's first day, and the day after the last one closes: the next one's start.
    days = [start for _, start, _ in found] + [found[-1][2] + dt.timedelta(days=1)]
    return found, _book(days, segment, owner, groups=groups)


def figures(
    grain: str = "month",
    periods: int = 12,
    segment: str | None = None,
    owner: int | None = None,
    today: dt.date | None = None,
) -> list[Period]:
    """The complete months (or quarters) before the one `today` falls in, oldest first:
    `periods` of them, for the accounts of `segment` and of the CSM `owner` when given
    (their segment and CSM now). One query."""
    found, book = _measure(grain, periods, today, segment, owner)
    return [
        _tally(label, start, end, ((v[i], v[i + 1]) for v in book.arr.values()))
        for i, (label, start, end) in enumerate(found)
    ]


def breakdown(
    grain: str = "month",
    segment: str | None = None,
    owner: int | None = None,
    today: dt.date | None = None,
) -> Breakdown:
    """The latest complete period's figures per segment and per CSM (largest starting ARR
    first). Two queries: the subscriptions, and the CSMs' names."""
    found, book = _measure(grain, 1, today, segment, owner, groups=True)
    label, start, end = found[0]
    by_segment: dict[str, list[tuple[int, int]]] = defaultdict(list)
    by_owner: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for account, vector in book.arr.items():
        pair = (vector[0], vector[1])
        by_segment[book.segment[account]].append(pair)
        by_owner[book.owner[account]].append(pair)
    segment_names = dict(Segment.choices)
    csms = User.objects.filter(pk__in=[k for k in by_owner if k is not None])
    names = {u.pk: str(u) for u in csms}

    def ordered(groups: list[Group]) -> list[Group]:
        return sorted(groups, key=lambda g: (-g.period.start_arr, -g.period.new_arr, g.label))

    return Breakdown(
        period=_tally(label, start, end, (p for pairs in by_segment.values() for p in pairs)),
        by_segment=ordered([
            Group(key, segment_names.get(key, key) if key else NO_SEGMENT, _tally(label, start, end, pairs))
            for key, pairs in by_segment.items()
        ]),
        by_owner=ordered([
            Group("" if key is None else str(key), NO_OWNER if key is None else names.get(key, NO_OWNER),
                  _tally(label, start, end, pairs))
            for key, pairs in by_owner.items()
        ]),
    )
