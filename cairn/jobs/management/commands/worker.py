"""`cairn worker`: run queued background work (Django tasks in the database) and the
scheduled jobs (cairn.jobs) until stopped."""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from cairn.jobs import runner
from cairn.jobs.worker import Scheduler, step


class Command(DatabaseWorker):
    help = (
        "Run Cairn's background work (metric and health refreshes) from the database queue, and "
        "its scheduled jobs when they are due. `cairn serve` starts one by itself; run this when "
        "the web server runs with --no-worker. Several may run at once: each job runs once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            # One pass: the jobs due now, then the queue until it is empty.
            runner.sync()
            step()
            super().handle(*args, **options)
            return
        # With the reloader, the first process only watches the files; the child it starts
        # (marked by DJANGO_AUTORELOAD_ENV) does the work.
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        scheduler = Scheduler(options["interval"])
        scheduler.start()
        try:
            super().handle(*args, **options)
        finally:  # a stop signal ends the queue worker with SystemExit: the jobs stop too
            scheduler.stop()
