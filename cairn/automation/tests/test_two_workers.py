"""Two worker processes evaluating the same rules at the same moment on PostgreSQL act on each
situation once: one task per detractor, however the two interleave. (Threads on every
database are in test_engine.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from django.db import connection

from cairn.automation.models import Firing
from cairn.automation.tests.conftest import TODAY, at, days_ago, make_rule
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNTS = 12

WORKER = textwrap.dedent("""
    import datetime as dt, os, sys, time
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    django.setup()
    from cairn.automation import engine

    time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    summary = engine.evaluate_all(dt.date.fromisoformat(sys.argv[2]))
    print(summary)
""")


def _url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two processes need PostgreSQL")
def test_two_worker_processes_fire_each_situation_once(alice, carol) -> None:
    from cairn.customers.models import Account
    from cairn.usage.models import SurveyResponse

    for n in range(ACCOUNTS):
        account = Account.objects.create(name=f"Account {n:02}", owner=carol)
        SurveyResponse.objects.create(external_id=f"s{n}", account=account, score=2, answered_at=at(days_ago(1)))
    for name in ("Detractors", "Detractors again"):
        make_rule(alice, {"kind": "detractor"}, cooldown=0, name=name)
    start = time.time() + 3  # both processes loaded and waiting
    env = {**os.environ, "CAIRN_DATABASE_URL": _url()}
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, str(start), TODAY.isoformat()], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    assert Firing.objects.count() == 2 * ACCOUNTS
    assert Task.objects.count() == 2 * ACCOUNTS
    assert Firing.objects.values("rule", "account", "event_key").distinct().count() == 2 * ACCOUNTS
