"""Health scores for many accounts: the time of `recompute_scores` and the data it reads and writes.

    .venv/bin/python bench/scores.py [--accounts 100000] [--keep] [--database-url URL]

Seeds (not timed) a fresh SQLite database in a temporary directory, or the database of
--database-url (or CAIRN_DATABASE_URL) when given, e.g. postgres://postgres@127.0.0.1:5432/
bench_scores (it must be empty: the script migrates it and refuses one with accounts): `--accounts`
accounts over five segments and 50 owners, four metrics with a latest value per account
(metrics.MetricValue, bulk inserted, a few per cent missing or stale), a manual rating on a
tenth of the accounts, the standard scorecard plus one per segment for the enterprise accounts.
Then times three recomputes through `cairn.health.actions.recompute_scores`:

1. the first day (every account gets its first score; turning red needs a previous score);
2. the next day after 2 % of the accounts lost usage (alerts and tasks for their owners);
3. the same day again (nothing new: alerts are never raised twice).

Prints each time (wall clock, and this process's CPU time: the machine may be shared, so the
load average is printed too), the rows read and written, the score history's files (in the
analytics store, cairn.health.history), the time an account page takes to read one
account's latest explanation and history, the database size and the machine.
The URL configuration is loaded once before the timed runs (alert tasks link to pages), as
in a running worker; its one-off cost is printed separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260331
DAY = dt.date(2026, 3, 30)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    parser.add_argument(
        "--profile", metavar="DIR", default="",
        help="Write a cProfile of each timed run into DIR (view with python -m pstats).",
    )
    parser.add_argument(
        "--database-url", default="", help="An empty PostgreSQL (or SQLite) database to use."
    )
    return parser.parse_args()


def setup_django(data_dir: Path) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(n: int) -> None:
    from django.utils import timezone

    from cairn.customers.models import Account, Segment
    from cairn.health.actions import ensure_default_scorecard
    from cairn.health.models import ManualRating, Measure, Scorecard
    from cairn.metrics.models import MetricDefinition, MetricValue
    from cairn.people.models import User

    rng = random.Random(SEED)
    owners = User.objects.bulk_create(
        User(username=f"csm{i}", role="csm", first_name="CSM", last_name=str(i)) for i in range(50)
    )
    segments = list(Segment.values)
    Account.objects.bulk_create(
        (Account(name=f"Account {i:06}", segment=segments[i % len(segments)],
                 owner_id=owners[i % len(owners)].pk) for i in range(n)),
        batch_size=5000,
    )
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    metrics = [
        MetricDefinition.objects.create(slug="seats", name="Seat utilization", kind="seat_utilization"),
        MetricDefinition.objects.create(slug="idle", name="Days since last login",
                                        kind="days_since_last", higher_is_better=False),
        MetricDefinition.objects.create(slug="logins", name="Logins per month", kind="rate_per_month",
                                        event_type="login"),
        MetricDefinition.objects.create(slug="reports", name="Reports run (28 days)", kind="count",
                                        event_type="report.run"),
    ]
    card = ensure_default_scorecard()
    for position, (metric, bad, good) in enumerate(
        [(metrics[2], 5.0, 200.0), (metrics[3], 0.0, 40.0)], start=card.measures.count()
    ):
        Measure.objects.create(scorecard=card, name=metric.name, indicator="product_utilization",
                               weight=10, source="metric", metric=metric, bad_value=bad,
                               good_value=good, position=position)
    big = Scorecard.objects.create(name="Enterprise", segments=["enterprise", "strategic"])
    for position, measure in enumerate(card.measures.all()):
        measure.pk = None
        measure.scorecard = big
        measure.position = position
        measure.save()
    now = timezone.now()

    def values() -> object:
        for account_id in ids:
            health = rng.random()
            for metric in metrics:
                if rng.random() < 0.03:
                    continue  # never computed for this account
                stale = rng.random() < 0.02
                observed = DAY - dt.timedelta(days=90 if stale else rng.randrange(0, 7))
                if metric.slug == "seats":
                    value = min(1.0, max(0.0, rng.gauss(health, 0.15)))
                elif metric.slug == "idle":
                    value = float(int(rng.expovariate(1 / (2 + 30 * (1 - health)))))
                else:
                    value = max(0.0, rng.gauss(health * (200 if metric.slug == "logins" else 40), 10))
                yield MetricValue(account_id=account_id, metric=metric, observed_on=observed,
                                  value=value, computed_at=now)

    MetricValue.objects.bulk_create(values(), batch_size=10000)  # type: ignore[arg-type]
    ManualRating.objects.bulk_create(
        (ManualRating(account_id=a, indicator=rng.choice(["sponsorship", "sentiment"]),
                      rating=rng.choice(["1", "2", "3", "4", "5", "red", "yellow", "green"]),
                      comment="Seeded", rated_on=DAY - dt.timedelta(days=10),
                      expires_on=DAY + dt.timedelta(days=rng.choice([-5, 60])))
         for a in ids if rng.random() < 0.1),
        batch_size=5000,
    )


def lose_usage(share: float) -> int:
    from cairn.metrics.models import MetricValue

    rng = random.Random(SEED + 1)
    ids = list(
        MetricValue.objects.filter(metric__slug="seats")
        .order_by("account_id")
        .values_list("account_id", flat=True)
    )
    hit = rng.sample(ids, int(len(ids) * share))
    MetricValue.objects.filter(metric__slug="seats", account_id__in=hit).update(
        value=0.05, observed_on=DAY + dt.timedelta(days=1)
    )
    MetricValue.objects.filter(metric__slug="idle", account_id__in=hit).update(
        value=60.0, observed_on=DAY + dt.timedelta(days=1)
    )
    return len(hit)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM, Python {platform.python_version()}"


def timed(label: str, as_of: dt.date, profile: str = "") -> None:
    from cairn.health.actions import recompute_scores

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    result = recompute_scores(as_of)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        Path(profile).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(Path(profile) / f"{as_of}-{label.split()[0]}.prof")
    print(f"{label:<38} {seconds:6.2f} s (CPU {cpu:.2f} s, load {os.getloadavg()[0]:.1f})  "
          f"scored {result.scored:,} "
          f"({result.without_data:,} without enough data), alerts raised "
          f"{result.alerts_raised:,}, resolved {result.alerts_resolved:,}")


def main() -> None:
    args = parse_args()
    if args.database_url:
        os.environ["CAIRN_DATABASE_URL"] = args.database_url
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-scores-"))
    try:
        setup_django(folder)
        from django.db import connection
        from django.urls import reverse

        from cairn.customers.models import Account
        from cairn.health import history
        from cairn.health.models import ManualRating, Measure
        from cairn.metrics.models import MetricValue
        from cairn.timeline.models import Task

        if Account.objects.exists():
            sys.exit(f"{connection.settings_dict['NAME']} already has accounts: give an empty database.")
        started = time.perf_counter()
        reverse("my_work")  # loads every app's URLs and views, and builds the reverse lookup
        urls_seconds = time.perf_counter() - started
        started = time.perf_counter()
        seed(args.accounts)
        print(f"Machine: {machine()}")
        print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
        print(f"Seeded in {time.perf_counter() - started:.1f} s: {args.accounts:,} accounts, "
              f"{MetricValue.objects.count():,} metric values, {ManualRating.objects.count():,} "
              f"manual ratings, {Measure.objects.count()} measures on 2 scorecards")
        print(f"URL configuration loaded once before the runs in {urls_seconds:.2f} s")
        timed("first day (first scores)", DAY, args.profile)
        hit = lose_usage(0.02)
        timed(f"next day ({hit:,} accounts lost usage)", DAY + dt.timedelta(days=1), args.profile)
        timed("same day again (nothing new)", DAY + dt.timedelta(days=1), args.profile)
        dates = history.dates()
        rows = sum(d.accounts for d in dates)
        size = sum((history.folder() / d.file).stat().st_size for d in dates)
        sample = history.stored(Account.objects.order_by("pk").values_list("pk", flat=True)[0])
        one = len(json.dumps(sample.explanation)) if sample else 0
        print(f"Score history: {rows:,} rows in {len(dates)} Parquet files ({size / 1024 / 1024:.1f} MiB); "
              f"one explanation is {one:,} characters; tasks created: {Task.objects.count():,}")
        started = time.perf_counter()
        reads = Account.objects.order_by("?").values_list("pk", flat=True)[:20]
        for pk in reads:
            history.stored(pk)
            history.account_history(pk)
        print(f"One account's latest explanation and its history (as its page reads them): "
              f"{(time.perf_counter() - started) / len(reads) * 1000:.0f} ms on {len(dates)} dates")
        if connection.vendor == "sqlite":
            size = Path(connection.settings_dict["NAME"]).stat().st_size
            print(f"SQLite file: {size / 1024 / 1024:.0f} MiB")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                print(f"PostgreSQL database: {cursor.fetchone()[0] / 1024 / 1024:.0f} MiB")
    finally:
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
