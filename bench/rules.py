"""Automation rules over a large book: how long evaluating 20 rules takes.

    .venv/bin/python bench/rules.py [--accounts 100000] [--database-url URL]

Seeds (not timed) a fresh SQLite database in a temporary directory, or the empty database of
--database-url, with `--accounts` accounts in five segments owned by 40 CSMs, one or two
subscriptions each (renewals spread over two years), five weekly health scores per account
in the analytics store (a random walk of a few points a week, so some lights turn and some
scores fall), a usage metric on the same dates, 2 % of accounts with a ticket in the last
month (a fifth urgent), 2 % with a survey answer (a third detractors), 10 % with an open
task (some overdue) and 2,000 active engagements in their phases.

Then 20 rules (every trigger kind, most with conditions on segment, ARR, health or owner; the
actions open tasks, flag accounts, write timeline entries and e-mail owners) are switched on,
and timed:
- the steady state: `evaluate_all` for today, as the worker runs it every few minutes, first
  with today's situations to act on (a day's firings, written in bulk), then again with
  nothing new (what most runs cost);
- the first evaluation after switching on with "act on the last 30 days", which judges a
  month at once;
- each rule's preview over 30 days, as the rule page computes it.
As yardsticks in the same run: reading the latest two score files into memory, and one query
over every account's latest health row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261207
TODAY = dt.date(2026, 12, 7)
SEGMENTS = ["strategic", "enterprise", "mid_market", "smb", "tech_touch"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="An empty PostgreSQL (or SQLite) database to use.")
    return parser.parse_args()


def setup_django(data_dir: Path, database_url: str) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    os.environ["CAIRN_EMAIL_HOST"] = ""
    if database_url:
        os.environ["CAIRN_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CAIRN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0, interactive=False)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def seed(n: int, rng: random.Random) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa

    from cairn.customers.models import Account, Product, Subscription
    from cairn.engagements.models import Engagement
    from cairn.health import history
    from cairn.health.models import AccountHealth
    from cairn.metrics.models import MetricDefinition, MetricFill
    from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file
    from cairn.people.models import User
    from cairn.playbooks.actions import default_version
    from cairn.timeline.models import Task
    from cairn.usage.models import SupportTicket, SurveyResponse

    leader = User.objects.create_user("lead", role="leader", first_name="Lee", last_name="Lead",
                                      email="lead@example.com")
    csms = User.objects.bulk_create([
        User(username=f"csm{i}", role="csm", first_name="CSM", last_name=str(i), email=f"csm{i}@example.com")
        for i in range(40)
    ])
    Account.objects.bulk_create([
        Account(name=f"Account {i:06}", segment=SEGMENTS[i % 5], owner=csms[i % 40],
                industry=rng.choice(["Retail", "Utilities", "Health", "Logistics"]),
                employees=rng.randint(10, 20000))
        for i in range(n)
    ], batch_size=5000)
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    product = Product.objects.create(name="Platform")
    Subscription.objects.bulk_create([
        Subscription(account_id=pk, product=product, arr=Decimal(rng.randrange(2_000, 200_000)),
                     start_date=TODAY - dt.timedelta(days=300),
                     end_date=TODAY + dt.timedelta(days=rng.randrange(-30, 700)))
        for pk in ids for _ in range(1 + (pk % 3 == 0))
    ], batch_size=5000)
    days = [TODAY - dt.timedelta(days=7 * k) for k in range(4, -1, -1)]
    account_ids = np.array(ids)
    scores = np.clip(np.random.default_rng(SEED).normal(65, 18, len(ids)), 0, 100)
    walk = np.random.default_rng(SEED + 1)
    metric = MetricDefinition.objects.create(slug="active-users", name="Active users", kind="count")
    now = at(TODAY)
    for day in days:
        scores = np.clip(scores + walk.normal(0, 4, len(ids)), 0, 100)
        lights = np.where(scores >= 70, "green", np.where(scores < 40, "red", "amber"))
        table = history.table_of(account_ids, [None] * len(ids), [None] * len(ids), scores, list(lights),
                                 ["{}"] * len(ids))
        history.record(day, table, None)
        usage = pa.table([account_ids, [day] * len(ids), scores * 3], schema=SERIES_SCHEMA)
        write_series_file(usage, series_path(metric.slug, day))
        MetricFill.objects.create(observed_on=day, definitions_fingerprint="b", inputs_fingerprint="b",
                                  engine="bench", accounts=len(ids), completed_at=now)
    AccountHealth.objects.bulk_create([
        AccountHealth(account_id=pk, scored_on=TODAY, score=float(s),
                      light="green" if s >= 70 else "red" if s < 40 else "amber")
        for pk, s in zip(ids, scores, strict=True)
    ], batch_size=5000)
    sample = rng.sample(ids, len(ids) // 50)
    SupportTicket.objects.bulk_create([
        SupportTicket(external_id=f"T{pk}", account_id=pk, subject="Help",
                      priority=rng.choice(["urgent", "high", "normal", "normal", "low"]),
                      opened_at=at(TODAY - dt.timedelta(days=rng.randrange(30))))
        for pk in sample
    ], batch_size=5000)
    SurveyResponse.objects.bulk_create([
        SurveyResponse(external_id=f"S{pk}", account_id=pk, score=rng.choice([2, 5, 8, 9, 10, 6]),
                       answered_at=at(TODAY - dt.timedelta(days=rng.randrange(30))))
        for pk in rng.sample(ids, len(ids) // 50)
    ], batch_size=5000)
    Task.objects.bulk_create([
        Task(title="Follow up", assignee=csms[pk % 40], account_id=pk,
             due_date=TODAY + dt.timedelta(days=rng.randrange(-40, 20)))
        for pk in rng.sample(ids, len(ids) // 10)
    ], batch_size=5000)
    version = default_version()
    phases = list(version.phases.order_by("position"))
    Engagement.objects.bulk_create([
        Engagement(account_id=pk, initiative="Rollout", owner=csms[pk % 40], playbook_version=version,
                   current_phase=phases[pk % len(phases)],
                   start_date=TODAY - dt.timedelta(days=rng.randrange(10, 120)))
        for pk in rng.sample(ids, min(2000, len(ids)))
    ], batch_size=2000)
    return {"leader": leader, "metric": metric, "csms": csms, "days": days}


def rules(seeded: dict[str, Any]) -> list[dict[str, Any]]:
    metric, csm = seeded["metric"].pk, seeded["csms"][0].pk
    task = {"kind": "task", "title": "Look at {{ account }}: {{ reason }}", "due_days": 2}
    key = [{"field": "segment", "op": "in", "values": ["strategic", "enterprise"]}]
    return [
        {"trigger": {"kind": "light_changed", "light": "red"}, "conditions": key,
         "actions": [task, {"kind": "flag", "flag": "At risk"}]},
        {"trigger": {"kind": "light_changed", "light": "amber"},
         "conditions": [{"field": "arr", "op": "gte", "number": 100000}], "actions": [task]},
        {"trigger": {"kind": "light_changed"},
         "conditions": [{"field": "segment", "op": "in", "values": ["smb"]}],
         "actions": [{"kind": "timeline", "title": "Health changed at {{ account }}"}]},
        {"trigger": {"kind": "score_fell", "points": 15, "days": 14}, "actions": [task]},
        {"trigger": {"kind": "score_fell", "points": 25, "days": 28}, "conditions": key,
         "actions": [task, {"kind": "email", "to": "owner", "template": "rule_email"}]},
        {"trigger": {"kind": "metric_crossed", "metric": metric, "direction": "below", "value": 90},
         "actions": [task]},
        {"trigger": {"kind": "metric_crossed", "metric": metric, "direction": "above", "value": 270},
         "conditions": [{"field": "light", "op": "in", "values": ["green"]}], "actions": [task]},
        {"trigger": {"kind": "renewal_near", "days": 90}, "actions": [task]},
        {"trigger": {"kind": "renewal_near", "days": 180}, "conditions": key, "actions": [task]},
        {"trigger": {"kind": "phase_stalled", "days": 45}, "actions": [task]},
        {"trigger": {"kind": "kpi_off_track"}, "actions": [task]},
        {"trigger": {"kind": "detractor"}, "actions": [task]},
        {"trigger": {"kind": "detractor"}, "conditions": [{"field": "score", "op": "lte", "number": 50}],
         "actions": [{"kind": "email", "to": "owner", "template": "rule_email"}]},
        {"trigger": {"kind": "urgent_ticket"}, "conditions": key, "actions": [task]},
        {"trigger": {"kind": "urgent_ticket"}, "actions": [{"kind": "timeline", "title": "Urgent ticket"}]},
        {"trigger": {"kind": "link_answered"}, "actions": [task]},
        {"trigger": {"kind": "link_expired"}, "actions": [task]},
        {"trigger": {"kind": "task_overdue", "days": 7}, "conditions": [
            {"field": "owner", "op": "not_in", "values": [str(csm)]}], "actions": [task]},
        {"trigger": {"kind": "schedule", "every": "week", "weekday": TODAY.weekday()},
         "conditions": [{"field": "segment", "op": "in", "values": ["tech_touch"]},
                        {"field": "light", "op": "in", "values": ["red"]}],
         "actions": [{"kind": "timeline", "title": "Weekly check"}]},
        {"trigger": {"kind": "schedule", "every": "month", "day_of_month": TODAY.day},
         "conditions": [{"field": "renewal_days", "op": "lte", "number": 30},
                        {"field": "light", "op": "not_in", "values": ["green"]}], "actions": [task]},
    ]


def timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-rules-"))
    try:
        setup_django(data_dir, args.database_url)
        from django.db import connection, transaction

        from cairn.automation import actions, engine
        from cairn.automation.models import Firing, Rule
        from cairn.automation.preview import preview
        from cairn.customers.models import Account
        from cairn.health import history
        from cairn.health.models import AccountHealth
        from cairn.notifications.actions import ensure_templates

        if Account.objects.exists():
            sys.exit("The database already holds accounts: use an empty one.")
        started = time.perf_counter()
        with transaction.atomic():
            seeded = seed(args.accounts, random.Random(SEED))
            ensure_templates()
        leader = seeded["leader"]
        made = []
        for number, data in enumerate(rules(seeded)):
            rule = actions.save_rule(Rule(name=f"Rule {number + 1:02}", owner=leader, cooldown_days=14),
                                     actions.parse(data), by=leader)
            made.append(rule)
        print(f"seeded {args.accounts:,} accounts in {time.perf_counter() - started:.1f} s (not timed below)")

        previews = []
        for rule in made:
            seconds, shown = timed(lambda rule=rule: preview(rule, TODAY))
            previews.append((seconds, rule, shown))
        for rule in made:  # switched on "from now": today's situations are the news
            actions.switch(rule, enabled=True, by=leader, catch_up=False, today=TODAY)
        today_s, today = timed(lambda: engine.evaluate_all(TODAY))
        again_s, again = timed(lambda: engine.evaluate_all(TODAY))
        Firing.objects.all().delete()
        Rule.objects.update(evaluated_through=TODAY - dt.timedelta(days=30))
        month_s, month = timed(lambda: engine.evaluate_all(TODAY))

        dates = history.dates(until=TODAY)[-2:]
        read_s, _ = timed(lambda: [history.scores_on(d) for d in dates])
        query_s, rows = timed(lambda: len(list(AccountHealth.objects.values_list("account_id", "light"))))

        print(f"{args.accounts:,} accounts, 20 rules, {connection.vendor}")
        print(f"{'evaluate_all, today (steady state)':52} {today_s:7.2f} s  fired {today['fired']:,}, "
              f"held back {today['held_back']:,}, failed {len(today['failed'])}")
        print(f"{'evaluate_all, again with nothing new':52} {again_s:7.2f} s  fired {again['fired']:,}")
        print(f"{'evaluate_all, first run acting on the last 30 days':52} {month_s:7.2f} s  "
              f"fired {month['fired']:,}, held back {month['held_back']:,}")
        slowest = max(previews, key=lambda p: p[0])
        print(f"{'preview over 30 days, each rule: total':52} {sum(p[0] for p in previews):7.2f} s  "
              f"slowest {slowest[0]:.2f} s ({slowest[1].get_trigger_display()}, "
              f"{slowest[2].fires:,} would fire)")
        print(f"{'yardstick: read the latest two score files':52} {read_s:7.2f} s")
        print(f"{'yardstick: one query over every latest health row':52} {query_s:7.2f} s  ({rows:,} rows)")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}, load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
