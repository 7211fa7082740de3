"""The metric engine: every metric of a grid of observation dates in one Ibis expression.

Written once with Ibis and run by DuckDB or Spark (cairn.metrics.backends); nothing here is
engine-specific. The plan, chosen so each event is read once per grid whatever the number of
metrics or dates:

1. Cut the days before the last observation date into *intervals* at every boundary any
   metric's window has at any observation date (for a weekly grid and 28-day windows,
   weeks). Every window is then an exact union of intervals.
2. One pass over the events (only the needed columns, only the days the grid reads, only the
   event types the metrics name): per (account, interval, event type) count, sum of value and
   last day; when a metric counts people, the distinct (account, interval, user); and when
   one divides by active days, the distinct days per (account, interval).
3. A small `cover` table says which intervals make up which window at which date; joining it
   and summing with conditions gives every event metric at every date at once. For a single
   date (the usual run after an ingest) the events are aggregated per account directly,
   with one condition per window: one pass per span of days, so each event type is read
   only as far back as its longest window reaches.
4. Per (account, date): subscriptions give seats and tenure (paying subscriptions only for
   the `tenure` kind); ratios and totals combine the columns above.

A window at date d is (d - window, d] in UTC days. Days are numbered from 1970-01-01 so that
date arithmetic is integer arithmetic, which every engine does the same way.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cairn.metrics.kinds import (
    ACTIVITY_KINDS,
    ANY_EVENT_KINDS,
    DERIVED_KINDS,
    SUBSCRIPTION_KINDS,
    Spec,
    in_dependency_order,
)
from cairn.metrics.models import MetricKind

EPOCH = dt.date(1970, 1, 1)
MONTH_DAYS = 28.0
USER_KINDS = {MetricKind.ACTIVE_USERS, MetricKind.SEAT_UTILIZATION}
# Kinds that read no per-event-type statistics.
NO_TYPE_STATS = DERIVED_KINDS | SUBSCRIPTION_KINDS | USER_KINDS
EVENT_COLUMNS = ["account_id", "user_id", "event_type", "ts", "value"]
EVENT_SCHEMA = pa.schema([
    ("account_id", pa.int64()), ("user_id", pa.string()), ("event_type", pa.string()),
    ("ts", pa.timestamp("us", tz="UTC")), ("value", pa.float64()),
])
# `paying` is false for trials (their ARR is not revenue); a table without the column counts
# every subscription as paying.
SUBSCRIPTION_SCHEMA = pa.schema([
    ("account_id", pa.int64()), ("start_date", pa.date32()), ("end_date", pa.date32()),
    ("quantity", pa.int64()), ("paying", pa.bool_()),
])


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Window:
    """Days (d - days - shift, d - shift] before an observation date d."""

    days: int
    shift: int = 0

    @property
    def name(self) -> str:
        return f"w{self.days}_{self.shift}"


def _windows(spec: Spec) -> list[Window]:
    if spec.kind in DERIVED_KINDS | SUBSCRIPTION_KINDS:
        return []
    current = Window(spec.window_days)
    if spec.kind == MetricKind.PERCENT_CHANGE:
        return [current, Window(spec.window_days, spec.window_days)]
    return [current]


@dataclass(frozen=True)
class Grid:
    """The observation dates, their intervals, and which intervals form which window."""

    dates: tuple[dt.date, ...]
    windows: tuple[Window, ...]
    boundaries: tuple[int, ...]  # offsets in days before the last date, ascending

    @classmethod
    def build(cls, dates: Sequence[dt.date], specs: Sequence[Spec]) -> Grid:
        dates = tuple(sorted(set(dates)))
        windows = tuple(sorted({w for s in specs for w in _windows(s)}, key=lambda w: (w.days, w.shift)))
        last = dates[-1]
        points = {0}
        for date in dates:
            offset = (last - date).days
            for window in windows:
                points.update((offset + window.shift, offset + window.shift + window.days))
        return cls(dates, windows, tuple(sorted(points)))

    @property
    def first_day(self) -> dt.date:
        """The earliest event day any window reads."""
        return self.dates[-1] - dt.timedelta(days=self.boundaries[-1] - 1)

    @property
    def last_day(self) -> dt.date:
        return self.dates[-1]

    def day_map(self) -> pa.Table:
        """Each day the grid reads, with its number and its interval."""
        days, numbers, intervals = [], [], []
        last = self.dates[-1]
        for offset in range(self.boundaries[-1]):
            day = last - dt.timedelta(days=offset)
            days.append(day)
            numbers.append(day_number(day))
            intervals.append(bisect.bisect_right(self.boundaries, offset) - 1)
        return pa.table({
            "event_day": pa.array(days, pa.date32()), "day_number": pa.array(numbers, pa.int64()),
            "interval": pa.array(intervals, pa.int64()),
        })

    def cover(self, window: Window) -> pa.Table:
        """The (observation date, interval) pairs whose interval lies in the window, with the
        window's newest interval at that date (intervals are numbered from the last date
        back, so a window is the contiguous run `newest`, `newest` + 1, ...)."""
        dates: list[dt.date] = []
        intervals: list[int] = []
        newest: list[int] = []
        last = self.dates[-1]
        for date in self.dates:
            low = (last - date).days + window.shift
            inside = [
                index for index, start in enumerate(self.boundaries[:-1]) if low <= start < low + window.days
            ]
            dates.extend([date] * len(inside))
            intervals.extend(inside)
            newest.extend([min(inside)] * len(inside) if inside else [])
        return pa.table({
            "observed_on": pa.array(dates, pa.date32()), "interval": pa.array(intervals, pa.int64()),
            "newest": pa.array(newest, pa.int64()),
        })

    def dates_table(self) -> pa.Table:
        return pa.table({
            "observed_on": pa.array(self.dates, pa.date32()),
            "obs_number": pa.array([day_number(d) for d in self.dates], pa.int64()),
        })


def _ts_bounds(grid: Grid) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(grid.first_day, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(grid.last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return start, end


def _event_types(specs: Sequence[Spec]) -> list[str] | None:
    """The event types to read, or None when some metric reads every event."""
    if any(
        (s.kind in ANY_EVENT_KINDS and not s.event_type) or s.kind in ACTIVITY_KINDS for s in specs
    ):
        return None
    return sorted({s.event_type for s in specs if s.kind not in DERIVED_KINDS | SUBSCRIPTION_KINDS})


# Which per-interval statistics each event kind reads.
_STATS: dict[str, set[str]] = {
    MetricKind.COUNT: {"n"}, MetricKind.SUM: {"s"}, MetricKind.RATE_PER_MONTH: {"n", "s"},
    MetricKind.TENURE_RATE: {"n"}, MetricKind.PERCENT_CHANGE: {"n", "s"},
    MetricKind.DAYS_SINCE_LAST: {"last"},
}


def _stats(spec: Spec) -> set[str]:
    if spec.kind in ACTIVITY_KINDS:
        return {"s" if spec.of == "sum" else "n"}
    return _STATS[spec.kind]


def _user_needs(specs: Sequence[Spec]) -> dict[str, set[Window]]:
    """The distinct-user counts the specs read: per event type ("" for any), their windows."""
    needs: dict[str, set[Window]] = {}
    for spec in specs:
        if spec.kind in USER_KINDS:
            needs.setdefault(spec.event_type, set()).add(Window(spec.window_days))
        elif spec.kind == MetricKind.PER_USER:
            needs.setdefault("", set()).add(Window(spec.window_days))
    return needs


def _key(*parts: object) -> str:
    return "_".join(str(p) for p in parts)


class Plan:
    """Builds the Ibis expression for a set of specs on a grid."""

    def __init__(self, specs: Sequence[Spec], grid: Grid) -> None:
        self.specs = in_dependency_order(specs)
        self.grid = grid
        self.types = sorted({s.event_type for s in self.specs if s.kind not in NO_TYPE_STATS})
        self.user_needs = _user_needs(self.specs)
        self.day_windows = sorted(
            {Window(s.window_days) for s in self.specs if s.kind == MetricKind.PER_ACTIVE_DAY},
            key=lambda w: w.days,
        )

    def _scan(self, events: ir.Table) -> ir.Table:
        """The events the grid reads: needed columns, days and event types only."""
        start, end = _ts_bounds(self.grid)
        # The ts predicate is pushed down into the Parquet scan (row-group statistics).
        projected = events.select(*EVENT_COLUMNS)
        filtered = projected.filter(
            projected.ts >= ibis.literal(start), projected.ts < ibis.literal(end)
        )
        types = _event_types(self.specs)
        if types is not None:
            filtered = filtered.filter(filtered.event_type.isin(types))
        return filtered

    def _events(self, events: ir.Table) -> ir.Table:
        """The scanned events with their day number and interval."""
        filtered = self._scan(events)
        days = ibis.memtable(self.grid.day_map())
        dated = filtered.mutate(event_day=filtered.ts.date())
        return dated.join(days, "event_day")

    def _event_stats(self, events: ir.Table) -> list[ir.Table]:
        """Per window, per (account, date): count, sum and last day of each event type in it.

        One join and aggregation per window length, each over only the event types that use
        it, so a long window for one metric does not multiply the rows of all the others.
        """
        typed = events.filter(events.event_type.isin(self.types))
        rolled = typed.group_by(["account_id", "interval", "event_type"]).aggregate(
            n=typed.count(), s=typed.value.sum(), last=typed.day_number.max()
        )
        needs: dict[Window, dict[str, set[str]]] = {}
        for spec in self.specs:
            if spec.kind in NO_TYPE_STATS:
                continue
            for window in _windows(spec):
                needs.setdefault(window, {}).setdefault(spec.event_type, set()).update(_stats(spec))
        tables = []
        for window, by_type in needs.items():
            cover = ibis.memtable(self.grid.cover(window))
            part = rolled.filter(rolled.event_type.isin(sorted(by_type)))
            joined = part.join(cover, "interval")
            # Per (account, date, event type) first, with plain sums: the conditional sums
            # below then run over a few rows per date, not over every (interval, type) row
            # of the window.
            joined = joined.group_by(["account_id", "observed_on", "event_type"]).aggregate(
                n=joined.n.sum(), s=joined.s.sum(), last=joined["last"].max()
            )
            aggregates: dict[str, ir.Value] = {}
            for event_type, stats in sorted(by_type.items()):
                is_type = joined.event_type == event_type
                for name in sorted(stats):
                    column = joined[name]
                    reduction = column.max(where=is_type) if name == "last" else column.sum(where=is_type)
                    aggregates[_key(name, event_type, window.name)] = reduction
            tables.append(joined.group_by(["account_id", "observed_on"]).aggregate(**aggregates))
        return tables

    def _user_stats(self, events: ir.Table) -> list[ir.Table]:
        """Per window, per (account, date): distinct users of each people metric.

        Counting distinct users over overlapping windows is the grid's costliest step, so it
        is turned into a plain count. Each user is counted at a date once, through the newest
        interval of the window in which they were active: the interval i with
        newest <= i <= oldest of the window and no activity in between, that is, whose
        previous active interval (numbered towards the last date) is before `newest`.
        """
        flags = {
            # A blank event type means any event: every row counts.
            _key("any", event_type or "*"): ibis.ifelse(
                (events.event_type == event_type) if event_type else events.account_id.notnull(), 1, 0
            ).max()
            for event_type in self.user_needs
        }
        rolled = events.group_by(["account_id", "interval", "user_id"]).aggregate(**flags)
        tables = []
        for event_type, windows in sorted(self.user_needs.items()):
            name = event_type or "*"
            active = rolled.filter(rolled[_key("any", name)] == 1)
            order = ibis.window(group_by=[active.account_id, active.user_id], order_by=active.interval)
            runs = active.select(
                "account_id", "interval", before=active.interval.lag().over(order).fill_null(-1)
            )
            for window in sorted(windows, key=lambda w: w.days):
                joined = runs.join(ibis.memtable(self.grid.cover(window)), "interval")
                first = joined.filter(joined.before < joined.newest)
                tables.append(
                    first.group_by(["account_id", "observed_on"]).aggregate(
                        **{_key("u", name, window.name): first.count()}
                    )
                )
        return tables

    def _day_stats(self, events: ir.Table) -> list[ir.Table]:
        """Per window, per (account, date): the days with any event of the account.

        Intervals do not overlap, so the active days of a window are the sum of those of its
        intervals: a plain sum after one distinct count per (account, interval).
        """
        rolled = events.group_by(["account_id", "interval"]).aggregate(d=events.day_number.nunique())
        tables = []
        for window in self.day_windows:
            joined = rolled.join(ibis.memtable(self.grid.cover(window)), "interval")
            tables.append(
                joined.group_by(["account_id", "observed_on"]).aggregate(
                    **{_key("d", "*", window.name): joined.d.sum()}
                )
            )
        return tables

    def _direct_stats(self, events: ir.Table) -> list[ir.Table]:
        """One date only: the statistics in one aggregation per account for each span of days.

        A window is a range of ts, so each statistic is one condition on the scanned rows. The
        statistics are grouped by how far back their event type reaches (its longest window):
        a metric over 90 days of logins then reads 90 days of logins only, not 90 days of
        every event type, and the 28-day metrics read 28 days. Same columns as the grid plan,
        so the values are built the same way.
        """
        day = self.grid.dates[0]
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

        def starts(days: int) -> dt.datetime:
            return end - dt.timedelta(days=days)

        # Which statistics of which windows: per event type ("e"), distinct users ("u", of
        # one event type or, blank, of any), or the distinct days with any event ("d").
        wanted: dict[tuple[str, str], dict[Window, set[str]]] = {}
        for event_type, user_windows in self.user_needs.items():
            for window in user_windows:
                wanted.setdefault(("u", event_type), {})[window] = {"u"}
        for window in self.day_windows:
            wanted.setdefault(("d", ""), {})[window] = {"d"}
        for spec in self.specs:
            if spec.kind in NO_TYPE_STATS:
                continue
            for window in _windows(spec):
                wanted.setdefault(("e", spec.event_type), {}).setdefault(window, set()).update(
                    _stats(spec)
                )
        spans: dict[int, list[tuple[str, str]]] = {}
        for needed, windows in wanted.items():
            spans.setdefault(max(w.days + w.shift for w in windows), []).append(needed)
        parts = []
        for span, keys in sorted(spans.items()):
            scan = events.filter(events.ts >= ibis.literal(starts(span)), events.ts < ibis.literal(end))
            if all(event_type for _, event_type in keys):
                scan = scan.filter(scan.event_type.isin(sorted({t for _, t in keys})))
            aggregates: dict[str, ir.Value] = {}
            lasts: list[str] = []
            for what, event_type in sorted(keys):
                for window, stats in sorted(wanted[(what, event_type)].items(), key=lambda w: w[0].name):
                    inside = (scan.ts >= ibis.literal(starts(window.days + window.shift))) & (
                        scan.ts < ibis.literal(starts(window.shift))
                    )
                    if event_type:
                        inside = inside & (scan.event_type == event_type)
                    if what == "u":
                        aggregates[_key("u", event_type or "*", window.name)] = scan.user_id.nunique(
                            where=inside
                        )
                        continue
                    if what == "d":
                        # The UTC day, as the grid's day map has it.
                        aggregates[_key("d", "*", window.name)] = scan.ts.date().nunique(where=inside)
                        continue
                    for stat in sorted(stats):
                        name = _key(stat, event_type, window.name)
                        if stat == "n":
                            aggregates[name] = scan.count(where=inside)
                        elif stat == "s":
                            aggregates[name] = scan.value.sum(where=inside)
                        else:
                            # The newest ts here; its day number is worked out per account
                            # below, not per event.
                            aggregates[name] = scan.ts.max(where=inside)
                            lasts.append(name)
            stats_table = scan.group_by("account_id").aggregate(**aggregates)
            # Whole UTC days since 1970 from the epoch seconds: integer arithmetic, alike on
            # every engine.
            days = {
                name: (stats_table[name].epoch_seconds() // 86_400).cast("int64") for name in lasts
            }
            parts.append(stats_table.mutate(observed_on=ibis.literal(day, "date"), **days))
        return parts

    def expression(self, events: ir.Table, accounts: pa.Table, subscriptions: pa.Table) -> ir.Table:
        dates = ibis.memtable(self.grid.dates_table())
        base = ibis.memtable(accounts.select(["account_id"])).cross_join(dates)
        keys = ["account_id", "observed_on"]
        if len(self.grid.dates) == 1:
            parts = self._direct_stats(self._scan(events))
        else:
            dated = self._events(events)
            parts = self._event_stats(dated) if self.types else []
            parts += self._user_stats(dated) if self.user_needs else []
            parts += self._day_stats(dated) if self.day_windows else []
        for part in parts:
            stats = [part[c] for c in part.columns if c not in keys]
            base = base.left_join(part, keys).select(base, *stats)
        subscription_kinds = {MetricKind.SEAT_UTILIZATION, MetricKind.TENURE_RATE, MetricKind.TENURE}
        if any(s.kind in subscription_kinds for s in self.specs):
            base = self._with_subscriptions(base, subscriptions, dates)
        values = self._values(base)
        return base.select("account_id", "observed_on", **values)

    def _with_subscriptions(self, base: ir.Table, subscriptions: pa.Table, dates: ir.Table) -> ir.Table:
        if "paying" in subscriptions.column_names:
            paying = subscriptions["paying"].fill_null(True)
        else:
            paying = pa.array([True] * subscriptions.num_rows, pa.bool_())
        numbered = pa.table({
            "account_id": subscriptions["account_id"],
            # A date32 is already a day number from 1970-01-01.
            "start_number": subscriptions["start_date"].cast(pa.int32()).cast(pa.int64()),
            "end_number": subscriptions["end_date"].cast(pa.int32()).cast(pa.int64()),
            "quantity": subscriptions["quantity"].cast(pa.int64()),
            "paying": paying,
        })
        subs = ibis.memtable(numbered)
        live = subs.join(
            dates, [subs.start_number <= dates.obs_number, subs.end_number >= dates.obs_number]
        )
        seats = live.group_by(["account_id", "observed_on"]).aggregate(seats=live.quantity.sum())
        first = subs.group_by("account_id").aggregate(
            first_start=subs.start_number.min(),
            first_paid=subs.start_number.min(where=subs.paying),
        )
        with_seats = base.left_join(seats, ["account_id", "observed_on"]).select(base, seats.seats)
        return with_seats.left_join(first, "account_id").select(
            with_seats, first.first_start, first.first_paid
        )

    def _values(self, t: ir.Table) -> dict[str, ir.Value]:
        values: dict[str, ir.Value] = {}
        zero = ibis.literal(0.0)
        none = ibis.null().cast("float64")

        def stat(prefix: str, spec: Spec, window: Window) -> ir.Value:
            return t[_key(prefix, spec.event_type, window.name)].cast("float64").coalesce(zero)

        def measure(spec: Spec, window: Window) -> ir.Value:
            return stat("s" if spec.of == "sum" else "n", spec, window)

        builders: dict[str, Callable[[Spec], ir.Value]] = {
            MetricKind.COUNT: lambda s: stat("n", s, Window(s.window_days)),
            MetricKind.SUM: lambda s: stat("s", s, Window(s.window_days)),
            MetricKind.RATE_PER_MONTH: lambda s: (
                measure(s, Window(s.window_days)) * MONTH_DAYS / s.window_days
            ),
            MetricKind.TENURE_RATE: lambda s: self._tenure_rate(t, s, stat("n", s, Window(s.window_days))),
            MetricKind.PERCENT_CHANGE: lambda s: self._percent_change(
                measure(s, Window(s.window_days)), measure(s, Window(s.window_days, s.window_days))
            ),
            MetricKind.DAYS_SINCE_LAST: lambda s: (
                t.obs_number - t[_key("last", s.event_type, Window(s.window_days).name)]
            ).cast("float64"),
            MetricKind.ACTIVE_USERS: lambda s: self._users(t, s).coalesce(zero),
            MetricKind.SEAT_UTILIZATION: lambda s: ibis.ifelse(
                t.seats > 0, self._users(t, s).coalesce(zero) / t.seats.cast("float64"), none
            ),
            MetricKind.TENURE: lambda s: ibis.ifelse(
                t.first_paid.notnull() & (t.obs_number >= t.first_paid),
                (t.obs_number - t.first_paid).cast("float64"), none,
            ),
            MetricKind.PER_ACTIVE_DAY: lambda s: _per(
                measure(s, Window(s.window_days)), t[_key("d", "*", Window(s.window_days).name)]
            ),
            MetricKind.PER_USER: lambda s: _per(
                measure(s, Window(s.window_days)), t[_key("u", "*", Window(s.window_days).name)]
            ),
            MetricKind.RATIO: lambda s: ibis.ifelse(
                values[s.denominator] == 0, zero, values[s.numerator] / values[s.denominator]
            ),
            MetricKind.TOTAL: lambda s: _add([values[m] for m in s.metrics]),
        }
        for spec in self.specs:
            values[spec.slug] = builders[spec.kind](spec)
        return values

    def _users(self, t: ir.Table, spec: Spec) -> ir.Value:
        return t[_key("u", spec.event_type or "*", Window(spec.window_days).name)].cast("float64")

    def _tenure_rate(self, t: ir.Table, spec: Spec, count: ir.Value) -> ir.Value:
        # Tenure counts the first subscription's start day as day 1; an account with no
        # subscription started by the date is measured over the whole window.
        tenure = t.obs_number - t.first_start + 1
        days = ibis.ifelse(
            t.first_start.notnull() & (tenure >= 1) & (tenure < spec.window_days),
            tenure, spec.window_days,
        ).cast("float64")
        return count * MONTH_DAYS / days

    def _percent_change(self, current: ir.Value, previous: ir.Value) -> ir.Value:
        return ibis.ifelse(previous == 0, ibis.literal(0.0), (current - previous) / previous)


def _per(amount: ir.Value, count: ir.Value) -> ir.Value:
    """`amount` per day or per person; null when there is none (no activity, not zero)."""
    count = count.cast("float64").coalesce(0.0)
    return ibis.ifelse(count > 0, amount / count, ibis.null().cast("float64"))


def _add(parts: list[ir.Value]) -> ir.Value:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def compute(
    con: Any,
    events: ir.Table,
    specs: Sequence[Spec],
    dates: Sequence[dt.date],
    accounts: pa.Table,
    subscriptions: pa.Table | None = None,
) -> pa.Table:
    """Every metric of `specs` for every account at every date, as one wide Arrow table.

    Columns: account_id, observed_on, then one float64 column per metric slug. `events` is an
    Ibis table with the event columns of docs/analytics.md, on the backend `con` that runs it.
    """
    if not specs or not dates:
        return pa.table({"account_id": pa.array([], pa.int64()), "observed_on": pa.array([], pa.date32())})
    grid = Grid.build(dates, specs)
    plan = Plan(specs, grid)
    subscriptions = subscriptions if subscriptions is not None else SUBSCRIPTION_SCHEMA.empty_table()
    # Run on the given backend even when the expression holds only in-memory tables.
    return con.to_pyarrow(plan.expression(events, accounts, subscriptions))
