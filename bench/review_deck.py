"""A business review's deck and PDF for one account: how long gathering and rendering take.

    .venv/bin/python bench/review_deck.py [--runs 10] [--book 5000] [--keep] [--database-url URL]

Seeds (not timed) a fresh SQLite database in a temporary directory, or the database of
--database-url (it must be empty: the script migrates it and refuses one with accounts), with
one account's year: an engagement with 12 KPIs, each with a monthly reading for a year and a
value item it measures (6 promised, 6 expected), 200 support tickets, open risks and changes,
roadmap steps and planned activities, two subscriptions with their renewal, opportunities and
advocacy asks; in the analytics store, 6 usage metrics observed weekly and a health score
every day for a year, each file also holding `--book` other accounts (as a real book's files
do, so reading one account's rows is pruned from many).

Then prepares a QBR and times, for that review: the first gather and render in the process
(cold: matplotlib, python-pptx and WeasyPrint load, fonts are found), then `--runs` warm runs
after one warm-up of gather (cairn.reviews.facts.gather) and render (cairn.reviews.deck.render:
the charts, the PPTX and the PDF), printing p50 and p95. As yardsticks measured in the same
run, so the figures can be compared across machines: the charts alone, the PPTX alone from the
same charts, the PDF alone from the same charts, and a whole export (gather, render and both
documents stored as new versions). Then the data size, the output sizes and the machine.
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
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261201
DAY = dt.date(2026, 12, 1)  # the meeting; the QBR covers the three months before it
KPIS = 12
TICKETS = 200
METRICS = 6


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--book", type=int, default=5_000,
                        help="Other accounts in each metric and score file (default 5,000).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory and the outputs.")
    parser.add_argument("--database-url", default="", help="An empty PostgreSQL (or SQLite) database to use.")
    return parser.parse_args()


def setup_django(data_dir: Path, database_url: str) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["CAIRN_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CAIRN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed_records(rng: random.Random) -> Any:
    """The account, its engagement and everything the review reads from the database."""
    from django.utils import timezone

    from cairn.adoption import actions as adoption
    from cairn.adoption.models import Kpi, KpiReading, Risk, RoadmapStep
    from cairn.customers.models import Account, Contact, Product, Subscription
    from cairn.engagements.actions import EngagementData, start_engagement
    from cairn.expansion import actions as expansion
    from cairn.expansion.models import AdvocacyAsk, Opportunity
    from cairn.people.models import User
    from cairn.playbooks.actions import default_version
    from cairn.renewals.actions import open_renewals
    from cairn.usage.models import SupportTicket, TicketPriority, TicketStatus
    from cairn.value import actions as value
    from cairn.value.models import ValueActivity, ValueChange, ValueItem

    csm = User.objects.create_user(username="bench-csm", role="csm", first_name="Carla", last_name="Bench",
                                   email="carla@bench.example")
    account = Account.objects.create(name="Bench Manufacturing Group", segment="enterprise", owner=csm)
    contacts = [Contact.objects.create(account=account, first_name=f"Contact{i}", last_name="Bench",
                                       email=f"c{i}@bench.example") for i in range(4)]
    engagement = start_engagement(account, EngagementData(
        initiative="Energy use down 20 % across five plants", owner=csm,
        start_date=DAY - dt.timedelta(days=420),
    ), by=csm, version=default_version())
    months = [DAY - dt.timedelta(days=30 * i) for i in range(12, 0, -1)]
    readings = []
    for i in range(KPIS):
        baseline = rng.choice((120.0, 1_400.0, 48_000.0, 0.62))
        lower = i % 3 != 0
        target = baseline * (0.8 if lower else 1.25)
        what = rng.choice(("energy per unit", "peak load", "idle hours", "meters online"))
        kpi = adoption.save_item(Kpi(
            engagement=engagement, name=f"KPI {i + 1}: {what}",
            unit=rng.choice(("kWh", "kW", "h", "%", "")), direction="lower" if lower else "higher",
            baseline_value=Decimal(str(round(baseline, 2))), baseline_date=months[0] - dt.timedelta(days=20),
            target_value=Decimal(str(round(target, 2))),
            target_date=DAY + dt.timedelta(days=rng.randrange(60, 240)),
        ), engagement, by=csm)
        for step, day in enumerate(months):
            moved = (target - baseline) * step / 14 * rng.uniform(0.6, 1.2)
            readings.append(KpiReading(kpi=kpi, date=day, value=Decimal(str(round(baseline + moved, 2))),
                                       recorded_by=csm))
        value.save_item(ValueItem(
            engagement=engagement, commitment="promised" if i < KPIS // 2 else "expected",
            statement=f"Value item {i + 1}: {kpi.name} to {round(target, 2):,} by the target date",
        ), by=csm, kpis=[kpi])
    KpiReading.objects.bulk_create(readings)
    now = timezone.now()
    tickets = []
    for i in range(TICKETS):
        opened = now - dt.timedelta(days=rng.uniform(0, 365))
        done = rng.random() < 0.9
        topic = rng.choice(("export", "login", "meters", "report"))
        tickets.append(SupportTicket(
            external_id=f"bench-{i}", account=account, subject=f"Ticket {i}: {topic}",
            priority=rng.choice(list(TicketPriority.values)),
            status=TicketStatus.SOLVED if done else TicketStatus.OPEN, opened_at=opened,
            closed_at=opened + dt.timedelta(hours=rng.uniform(1, 240)) if done else None,
        ))
    SupportTicket.objects.bulk_create(tickets)
    for i in range(5):
        adoption.save_item(Risk(
            engagement=engagement, title=f"Risk {i + 1}: plant {i + 1} shift leaders not yet trained",
            likelihood=rng.randint(1, 5), impact=rng.randint(1, 5), owner=f"Contact{i % 4} Bench",
            mitigation="Evening sessions with the shift leaders, and a champion per plant.",
        ), engagement, by=csm)
    for i, kind in enumerate(("budget_cut", "new_stakeholder", "regulation")):
        ValueChange.objects.create(
            engagement=engagement, kind=kind, spotted_on=DAY - dt.timedelta(days=20 * i),
            description=f"Change {i + 1}: what changed and what it puts at risk.",
            response_plan="Meet the sponsor and agree a plan.", owner=csm,
        )
    for i in range(4):
        RoadmapStep.objects.create(
            engagement=engagement, title=f"Roll-out wave {i + 1}", audience=f"Plant {i + 1}",
            starts=DAY + dt.timedelta(days=30 * i), ends=DAY + dt.timedelta(days=30 * i + 28),
        )
        ValueActivity.objects.create(engagement=engagement, title=f"Value check-in {i + 1}", owner=csm,
                                     due_date=DAY + dt.timedelta(days=20 + 30 * i))
    products = [Product.objects.create(name=name) for name in ("Energy Monitor", "Peak Planner")]
    for product, arr in zip(products, ("84000", "36000"), strict=True):
        Subscription.objects.create(
            account=account, product=product, arr=Decimal(arr),
            start_date=DAY - dt.timedelta(days=300), end_date=DAY + dt.timedelta(days=64),
        )
    open_renewals(DAY)
    for i in range(3):
        expansion.create_opportunity(Opportunity(
            account=account, title=f"Opportunity {i + 1}: more plants",
            amount=Decimal(rng.randrange(10, 90) * 1000),
        ), by=csm)
    for contact in contacts[:2]:
        expansion.create_ask(AdvocacyAsk(contact=contact), by=csm)
    return account, csm


def _seed_store(account_id: int, book: int) -> tuple[int, int]:
    """Usage metrics weekly and health scores daily for a year, in the analytics store."""
    import numpy as np
    import pyarrow as pa
    from django.db import transaction
    from django.utils import timezone

    from cairn.health import history
    from cairn.metrics.models import MetricDefinition, MetricFill, MetricValue
    from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

    rng = np.random.default_rng(SEED)
    ids = np.sort(np.concatenate([np.arange(10_000_000, 10_000_000 + book), [account_id]])).astype(np.int64)
    now = timezone.now()
    weeks = [DAY - dt.timedelta(weeks=i) for i in range(52, -1, -1)]
    names = ("Active users", "Logins", "Reports run", "Meters online", "Seat utilization", "Exports")
    for m, name in enumerate(names[:METRICS]):
        kind = "seat_utilization" if name == "Seat utilization" else "count"
        metric = MetricDefinition.objects.create(slug=f"bench-{m}", name=name, kind=kind)
        share = kind == "seat_utilization"
        base = rng.uniform(0.3, 0.9, len(ids)) if share else rng.uniform(50, 5_000, len(ids))
        for w, day in enumerate(weeks):
            values = base * (1 + 0.01 * w * (1 if m % 2 else -1)) + rng.normal(0, base * 0.02)
            table = pa.table([pa.array(ids), pa.array([day] * len(ids), pa.date32()), pa.array(values)],
                             schema=SERIES_SCHEMA)
            write_series_file(table, series_path(metric.slug, day))
        MetricValue.objects.create(account_id=account_id, metric=metric, observed_on=weeks[-1],
                                   value=float(values[np.searchsorted(ids, account_id)]), computed_at=now)
    MetricFill.objects.bulk_create(
        MetricFill(observed_on=day, definitions_fingerprint="bench", inputs_fingerprint="bench",
                   engine="bench", accounts=len(ids), completed_at=now) for day in weeks
    )
    days = [DAY - dt.timedelta(days=i) for i in range(364, -1, -1)]
    scores = rng.uniform(20, 95, len(ids))
    for day in days:
        scores = np.clip(scores + rng.normal(0.05, 1.2, len(ids)), 0, 100)
        lights = np.where(scores >= 70, "green", np.where(scores < 40, "red", "amber")).tolist()
        table = history.table_of(ids, [None] * len(ids), [None] * len(ids), scores, lights, ["{}"] * len(ids))
        with transaction.atomic():
            history.record(day, table, None)
    return len(weeks), len(days)


def _times(runs: int, call: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """p50 and p95 of the wall clock, p50 of this process's CPU time (the machine may be
    shared: the CPU time is what the work itself took), in ms, and the last result."""
    result = call()  # warm-up
    taken, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        result = call()
        taken.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    taken.sort()
    p95 = taken[min(len(taken) - 1, round(0.95 * (len(taken) - 1)))]
    return statistics.median(taken), p95, statistics.median(cpu), result


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-review-deck-"))
    try:
        setup_django(data_dir, args.database_url)
        from django.db import connection, transaction

        from cairn.customers.models import Account
        from cairn.reviews import actions
        from cairn.reviews.models import Kind, Program

        if Account.objects.exists():
            sys.exit("The database already holds accounts: use an empty one.")
        started = time.perf_counter()
        with transaction.atomic():
            account, csm = _seed_records(random.Random(SEED))
        weeks, days = _seed_store(account.pk, args.book)
        program = actions.create_program(Program(
            account=account, kind=Kind.QBR, purpose="Value, adoption and the next quarter.", next_date=DAY,
        ), by=csm)
        review = actions.prepare_review(program, actions.Prepare(date=DAY), by=csm)
        print(f"seeded in {time.perf_counter() - started:.1f} s (not timed below)")

        # Cold: what the first export of a fresh worker pays on top (the libraries load here).
        started, used = time.perf_counter(), time.process_time()
        from cairn.reviews import deck, facts

        gathered = facts.gather(review)
        built = deck.render(review, gathered)
        cold, cold_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - used) * 1000

        gather = _times(args.runs, lambda: facts.gather(review))
        render = _times(args.runs, lambda: deck.render(review, gathered))
        whole = _times(args.runs, lambda: deck.render(review, facts.gather(review)))
        shown = deck.parts(review, gathered)
        only_charts = _times(args.runs, lambda: deck.parts(review, gathered))
        only_pptx = _times(args.runs, lambda: deck._Deck(review, gathered).build(shown))
        only_pdf = _times(args.runs, lambda: deck._pdf(review, gathered, shown))
        exports = _times(max(3, args.runs // 3), lambda: actions.export_review(review, by=csm))

        print(f"one account, QBR of {DAY:%d %b %Y} covering {review.period_start} to {review.period_end}, "
              f"{connection.vendor}")
        print(f"{'first gather + render (cold)':44} {cold:7.0f} ms{'':17} CPU {cold_cpu:7.0f} ms")
        for label, (p50, p95, cpu, _) in (
            ("gather (facts.gather)", gather),
            ("render (deck.render: charts, PPTX, PDF)", render),
            ("gather + render", whole),
            ("yardstick: the charts alone", only_charts),
            ("yardstick: the PPTX alone, same charts", only_pptx),
            ("yardstick: the PDF alone, same charts", only_pdf),
            ("export_review (+ both versions stored)", exports),
        ):
            print(f"{label:44} p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  CPU p50 {cpu:7.0f} ms")
        import io

        import pypdfium2
        from pptx import Presentation

        slides = len(Presentation(io.BytesIO(built.pptx)).slides)
        pages = len(pypdfium2.PdfDocument(built.pdf))
        charts = sum(len(part.charts) for part in shown)
        print(f"data: {KPIS} KPIs x 12 monthly readings ({len(gathered.kpis)} charted), "
              f"{len(gathered.value)} value items, "
              f"{TICKETS} tickets ({gathered.support.opened} in the period), "
              f"{METRICS} usage metrics x {weeks} weeks ({len(gathered.usage)} shown), "
              f"{days} daily health scores ({len(gathered.health.points)} in the period), "
              f"{args.book:,} other accounts in each store file")
        print(f"output: PPTX {len(built.pptx) / 1024:,.0f} KB, {slides} slides, {charts} charts; "
              f"PDF {len(built.pdf) / 1024:,.0f} KB, {pages} pages")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}, load average {os.getloadavg()[0]:.1f} at the end")
        if args.keep:
            (data_dir / "review.pptx").write_bytes(built.pptx)
            (data_dir / "review.pdf").write_bytes(built.pdf)
    finally:
        if args.keep:
            print(f"data and outputs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
