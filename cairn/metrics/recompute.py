"""Recomputing the metric series: incremental, resumable, one engine pass per run.

A date of the grid is redone when it has no MetricFill row, or when the definitions or its
inputs (event files of the days it reads, accounts, subscriptions) changed since. Every
pending date is computed in one engine pass; then each date in turn: its fill row is
removed, its files are written (each whole, by rename), and its fill row is recorded,
with, for the latest date, the values pages read (MetricValue), in one transaction. A run
that stops half-way leaves the date it was writing without a fill row; the next run redoes it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.metrics import backends, engine, store
from cairn.metrics.kinds import Spec, in_dependency_order, spec_of
from cairn.metrics.models import MetricDefinition, MetricFill, MetricValue

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]
DEFAULT_WEEKS = 26
VALUE_BATCH = 5_000


@dataclass
class RecomputeResult:
    dates: list[dt.date] = field(default_factory=list)
    computed: list[dt.date] = field(default_factory=list)
    skipped: list[dt.date] = field(default_factory=list)
    metrics: int = 0
    accounts: int = 0
    engine: str = "duckdb"

    def summary(self) -> str:
        if not self.metrics:
            return "No active metric definitions: nothing to compute."
        return (
            f"{len(self.computed)} date(s) computed, {len(self.skipped)} already current; "
            f"{self.metrics} metric(s) for {self.accounts} account(s) on {self.engine}."
        )


def grid(latest: dt.date, weeks: int) -> list[dt.date]:
    """The observation dates: the latest and the weeks before it, oldest first."""
    return [latest - dt.timedelta(weeks=k) for k in range(max(weeks, 1) - 1, -1, -1)]


def active_specs() -> tuple[list[Spec], list[str]]:
    """The specs to compute (active ones and what they refer to) and the slugs to store."""
    definitions = list(MetricDefinition.objects.all())
    specs = {d.slug: spec_of(d) for d in definitions}
    wanted = [d.slug for d in definitions if d.active]
    needed: set[str] = set()
    stack = list(wanted)
    while stack:
        slug = stack.pop()
        if slug in needed:
            continue
        needed.add(slug)
        stack.extend(specs[slug].references)
    ordered = in_dependency_order([specs[s] for s in needed])
    return ordered, [s.slug for s in ordered if s.slug in set(wanted)]


def _accounts() -> pa.Table:
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    return pa.table({"account_id": pa.array(ids, pa.int64())})


def _subscriptions() -> pa.Table:
    rows = list(
        Subscription.objects.order_by("pk").values_list(
            "account_id", "start_date", "end_date", "quantity", "status"
        )
    )
    columns: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return pa.table(
        [pa.array(columns[0], pa.int64()), pa.array(columns[1], pa.date32()),
         pa.array(columns[2], pa.date32()), pa.array(columns[3], pa.int64()),
         # Trials are not paying: tenure starts at the first paying subscription.
         pa.array([status != SubscriptionStatus.TRIAL for status in columns[4]], pa.bool_())],
        schema=engine.SUBSCRIPTION_SCHEMA,
    )


def _event_files() -> list[str]:
    from cairn.usage.store import committed_event_files

    return committed_event_files()


def recompute(
    *,
    date: dt.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    engine_name: str = "duckdb",
    full: bool = False,
    files: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RecomputeResult:
    """Bring the series of the grid ending at `date` (default: today, UTC) up to date.

    `files` defaults to the usage store's committed event files; `full` redoes every date.
    """
    say = progress or logger.info
    latest = date or timezone.now().astimezone(dt.UTC).date()
    dates = grid(latest, weeks)
    result = RecomputeResult(dates=dates, engine=engine_name)
    specs, stored = active_specs()
    if not specs:
        say(result.summary())
        return result
    store.remove_temporaries()
    files = list(_event_files() if files is None else files)
    accounts, subscriptions = _accounts(), _subscriptions()
    result.metrics, result.accounts = len(stored), accounts.num_rows
    lookback = max(s.lookback_days for s in specs)
    context = store.context_fingerprint(accounts, subscriptions)
    definitions = store.definitions_fingerprint(specs)
    inputs = {d: store.inputs_fingerprint(d, lookback, files, context) for d in dates}
    fills = {f.observed_on: f for f in MetricFill.objects.filter(observed_on__in=dates)}
    pending = [
        d for d in dates
        if full or d not in fills
        or (fills[d].definitions_fingerprint, fills[d].inputs_fingerprint) != (definitions, inputs[d])
    ]
    result.skipped = [d for d in dates if d not in pending]
    if not pending:
        say(f"All {len(dates)} date(s) are current; nothing to do.")
        return result
    say(f"Computing {len(stored)} metric(s) for {accounts.num_rows} account(s) on "
        f"{len(pending)} date(s) with {engine_name} ({len(files)} event file(s))...")
    first = min(pending) - dt.timedelta(days=lookback)
    reading = [f for f in files if (d := store.day_of_file(f)) is not None and first < d <= max(pending)]
    runner = backends.connect(engine_name)
    wide = engine.compute(runner.con, runner.events(reading), specs, pending, accounts, subscriptions)
    definitions_by_slug = {d.slug: d for d in MetricDefinition.objects.filter(slug__in=stored)}
    for index, day in enumerate(pending, start=1):
        MetricFill.objects.filter(observed_on=day).delete()
        rows = store.write_date(wide, day, stored)
        with transaction.atomic():
            if day == latest:
                _store_latest(wide, day, definitions_by_slug)
            MetricFill.objects.create(
                observed_on=day, definitions_fingerprint=definitions, inputs_fingerprint=inputs[day],
                engine=engine_name, accounts=rows, completed_at=timezone.now(),
            )
        result.computed.append(day)
        say(f"[{index}/{len(pending)}] {day.isoformat()}: {rows} account(s) written.")
    say(result.summary())
    return result


def _store_latest(wide: pa.Table, day: dt.date, definitions: dict[str, MetricDefinition]) -> None:
    """Upsert the latest values, in bulk, inside the caller's transaction."""
    import pyarrow.compute as pc

    rows = wide.filter(pc.equal(wide["observed_on"], pa.scalar(day, pa.date32())))
    accounts = rows["account_id"].to_pylist()
    now = timezone.now()
    for slug, definition in definitions.items():
        values = rows[slug].to_pylist()
        objects = [
            MetricValue(account_id=a, metric=definition, observed_on=day, value=v, computed_at=now)
            for a, v in zip(accounts, values, strict=True)
        ]
        MetricValue.objects.bulk_create(
            objects, batch_size=VALUE_BATCH, update_conflicts=True,
            unique_fields=["account", "metric"], update_fields=["observed_on", "value", "computed_at"],
        )
