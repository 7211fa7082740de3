"""Seed a large portfolio and time Cairn's main pages, in-process.

    .venv/bin/python bench/seed_and_time.py [--accounts 10000] [--requests 50]
        [--database-url postgres://postgres@127.0.0.1:5432/bench] [--data-dir DIR] [--keep]

Seeds accounts, each with 3 contacts (two reporting to the first), 1 or 2 subscriptions and
an engagement with its full checklist and outputs, as `start_engagement` makes them, but
with bulk inserts (the domain action would take an hour for 10,000). Then it measures the
server time of the portfolio, an account page, an engagement page and the accounts API with
Django's test client, logged in as a CS leader, and prints p50 and p95 with the data size
and the machine. A page that answers 404 (not built yet) is skipped with a note.

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
from pathlib import Path

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
    print(f"Seeded {count:,} accounts in {time.perf_counter() - started:.0f} s.")


def _seed(count: int) -> None:
    import datetime as dt
    from decimal import Decimal

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
    Subscription.objects.bulk_create(
        (
            Subscription(
                account=a, product=products[n], quantity=rng.randint(5, 500),
                arr=Decimal(rng.randint(5_000, 400_000)),
                start_date=today - dt.timedelta(days=365),
                end_date=today + dt.timedelta(days=rng.randint(-30, 365)),
            )
            for a in accounts
            for n in range(rng.randint(1, 2))
        ),
        batch_size=batch,
    )
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
    PhaseMove.objects.bulk_create(
        (
            PhaseMove(engagement=e, from_phase=None, to_phase=phases[0], moved_at=now,
                      reason="Engagement started")
            for e in engagements
        ),
        batch_size=batch,
    )
    Entry.objects.bulk_create(
        (
            Entry(account=e.account, engagement=e, kind=EntryKind.PHASE_MOVE,
                  title=f"Engagement started: {e.initiative}", occurred_at=now)
            for e in engagements
        ),
        batch_size=batch,
    )


def sizes() -> list[tuple[str, int]]:
    from cairn.customers.models import Account, Contact, Subscription
    from cairn.engagements.models import Engagement, EngagementActivity, EngagementOutput

    models = [Account, Contact, Subscription, Engagement, EngagementActivity, EngagementOutput]
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
    account_ids = list(Account.objects.order_by("?").values_list("pk", flat=True)[:requests])
    engagement_ids = list(
        Engagement.objects.order_by("?").values_list("pk", flat=True)[:requests]
    )

    def url(name: str, ids: list[int]) -> str:
        try:
            return reverse(name, args=[rng.choice(ids)])
        except NoReverseMatch:
            return ""

    pages = [
        ("Portfolio", lambda: "/"),
        ("Account page", lambda: url("account", account_ids)),
        ("Engagement page", lambda: url("engagement", engagement_ids)),
        ("API accounts", lambda: "/api/v1/accounts/"),
    ]
    rows = []
    for label, make in pages:
        first = make()
        if not first:
            rows.append((label, "no such page", 0, 0.0, 0.0, 0))
            continue
        status = client.get(first).status_code
        if status != 200:
            rows.append((label, f"{first}: HTTP {status}", 0, 0.0, 0.0, 0))
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(first)
        # Read now: the captured list is a view of a log the next requests reset.
        query_count = len(queries)
        times = []
        for _ in range(requests):
            path = make()
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{path} answered HTTP {response.status_code}")
        p95 = statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]
        rows.append((label, first, len(times), statistics.median(times), p95, query_count))
    return rows


def database_version(connection) -> str:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def report(rows: list[tuple[str, str, int, float, float, int]], elapsed: float) -> None:
    from django.db import connection

    print()
    print(f"Machine:  {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python "
          f"{platform.python_version()}")
    print(f"Database: {database_version(connection)}")
    print("Data:     " + ", ".join(f"{n:,} {name}" for name, n in sizes()))
    print()
    print(f"{'Page':<16} {'URL (first)':<28} {'N':>4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    print("-" * 77)
    for label, url, n, p50, p95, queries in rows:
        if not n:
            print(f"{label:<16} skipped: {url}")
            continue
        print(f"{label:<16} {url:<28} {n:>4} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
    print(f"\nMeasured in-process with Django's test client; total run {elapsed:.0f} s.")


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    data_dir = configure(args)
    try:
        seed(args.accounts)
        report(measure(args.requests), time.perf_counter() - started)
    finally:
        if not args.data_dir and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.keep:
            print(f"Data kept in {data_dir}")


if __name__ == "__main__":
    main()
