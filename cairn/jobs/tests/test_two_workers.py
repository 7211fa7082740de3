"""Two workers, one run: each due time of a job is run by one of them only.

On every database, two threads with their own connections race over the same due jobs. On
PostgreSQL (CAIRN_DATABASE_URL), two separate processes running the worker's job step do.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone

from cairn.jobs import registry, runner
from cairn.jobs.models import Job, JobRun

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = 12


def test_two_threads_claiming_the_same_due_jobs_claim_each_once(register) -> None:  # type: ignore[no-untyped-def]
    """The claim itself, raced by two threads. The test database is SQLite in memory, whose
    shared cache answers a concurrent write with "table is locked" at once: a claim that meets
    it fails and the job stays due, so the threads keep trying until every job is claimed.
    Running the jobs as well is the two-process test below, on PostgreSQL."""
    specs = {f"race_{i}": register(f"race_{i}", lambda: {}) for i in range(JOBS)}
    start = threading.Barrier(2)
    won: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and len(won) < JOBS:
                now = timezone.now()
                try:
                    due = runner.due(now)
                except OperationalError as exc:
                    if "locked" in str(exc):
                        continue
                    raise
                for job in due:
                    spec = registry.get(job.name)
                    if job.name in specs and spec is not None and runner.claim(job, spec, now):
                        won.append((job.name, threading.current_thread().name))
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(name for name, _ in won) == sorted(specs)


WORKER = textwrap.dedent("""
    import os, sys, time
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    django.setup()
    from cairn.jobs import registry, runner
    from cairn.jobs.registry import JobSpec
    from cairn.jobs.schedules import Every

    for name in registry.names():
        registry.unregister(name)
    for i in range(int(sys.argv[2])):
        registry.register(JobSpec(f"race_{i}", f"Race {i}", "", lambda: {"pid": os.getpid()}, Every(60)))
    time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    deadline = time.time() + 2
    while time.time() < deadline:
        runner.run_due()
""")


def _url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two processes need PostgreSQL")
def test_two_worker_processes_on_postgresql_run_each_due_job_once() -> None:
    due = timezone.now() - dt.timedelta(minutes=1)
    Job.objects.bulk_create([Job(name=f"race_{i}", next_run_at=due) for i in range(JOBS)])
    env = {**os.environ, "CAIRN_DATABASE_URL": _url()}
    start = time.time() + 4  # both started and set up before either claims
    processes = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(start), str(JOBS)], env=env)  # noqa: S603
        for _ in range(2)
    ]
    assert [process.wait(timeout=60) for process in processes] == [0, 0]
    runs = JobRun.objects.filter(job__name__startswith="race_")
    assert sorted(runs.values_list("job__name", flat=True)) == sorted(f"race_{i}" for i in range(JOBS))
    assert {run.summary["pid"] for run in runs} <= {p.pid for p in processes}
