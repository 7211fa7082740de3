"""The daily digests of a team: how long `send_digests` takes to gather, render and send them.

    .venv/bin/python bench/digests.py [--users 200] [--tasks 20] [--accounts 10] [--notes 10]
        [--runs 3]

Seeds (not timed) `--users` people, each owning `--accounts` accounts and carrying a "my work"
load: `--tasks` open tasks (a third overdue, a third due today, a third later), two open
health alerts per account, two open renewals per account within 30 days, and two business
review programmes per account (one within 14 days), plus `--notes` notifications kept for
the digest. Then times `cairn.notifications.actions.send_digests` with Django's in-memory
mail backend: every person's digest gathered, rendered from the `digest` template and sent.
Between runs (not timed) the day's digests are forgotten and the notifications kept again.
Prints each run, the queries of one run, the data size and the machine.

SQLite in a temporary directory by default; PostgreSQL when CAIRN_DATABASE_URL (or
--database-url) names a database (created beforehand; what the bench seeds is deleted after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "bench-digest-"


def _seed(users: int, tasks: int, accounts: int, notes: int, today: dt.date) -> None:
    from cairn.customers.models import Account
    from cairn.health.models import AlertKind, HealthAlert
    from cairn.notifications.kinds import Delivery, Kind
    from cairn.notifications.models import EmailState, Notification
    from cairn.people.models import User
    from cairn.renewals.models import Renewal
    from cairn.reviews.models import Kind as ReviewKind
    from cairn.reviews.models import Program
    from cairn.timeline.models import Task

    people = User.objects.bulk_create([
        User(username=f"{PREFIX}{n}", email=f"csm{n}@bench.example", first_name="CSM", last_name=str(n))
        for n in range(users)
    ])
    owned = Account.objects.bulk_create([
        Account(name=f"Bench account {n}-{a}", owner=person, external_id=f"{PREFIX}{n}-{a}")
        for n, person in enumerate(people) for a in range(accounts)
    ])
    by_owner: dict[int, list[Account]] = {}
    for account in owned:
        by_owner.setdefault(account.owner_id, []).append(account)  # type: ignore[arg-type]
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    Task.objects.bulk_create([
        Task(title=f"Task {t} of {person.pk}", assignee=person, account=by_owner[person.pk][t % accounts],
             due_date=day((t % 3) - 1 - (t % 5)))
        for person in people for t in range(tasks)
    ], batch_size=2000)
    HealthAlert.objects.bulk_create([
        HealthAlert(account=account, kind=kind, scored_on=day(-3), score=35.0, raised_on=day(-3))
        for account in owned for kind in (AlertKind.TURNED_RED, AlertKind.DROPPED)
    ], batch_size=2000)
    Renewal.objects.bulk_create([
        Renewal(account=account, renewal_date=day(5 + 10 * r), owner_id=account.owner_id,
                arr=Decimal("48000"))
        for account in owned for r in range(2)
    ], batch_size=2000)
    Program.objects.bulk_create([
        Program(account=account, kind=kind, purpose="Bench", next_date=day(days))
        for account in owned for kind, days in ((ReviewKind.QBR, 7), (ReviewKind.EBR, 40))
    ], batch_size=2000)
    Notification.objects.bulk_create([
        Notification(recipient=person, kind=Kind.TASK_ASSIGNED, title=f"A task given to you ({k})",
                     link="/my-work/", delivery=Delivery.DIGEST, email_state=EmailState.PENDING)
        for person in people for k in range(notes)
    ], batch_size=2000)


def _reset() -> None:
    """Forget the day's digests and keep the notifications for the next one (not timed)."""
    from cairn.notifications.models import Digest, EmailState, Notification

    Notification.objects.filter(recipient__username__startswith=PREFIX).update(
        email_state=EmailState.PENDING, digest=None, emailed_at=None
    )
    Digest.objects.filter(user__username__startswith=PREFIX).delete()


def _remove() -> None:
    from cairn.customers.models import Account
    from cairn.people.models import User
    from cairn.timeline.models import Task

    Task.objects.filter(assignee__username__startswith=PREFIX).delete()
    Account.objects.filter(external_id__startswith=PREFIX).delete()
    User.objects.filter(username__startswith=PREFIX).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--notes", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("CAIRN_DATABASE_URL", ""),
                        help="PostgreSQL URL (default: SQLite in a temporary directory).")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-digests-"))
    try:
        os.environ["CAIRN_DATA_DIR"] = str(data_dir)
        if args.database_url:
            os.environ["CAIRN_DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("CAIRN_DATABASE_URL", None)
        os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
        os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.core import mail
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from cairn.notifications.actions import ensure_templates, send_digests
        from cairn.people.models import User

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        call_command("migrate", verbosity=0, interactive=False)
        ensure_templates()
        if User.objects.filter(username__startswith=PREFIX).exists():
            sys.exit("The database holds people of an earlier bench run: remove them, or use another one.")
        today = timezone.localdate()
        started = time.perf_counter()
        with transaction.atomic():
            _seed(args.users, args.tasks, args.accounts, args.notes, today)
        print(f"seeded {args.users:,} people in {time.perf_counter() - started:.1f} s (not timed below): "
              f"each {args.tasks} open tasks, {args.accounts} accounts with 2 open alerts, 2 renewals and "
              f"2 review programmes each, {args.notes} notifications kept for the digest")
        # A worker has its URLs loaded after its first job; the first reverse() imports every
        # app's views (seconds), which is start-up, not digests.
        reverse("home")
        try:
            times = []
            for run in range(args.runs):
                _reset()
                mail.outbox = []
                begun = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    summary = send_digests()
                took = time.perf_counter() - begun
                times.append(took)
                sent = len(mail.outbox)
                print(f"run {run + 1}: {took:.2f} s, {summary['digests']:,} digests "
                      f"({summary['notifications']:,} notifications), {sent:,} e-mails sent, "
                      f"{len(queries)} queries")
            sizes = [len(m.message().as_bytes()) for m in mail.outbox]
            print(f"send_digests: best {min(times):.2f} s, median {statistics.median(times):.2f} s for "
                  f"{args.users:,} people; an e-mail is {statistics.mean(sizes) / 1024:.1f} KiB "
                  "(text and HTML, as sent)")
        finally:
            with transaction.atomic():
                _remove()
        version = ".".join(str(part) for part in connection.get_database_version())
        print(f"database: {connection.display_name} {version}")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs (nproc), "
              f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
              f"load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
