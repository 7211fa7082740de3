"""Seed a large portfolio and time Cairn's main pages, in-process.

    .venv/bin/python bench/seed_and_time.py [--accounts 10000] [--requests 50]
        [--database-url postgres://postgres@127.0.0.1:5432/bench] [--data-dir DIR] [--keep]

Seeds accounts, each with 3 contacts (two reporting to the first), 1 or 2 product lines with
five years of yearly terms (the past ones renewed at a changed ARR, some lines churned on
the way), the renewals of the next year, a health light and 26 weekly score files, and an
engagement with its full checklist, outputs and phase moves, as the domain actions make
them, but with bulk inserts (the actions would take an hour for 10,000). Then it measures
the server time of the leader's home, a CSM's home, the portfolio, an account page, an
engagement page and the accounts API with Django's test client, and prints p50 and p95 with
the data size and the machine; and times the retention figures of the book (12 months and
8 quarters) in the same run. A page that answers 404 (not built yet) is skipped with a note.

On SQLite the data directory is a fresh temporary one unless --data-dir is given. On
PostgreSQL the database must be empty or already seeded by this script (it is reused).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SEED = 20240917


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per page.")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in --data-dir).")
    parser.add_argument("--data-dir", type=Path, help="Data directory (default: a temporary one).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    return parser.parse_args()


def configure(args: argparse.Namespace) -> Path:
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    if args.database_url:
        os.environ["CAIRN_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("CAIRN_DATABASE_URL", None)
    os.environ["CAIRN_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["CAIRN_DEBUG"] = "false"
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    return data_dir


def seed(count: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from cairn.customers.models import Account

    call_command("migrate", verbosity=0, interactive=False)
    existing = Account.objects.count()
    if existing >= count:
        print(f"Reusing the {existing:,} accounts already in the database.")
        return
    if existing:
        sys.exit(f"The database holds {existing:,} accounts; use an empty one (or {count:,}).")
    started = time.perf_counter()
    with transaction.atomic():
        _seed(count)
    _analyze()
    print(f"Seeded {count:,} accounts in {time.perf_counter() - started:.0f} s.")


def _seed(count: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from cairn.customers.models import Account, Contact, Product, Subscription
    from cairn.engagements.models import (
        ActivityStatus,
        Engagement,
        EngagementActivity,
        EngagementOutput,
        PhaseMove,
    )
    from cairn.people.models import User
    from cairn.playbooks.actions import default_version
    from cairn.playbooks.models import Activity, Output
    from cairn.timeline.models import Entry, EntryKind

    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    batch = 2000
    # Nobody logs in with a password (the client is forced in), so no slow hashing.
    User.objects.create(username="bench-leader", password="!", role="leader",
                        first_name="Bench", last_name="Leader")
    csms = User.objects.bulk_create(
        User(username=f"bench-csm-{i}", password="!", role="csm", first_name="CSM",
             last_name=str(i))
        for i in range(20)
    )
    products = [Product.objects.create(name=f"Bench product {i}") for i in range(4)]
    version = default_version()
    phases = list(version.phases.filter(periodic=False).order_by("position"))
    activities = list(Activity.objects.filter(phase__version=version).select_related("phase"))
    outputs = list(Output.objects.filter(phase__version=version).select_related("phase"))
    industries = ["Manufacturing", "Healthcare", "Retail", "Logistics", "Utilities", "Finance"]
    regions = ["EMEA", "North America", "APAC", "Latin America"]
    segments = ["strategic", "enterprise", "mid_market", "smb", "tech_touch"]

    accounts = Account.objects.bulk_create(
        (
            Account(
                name=f"Bench customer {i:05d}", industry=rng.choice(industries),
                region=rng.choice(regions), segment=rng.choice(segments),
                employees=rng.randint(20, 50_000), owner=rng.choice(csms),
                website=f"https://customer{i}.example",
            )
            for i in range(count)
        ),
        batch_size=batch,
    )
    heads = Contact.objects.bulk_create(
        (
            Contact(account=a, first_name="Chief", last_name=f"Exec {i}", title="CEO",
                    department="Executive", email=f"ceo@customer{i}.example")
            for i, a in enumerate(accounts)
        ),
        batch_size=batch,
    )
    Contact.objects.bulk_create(
        (
            Contact(account=a, first_name=first, last_name=f"{last} {i}", title=title,
                    department=dept, email=f"{first.lower()}@customer{i}.example",
                    reports_to=heads[i])
            for i, a in enumerate(accounts)
            for first, last, title, dept in (
                ("Ops", "Lead", "VP Operations", "Operations"),
                ("It", "Lead", "CIO", "IT"),
            )
        ),
        batch_size=batch,
    )
    Subscription.objects.bulk_create(_five_years(rng, accounts, products, today), batch_size=batch)
    engagements = Engagement.objects.bulk_create(
        (
            Engagement(
                account=a, initiative=f"Initiative of customer {i}", owner=a.owner,
                start_date=today - dt.timedelta(days=rng.randint(1, 400)),
                playbook_version=version, current_phase=rng.choice(phases),
                challenge="Costs too high.", required_outcomes="Costs down 10 %.",
            )
            for i, a in enumerate(accounts)
        ),
        batch_size=batch,
    )
    # Everything before the current phase is done, as it would be after real use.
    EngagementActivity.objects.bulk_create(
        (
            EngagementActivity(
                engagement=e, activity=act,
                status=ActivityStatus.DONE
                if act.phase.position < e.current_phase.position else ActivityStatus.OPEN,
                completed_at=now if act.phase.position < e.current_phase.position else None,
            )
            for e in engagements
            for act in activities
        ),
        batch_size=5000,
    )
    EngagementOutput.objects.bulk_create(
        (
            EngagementOutput(
                engagement=e, output=out,
                delivered=out.phase.position < e.current_phase.position,
            )
            for e in engagements
            for out in outputs
        ),
        batch_size=5000,
    )
    def moves(e: Engagement) -> Iterator[PhaseMove]:
        reached = [p for p in phases if p.position <= e.current_phase.position]
        at = now - dt.timedelta(days=30 * len(reached) + rng.randint(0, 60))
        previous = None
        for phase in reached:
            yield PhaseMove(engagement=e, from_phase=previous, to_phase=phase, moved_at=at,
                            reason="Bench")
            previous, at = phase, at + dt.timedelta(days=rng.randint(10, 50))

    PhaseMove.objects.bulk_create((m for e in engagements for m in moves(e)), batch_size=batch)
    Entry.objects.bulk_create(
        (
            Entry(account=e.account, engagement=e, kind=EntryKind.PHASE_MOVE,
                  title=f"Engagement started: {e.initiative}", occurred_at=now)
            for e in engagements
        ),
        batch_size=batch,
    )
    from cairn.renewals.actions import open_renewals

    open_renewals(today)
    _health(rng, today)


def _analyze() -> None:
    """Fresh statistics on PostgreSQL, as a database in use has them (autovacuum would get
    there in a while). SQLite keeps none unless asked, and Cairn does not ask."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _five_years(rng: random.Random, accounts: list, products: list, today: Any) -> Iterator[Any]:  # type: ignore[type-arg]
    """Each account's product lines as yearly terms over five years: each past term renewed
    (at an ARR up to 30 % up or 20 % down), about 6 % of lines churned at a term's end, and
    some accounts new during the years; the current term ends within the next year or a
    month ago (an overdue renewal)."""
    import datetime as dt
    from decimal import Decimal

    from cairn.customers.models import Subscription, SubscriptionStatus

    for a in accounts:
        for n in range(rng.randint(1, 2)):
            end = today + dt.timedelta(days=rng.randint(-30, 365))
            terms = rng.randint(1, 5)
            arr = rng.randint(5_000, 400_000)
            churn_at = rng.randint(1, 40)  # a term's number; lines with churn_at <= terms churn
            for t in range(terms, 0, -1):  # the oldest term first
                start = end - dt.timedelta(days=365 * t)
                stop = start + dt.timedelta(days=364)
                status = SubscriptionStatus.RENEWED if t > 1 else SubscriptionStatus.ACTIVE
                if t == churn_at and t > 1:
                    status = SubscriptionStatus.CHURNED
                yield Subscription(
                    account=a, product=products[n], quantity=rng.randint(5, 500),
                    arr=Decimal(arr), start_date=start, end_date=stop, status=status,
                )
                if status == SubscriptionStatus.CHURNED:
                    break
                arr = max(1_000, round(arr * rng.uniform(0.8, 1.3)))


