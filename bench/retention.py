"""Retention figures on a synthetic book: how long they take.

    .venv/bin/python bench/retention.py [--accounts 10000] [--years 5] [--runs 20]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_retention] [--keep]

Seeds (not timed), with bulk inserts, `--accounts` accounts over five segments and 20 CSMs,
each a customer for part of the last `--years` years: one to three products, yearly terms
(one in six a two- or three-year contract) renewed back to back, at the same ARR, expanded
or downgraded, or churned; some add-ons bought mid-term; new logos arriving all along. Then
times `cairn.retention.queries` (12 months, 8 quarters, the breakdown per segment and CSM, and
a CSM's filter), `--runs` times each after a warm-up, and prints p50 and p95, the figures of
the last period, the data size and the machine.

On SQLite the database is a fresh one in a temporary directory. On PostgreSQL the database
must be empty or already seeded by this script (it is reused).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261207
SEGMENTS = ["strategic", "enterprise", "mid_market", "smb", "tech_touch"]


def _seed(accounts: int, years: int) -> int:
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
    from cairn.people.models import User

    rng = random.Random(SEED)
    today = timezone.localdate()
    first_day = today - relativedelta(years=years)
    csms = User.objects.bulk_create(
        User(username=f"bench-csm-{i}", password="!", role="csm", first_name="CSM", last_name=str(i))
        for i in range(20)
    )
    products = [Product.objects.create(name=f"Bench product {i}") for i in range(3)]
    made = Account.objects.bulk_create(
        (Account(name=f"Bench account {i}", segment=rng.choice(SEGMENTS), owner=rng.choice(csms))
         for i in range(accounts)), batch_size=2000,
    )
    rows: list[Subscription] = []
    span = (today - first_day).days
    for account in made:
        start = first_day + dt.timedelta(days=rng.randrange(span))
        for product in rng.sample(products, rng.choice((1, 1, 2, 3))):
            arr = Decimal(rng.randrange(5_000, 250_000)) + Decimal(rng.randrange(100)) / 100
            term_start = start
            while term_start <= today:
                years_long = 1 if rng.random() > 1 / 6 else rng.choice((2, 3))
                end = term_start + relativedelta(years=years_long) - dt.timedelta(days=1)
                churns = rng.random() < 0.08
                ongoing = end >= today
                status = (SubscriptionStatus.ACTIVE if ongoing else
                          SubscriptionStatus.CHURNED if churns else SubscriptionStatus.RENEWED)
                rows.append(Subscription(account=account, product=product, arr=arr,
                                         start_date=term_start, end_date=end, status=status))
                if rng.random() < 0.1:  # an add-on bought mid-term, co-terminous
                    middle = term_start + dt.timedelta(days=rng.randrange(30, 330))
                    if middle < end:
                        rows.append(Subscription(
                            account=account, product=product, arr=(arr / 5).quantize(Decimal("0.01")),
                            start_date=middle, end_date=end, status=status))
                if churns or ongoing:
                    break
                move = rng.random()
                if move < 0.2:
                    arr = (arr * Decimal("1.15")).quantize(Decimal("0.01"))
                elif move < 0.3:
                    arr = (arr * Decimal("0.85")).quantize(Decimal("0.01"))
                term_start = end + dt.timedelta(days=1)
    Subscription.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _time(runs: int, call) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    result = call()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temporary directory).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-retention-"))
    try:
        os.environ["CAIRN_DATA_DIR"] = str(data_dir)
        if args.database_url:
            os.environ["CAIRN_DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("CAIRN_DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from cairn.customers.models import Account, Subscription
        from cairn.people.models import User
        from cairn.retention import queries

        call_command("migrate", verbosity=0, interactive=False)
        existing = Account.objects.count()
        if existing and not Account.objects.filter(name="Bench account 0").exists():
            sys.exit(f"The database holds {existing:,} accounts not seeded by this script: "
                     "use an empty one.")
        if not existing:
            started = time.perf_counter()
            with transaction.atomic():
                _seed(args.accounts, args.years)
            took = time.perf_counter() - started
            print(f"seeded {args.accounts:,} accounts in {took:.1f} s (not timed below)")
        subscriptions = Subscription.objects.count()
        accounts = Account.objects.count()
        first = Subscription.objects.order_by("start_date").values_list("start_date", flat=True).first()
        print(f"book: {accounts:,} accounts, {subscriptions:,} subscriptions from {first} "
              f"on {connection.vendor}")
        owner = User.objects.filter(username="bench-csm-0").values_list("pk", flat=True).first()
        cases = [
            ("12 months", lambda: queries.figures("month", 12)),
            ("8 quarters", lambda: queries.figures("quarter", 8)),
            ("breakdown, latest quarter", lambda: queries.breakdown("quarter")),
            ("12 months, one CSM", lambda: queries.figures("month", 12, owner=owner)),
            ("12 months, one segment", lambda: queries.figures("month", 12, segment="enterprise")),
        ]
        for name, call in cases:
            p50, p95, result = _time(args.runs, call)
            print(f"{name:28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
            if isinstance(result, list):
                p = result[-1]
                print(f"{'':28} {p.label}: cohort {p.cohort_logos:,} accounts, starting ARR "
                      f"{p.start_arr:,.2f}, GRR {p.grr:.4f}, NRR {p.nrr:.4f}, logo churn {p.logo_churn:.4f}")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}")
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
