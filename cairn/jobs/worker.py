"""The scheduled jobs beside the queue worker: a thread of `cairn worker` that runs the due
jobs, while the process's main thread runs django_tasks_db's worker unchanged.

The thread wakes every `interval` seconds (the worker's own poll interval), claims and runs
what is due (cairn.jobs.runner), and stops when the worker does: a job it is running is
finished first, as the queue worker finishes its task.
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, close_old_connections

from cairn.jobs import runner

logger = logging.getLogger(__name__)


class Scheduler(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="cairn-scheduled-jobs", daemon=False)
        self.interval = max(interval, 0.1)
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            runner.sync()
            while not self._stopping.is_set():
                # The thread's own connection: dropped if it died while the thread slept.
                close_old_connections()
                step()
                self._stopping.wait(self.interval)
        finally:
            close_old_connections()

    def stop(self) -> None:
        """Stop after the job under way, if any, and wait for it."""
        self._stopping.set()
        if self.is_alive():
            self.join()


def step() -> int:
    """Run the jobs due now; a job's failure is in its run, a database error only in the log.
    Returns how many ran."""
    try:
        return len(runner.run_due())
    except DatabaseError:
        logger.exception("Could not run the scheduled jobs; trying again at the next poll.")
        return 0