def _health(rng: random.Random, today: Any) -> None:
    """Today's light for each account and 26 weekly score files behind it."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa

    from cairn.customers.models import Account
    from cairn.health import history
    from cairn.health.models import AccountHealth

    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    lights = ["green"] * 6 + ["amber"] * 3 + ["red", ""]
    current = {pk: rng.choice(lights) for pk in ids}
    AccountHealth.objects.bulk_create(
        (AccountHealth(account_id=pk, scored_on=today, light=light,
                       score={"green": 80.0, "amber": 55.0, "red": 30.0}.get(light))
         for pk, light in current.items()),
        batch_size=2000,
    )
    for week in range(26, -1, -1):
        drawn = [current[pk] if rng.random() < 0.8 else rng.choice(lights) for pk in ids]
        table = pa.table({
            "account_id": pa.array(np.array(ids, dtype=np.int64)),
            "scorecard_id": pa.array([None] * len(ids), pa.int64()),
            "snapshot_id": pa.array([None] * len(ids), pa.int64()),
            "score": pa.array([{"green": 80.0, "amber": 55.0, "red": 30.0}.get(x) for x in drawn]),
            "light": pa.array(drawn), "explanation": pa.array(["{}"] * len(ids)),
        }, schema=history.SCHEMA)
        history.record(today - dt.timedelta(weeks=week), table, None)


def sizes() -> list[tuple[str, int]]:
    from cairn.customers.models import Account, Contact, Subscription
    from cairn.engagements.models import Engagement, EngagementActivity, EngagementOutput
    from cairn.health.models import ScoreDate
    from cairn.renewals.models import Renewal

    models = [Account, Contact, Subscription, Renewal, ScoreDate, Engagement, EngagementActivity,
              EngagementOutput]
    return [(m._meta.verbose_name_plural, m.objects.count()) for m in models]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def measure(requests: int) -> list[tuple[str, str, int, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from cairn.customers.models import Account
    from cairn.engagements.models import Engagement
    from cairn.people.models import User

    rng = random.Random(SEED)
    client = Client()
    client.force_login(User.objects.get(username="bench-leader"))
    csm = Client()
    csm.force_login(User.objects.get(username="bench-csm-0"))
    account_ids = list(Account.objects.order_by("?").values_list("pk", flat=True)[:requests])
    engagement_ids = list(
        Engagement.objects.order_by("?").values_list("pk", flat=True)[:requests]
    )

    def url(name: str, ids: list[int]) -> str:
        try:
            return reverse(name, args=[rng.choice(ids)])
        except NoReverseMatch:
            return ""

    from django.core.cache import cache

    # The leader's home keeps a snapshot of the book for a few minutes: timed as people
    # mostly meet it (the snapshot taken) and as the first visitor after it expires does.
    pages = [
        ("Leader home", lambda: "/?view=book", client, False),
        ("Leader home, cold", lambda: "/?view=book", client, True),
        ("CSM home", lambda: "/?view=mine", csm, False),
        ("Portfolio", lambda: "/accounts/", client, False),
        ("Account page", lambda: url("account", account_ids), client, False),
        ("Engagement page", lambda: url("engagement", engagement_ids), client, False),
        ("API accounts", lambda: "/api/v1/accounts/", client, False),
    ]
    rows = []
    for label, make, client, cold in pages:
        first = make()
        if not first:
            rows.append((label, "no such page", 0, 0.0, 0.0, 0))
            continue
        status = client.get(first).status_code
        if status != 200:
            rows.append((label, f"{first}: HTTP {status}", 0, 0.0, 0.0, 0))
            continue
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(first)
        # Read now: the captured list is a view of a log the next requests reset.
        query_count = len(queries)
        times = []
        for _ in range(requests):
            path = make()
            if cold:
                cache.clear()
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{path} answered HTTP {response.status_code}")
        p95 = statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]
        rows.append((label, first, len(times), statistics.median(times), p95, query_count))
    return rows


def time_retention(requests: int) -> list[tuple[str, float, float]]:
    """p50 and p95 of the book's retention figures, as the retention page asks for them."""
    from cairn.retention.queries import figures

    rows = []
    for label, grain, periods in (("12 months", "month", 12), ("8 quarters", "quarter", 8)):
        times = []
        for _ in range(max(requests // 5, 3)):
            started = time.perf_counter()
            figures(grain=grain, periods=periods)
            times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=100)[94]
        rows.append((label, statistics.median(times), p95))
    return rows


def database_version(connection) -> str:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def report(
    rows: list[tuple[str, str, int, float, float, int]], retention: list[tuple[str, float, float]],
    elapsed: float,
) -> None:
    from django.db import connection

    print()
    print(f"Machine:  {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python "
          f"{platform.python_version()}")
    print(f"Database: {database_version(connection)}")
    print("Data:     " + ", ".join(f"{n:,} {name}" for name, n in sizes()))
    print()
    print(f"{'Page':<18} {'URL (first)':<28} {'N':>4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    print("-" * 79)
    for label, url, n, p50, p95, queries in rows:
        if not n:
            print(f"{label:<18} skipped: {url}")
            continue
        print(f"{label:<18} {url:<28} {n:>4} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
    print()
    print(f"{'Retention figures':<28} {'p50 ms':>8} {'p95 ms':>8}")
    for label, p50, p95 in retention:
        print(f"{label:<28} {p50:>8.1f} {p95:>8.1f}")
    print(f"\nMeasured in-process with Django's test client; total run {elapsed:.0f} s.")


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    data_dir = configure(args)
    try:
        seed(args.accounts)
        rows = measure(args.requests)
        report(rows, time_retention(args.requests), time.perf_counter() - started)
    finally:
        if not args.data_dir and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.keep:
            print(f"Data kept in {data_dir}")


if __name__ == "__main__":
    main()
