"""What counts as churn: the one definition every model, backtest and page of Cairn uses.

Only paying subscriptions count: every status but Trial. A trial that ends unconverted is
no churn (the account never paid); a trial is no renewal either.

1. **Marked.** A subscription with status Churned churns its account on its end date (the
   team said so, for instance by recording a renewal's outcome as churned).
2. **Lapsed.** A paying subscription that ended (its end date passed) churns its account on
   its end date when no other paying subscription of the account is in force on any day of
   the grace period: the day after the end and the `grace_days` days after that. A renewal
   that starts late, but within the grace period, is no churn. The decision waits for the
   grace period to pass (end date + grace_days < as of); until then the end is
   **undecided**, unless a paying subscription already in force by then carries it on.
3. **Once churned**, an account's other subscriptions still running are no churn of their
   own: the account is a customer again only from the start of a new paying subscription
   (a win-back), after which it can churn again.

An account is **observed** on day d when a paying subscription of it started by d and it
has not churned since the latest such start. An account whose churn by the end of a window
is still undecided is not observed in that window: its label is not known yet.

A subscription followed, with no gap longer than the grace period, by one of the same
product with a lower ARR or fewer seats is a **downgrade**: no churn; `downgrades()`
reports them apart.

Everything is judged with what was known on the `as_of` day: subscriptions starting later
carry nothing on, and an end date after it is never decided. Days are date ordinals
(`date.toordinal()`). The policy's grace period is set by a leader (ChurnPolicy); docs/churn.md
says the same in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np

from cairn.customers.models import (
    GRACE_DAYS_DEFAULT,
    ChurnPolicy,
    Subscription,
    SubscriptionStatus,
)

How = Literal["marked", "lapsed"]
_MARKED, _LAPSED, _UNDECIDED = 0, 1, 2
_HOW: dict[int, How] = {_MARKED: "marked", _LAPSED: "lapsed"}
# Accounts and days in one sortable int64: day ordinals stay below 2**22 (year 9999 is
# 3,652,059), so account index * 2**22 + day orders by account, then day.
_SPAN = np.int64(1 << 22)


@dataclass(frozen=True)
class ChurnEvent:
    account_id: int
    day: dt.date
    how: How


@dataclass(frozen=True)
class Downgrade:
    account_id: int
    account_name: str
    product: str
    day: dt.date  # the start of the lower subscription
    arr_before: Decimal
    arr_after: Decimal
    seats_before: int
    seats_after: int


def policy() -> ChurnPolicy:
    """The saved churn policy, or the defaults until a leader saves one."""
    return ChurnPolicy.current()


def _grace(grace_days: int | None) -> int:
    if grace_days is not None:
        return grace_days
    saved = ChurnPolicy.objects.filter(pk=1).values_list("grace_days", flat=True).first()
    return GRACE_DAYS_DEFAULT if saved is None else saved


class ChurnBook:
    """Every churn of the given accounts as of a day, as arrays, to label all accounts of a
    date at once. One query reads the paying subscriptions; everything else is numpy."""

    def __init__(
        self, account_ids: np.ndarray, *, as_of: dt.date, grace_days: int | None = None
    ) -> None:
        """`account_ids` sorted, int64; the grace period from the policy when None."""
        self.account_ids = np.asarray(account_ids, dtype=np.int64)
        self.n = len(self.account_ids)
        self.as_of = as_of.toordinal()
        self.grace = _grace(grace_days)
        rows = list(
            Subscription.objects.exclude(status=SubscriptionStatus.TRIAL).values_list(
                "account_id", "start_date", "end_date", "status"
            )
        )
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        index, known = _locate(self.account_ids, ids)
        account = index[known]
        start = np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=len(rows))[known]
        end = np.fromiter((r[2].toordinal() for r in rows), dtype=np.int64, count=len(rows))[known]
        marked = np.fromiter(
            (r[3] == SubscriptionStatus.CHURNED for r in rows), dtype=bool, count=len(rows)
        )[known]
        order = np.lexsort((end, start, account))
        self._account, self._start = account[order], start[order]
        self._start_key = self._account * _SPAN + self._start
        self._events(self._account, self._start, end[order], marked[order])

    def _events(
        self, account: np.ndarray, start: np.ndarray, end: np.ndarray, marked: np.ndarray
    ) -> None:
        """Each subscription's end, judged: marked, lapsed, undecided, or carried on."""
        as_of = self.as_of
        # Carried on: a subscription started by the last day of the grace period (and known
        # by as_of) that is still in force the day after this end. The latest end among the
        # account's subscriptions started by then says whether one is.
        horizon = np.minimum(end + 1 + self.grace, as_of)
        latest_end = np.maximum.accumulate(account * _SPAN + end)
        at = np.searchsorted(self._start_key, account * _SPAN + horizon, side="right") - 1
        carried = (at >= 0) & (latest_end[np.maximum(at, 0)] >= account * _SPAN + end + 1)
        kind = np.full(len(end), -1, dtype=np.int64)
        kind[marked] = np.where(end[marked] <= as_of, _MARKED, _UNDECIDED)
        ended = ~marked & ~carried
        kind[ended] = np.where(end[ended] + 1 + self.grace <= as_of, _LAPSED, _UNDECIDED)
        keep = kind >= 0
        account, day, kind = account[keep], end[keep], kind[keep]
        order = np.lexsort((kind, day, account))
        account, day, kind = account[order], day[order], kind[order]
        # One event a day per account: a marked churn wins over a lapse on the same day.
        first = np.ones(len(day), dtype=bool)
        first[1:] = (account[1:] != account[:-1]) | (day[1:] != day[:-1])
        account, day, kind = account[first], day[first], kind[first]
        # An end after a churn counts only if the account started paying again in between.
        previous = np.zeros(len(day), dtype=np.int64)
        same = np.zeros(len(day), dtype=bool)
        same[1:] = account[1:] == account[:-1]
        previous[1:] = np.where(same[1:], day[:-1], 0)
        key = account * _SPAN
        starts = np.searchsorted(self._start_key, key + day, side="right") - np.searchsorted(
            self._start_key, key + previous, side="right"
        )
        counted = starts > 0
        decided = counted & (kind != _UNDECIDED)
        self._ev_account, self._ev_day, self._ev_kind = (
            account[decided], day[decided], kind[decided]
        )
        self._ev_key = self._ev_account * _SPAN + self._ev_day
        waiting = counted & (kind == _UNDECIDED)
        self._un_account, self._un_day = account[waiting], day[waiting]
        self._un_key = self._un_account * _SPAN + self._un_day

    def on(self, day: int, lead: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(observed, churned within (day, day + lead], the churn day or 0) per account."""
        key = np.arange(self.n, dtype=np.int64) * _SPAN
        observed = self.customers_on(day)
        next_churn = _first_after(self._ev_key, self._ev_day, key, key + day)
        churned = observed & (next_churn > 0) & (next_churn <= day + lead)
        # Undecided ends come after every decided one: one before the window closes leaves
        # the label unknown, unless a decided churn in the window came first.
        waiting = _first_after(self._un_key, self._un_day, key, key)
        observed &= ~((waiting > 0) & (waiting <= day + lead) & ~churned)
        return observed, churned, np.where(churned, next_churn, 0)

    def customers_on(self, day: int) -> np.ndarray:
        """Per account: a customer on `day` (a paying subscription started by then and no
        decided churn since), undecided ones included: the accounts to score on that day."""
        key = np.arange(self.n, dtype=np.int64) * _SPAN
        latest_start = _last_at_or_before(self._start_key, self._start, key, key + day)
        last_churn = _last_at_or_before(self._ev_key, self._ev_day, key, key + day)
        return (latest_start > 0) & (latest_start > last_churn)

    def first_paid(self) -> np.ndarray:
        """The start (ordinal) of each account's first paying subscription; 0 when none."""
        key = np.arange(self.n, dtype=np.int64) * _SPAN
        return _first_after(self._start_key, self._start, key, key)

    def events(self) -> list[ChurnEvent]:
        """Every decided churn, by account, then day."""
        return [
            ChurnEvent(int(self.account_ids[a]), dt.date.fromordinal(int(d)), _HOW[int(k)])
            for a, d, k in zip(self._ev_account, self._ev_day, self._ev_kind, strict=True)
        ]

    def counts(self, since: dt.date, until: dt.date) -> dict[How, int]:
        """How many decided churns fell in (since, until], by how."""
        inside = (self._ev_day > since.toordinal()) & (self._ev_day <= until.toordinal())
        return {how: int((inside & (self._ev_kind == kind)).sum()) for kind, how in _HOW.items()}

    def undecided(self) -> np.ndarray:
        """The accounts whose paying subscription ended before `as_of` with no other in force
        since, but whose grace period is still running: churned or late to renew, not known
        yet."""
        ended = self._un_day < self.as_of
        return np.unique(self.account_ids[self._un_account[ended]])


def _locate(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `ids` sits in `sorted_ids`, and whether it is there at all."""
    if len(sorted_ids) == 0:
        return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
    position = np.searchsorted(sorted_ids, ids)
    safe = np.minimum(position, len(sorted_ids) - 1)
    return position, (position < len(sorted_ids)) & (sorted_ids[safe] == ids)


def _first_after(
    keys: np.ndarray, days: np.ndarray, account_key: np.ndarray, limit: np.ndarray
) -> np.ndarray:
    """Per account, the day of its first entry with key > limit (keys sorted); 0 when none."""
    if not len(keys):
        return np.zeros(len(account_key), dtype=np.int64)
    at = np.searchsorted(keys, limit, side="right")
    safe = np.minimum(at, len(keys) - 1)
    return np.where((at < len(keys)) & (keys[safe] < account_key + _SPAN), days[safe], 0)


def _last_at_or_before(
    keys: np.ndarray, days: np.ndarray, account_key: np.ndarray, limit: np.ndarray
) -> np.ndarray:
    """Per account, the day of its last entry with key <= limit (keys sorted); 0 when none."""
    if not len(keys):
        return np.zeros(len(account_key), dtype=np.int64)
    at = np.searchsorted(keys, limit, side="right") - 1
    safe = np.maximum(at, 0)
    return np.where((at >= 0) & (keys[safe] >= account_key), days[safe], 0)


def downgrades(since: dt.date, until: dt.date, *, grace_days: int | None = None) -> list[Downgrade]:
    """Subscriptions starting from `since` to `until` that follow one of the same account and
    product, with no gap longer than the grace period, at a lower ARR or with fewer seats.
    Latest first. Not churn: the account goes on paying, less."""
    grace = _grace(grace_days)
    earliest_end = since - dt.timedelta(days=grace + 1)
    rows = (
        Subscription.objects.exclude(status=SubscriptionStatus.TRIAL)
        .filter(start_date__lte=until, end_date__gte=earliest_end)
        .order_by("account_id", "product_id", "start_date", "pk")
        .values_list(
            "account_id", "account__name", "product_id", "product__name", "start_date",
            "end_date", "arr", "quantity", "status",
        )
    )
    found: list[Downgrade] = []
    group: list[tuple[dt.date, dt.date, Decimal, int, str]] = []
    current: tuple[int, int] | None = None
    for account_id, name, product_id, product, start, end, arr, seats, status in rows:
        if (account_id, product_id) != current:
            current, group = (account_id, product_id), []
        before = _predecessor(group, start, grace)
        group.append((start, end, arr, seats, status))
        if before is None or not since <= start <= until:
            continue
        _, _, arr_before, seats_before, _ = before
        if arr < arr_before or seats < seats_before:
            found.append(Downgrade(
                account_id, name, product, start, arr_before, arr, seats_before, seats,
            ))
    found.sort(key=lambda d: (d.day, d.account_name), reverse=True)
    return found


def _predecessor(
    group: list[tuple[dt.date, dt.date, Decimal, int, str]], start: dt.date, grace: int
) -> tuple[dt.date, dt.date, Decimal, int, str] | None:
    """The latest-starting earlier subscription that `start` follows within the grace period
    (a churned one is churn, not a downgrade)."""
    reach = dt.timedelta(days=grace + 1)
    for earlier in reversed(group):
        begun, ended, _, _, status = earlier
        if begun < start <= ended + reach:
            return None if status == SubscriptionStatus.CHURNED else earlier
    return None
