"""Moving the demo's rows from the moment they were loaded to the moment their story happened.

The demo is written through the domain actions, which (rightly) stamp every row with the
present: timeline entries, history records, documents, tasks, tools. A `Clock` notes the
wall-clock time before a step and, after it, moves every such timestamp written during the
step onto the story's dates, keeping the order in which the rows were written. Timestamps an
action was given explicitly (an entry logged for last week) lie before the step and are left
alone. Used by the demo only.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

# Timestamps given by the database or the model at write time, beyond auto_now(_add).
# History records copy a row's own created_at and updated_at, without auto_now.
_WRITE_TIME = {"history_date", "occurred_at", "moved_at", "opened_at", "completed_at",
               "created_at", "updated_at", "used_at", "signed_off_at", "revoked_at",
               "delivered_at", "held_at", "exported_at", "fired_at", "set_at"}


# The clock of the demo load under way, for `dated`.
_running: Clock | None = None


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`day` at `hour` o'clock, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# The table a write goes to, as Django's SQL names it on SQLite and PostgreSQL.
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


@functools.cache
def _stamped_fields() -> dict[str, tuple[type[models.Model], tuple[str, ...]]]:
    """Every project table with timestamps a write stamps: its model and those fields."""
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("cairn."):
            continue
        names = tuple(
            f.name for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField)
            and (f.auto_now or f.auto_now_add or f.default is timezone.now or f.name in _WRITE_TIME)
        )
        if names:
            found[model._meta.db_table] = (model, names)
    return found


class Clock:
    """Notes when a step starts; `stamp` or `spread` moves what the step wrote.

    Use it as `with Clock.running() as clock:` so that it sees which tables each step writes
    to and looks only there (a few tables of the hundred and more that carry timestamps)."""

    def __init__(self) -> None:
        self.started = timezone.now()
        # The story ends just before the load: a step told "today at 8" in the small hours
        # lands here instead of in the future.
        self.story_ends = self.started - dt.timedelta(minutes=1)
        self.written: set[str] = set()

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Clock]:
        global _running
        clock = cls()
        _running = clock
        try:
            with connection.execute_wrapper(clock._note):
                yield clock
        finally:
            _running = None

    def _note(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        written = _WRITE.match(sql)
        if written is not None:
            self.written.add(written.group(1))
        return execute(sql, params, many, context)

    def mark(self) -> None:
        """Leave what was written so far alone at the next stamp."""
        self.started = timezone.now()
        self.written = set()

    def stamp(self, when: dt.datetime) -> None:
        """Move everything written since the mark to `when`."""
        self.spread(when, when)

    def spread(self, first: dt.datetime, last: dt.datetime) -> None:
        """Move what was written since the mark onto first..last, in the order it was written:
        the first row written lands on `first`, the last on `last`."""
        self._move(self.started, first, last)
        self.mark()

    def _move(self, since: dt.datetime, first: dt.datetime, last: dt.datetime) -> None:
        ended = timezone.now()
        first, last = min(first, self.story_ends), min(last, self.story_ends)
        window = (ended - since).total_seconds() or 1.0
        scale = (last - first).total_seconds() / window
        stamped = _stamped_fields()
        tables = [stamped[t] for t in sorted(self.written) if t in stamped]
        for model, names in tables:
            for name in names:
                written = model._default_manager.filter(
                    **{f"{name}__gte": since, f"{name}__lte": ended}
                )
                if first == last:
                    written.update(**{name: first})
                    continue
                # One UPDATE per batch of rows (bulk_update's CASE), not one per row.
                moved = [
                    model(pk=pk, **{name: first + dt.timedelta(seconds=(at - since).total_seconds() * scale)})
                    for pk, at in written.values_list("pk", name)
                ]
                model._default_manager.bulk_update(moved, [name], batch_size=500)


@contextmanager
def dated(when: dt.datetime) -> Iterator[None]:
    """What the block writes happened at `when` (a step whose story names its own day, inside
    a longer one that is spread). Outside a demo load it changes nothing."""
    clock = _running
    since = timezone.now()
    yield
    if clock is not None:
        clock._move(since, when, when)
