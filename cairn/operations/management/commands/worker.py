"""`cairn worker`: run queued background work (Django tasks in the database) until stopped."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = (
        "Run Cairn's background work (metric and health refreshes) from the database queue. "
        "`cairn serve` starts one by itself; run this when the web server runs with --no-worker."
    )
