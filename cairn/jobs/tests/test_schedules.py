"""When a job is next due: every N minutes from the moment it was claimed, or every day at a
local time, across the clock changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cairn.jobs.schedules import DailyAt, Every

UTC = dt.UTC


def test_every_n_minutes_is_due_n_minutes_after_the_claim() -> None:
    moment = dt.datetime(2026, 12, 7, 10, 59, 30, tzinfo=UTC)
    assert Every(15).next_after(moment) == dt.datetime(2026, 12, 7, 11, 14, 30, tzinfo=UTC)
    assert Every(1).describe() == "Every minute"
    assert Every(15).describe() == "Every 15 minutes"
    assert Every(60).describe() == "Every hour"
    assert Every(1440).describe() == "Every 24 hours"


def test_every_refuses_less_than_a_minute() -> None:
    with pytest.raises(ValueError, match="once a minute"):
        Every(0)


def test_daily_is_due_today_before_its_time_and_tomorrow_after_it() -> None:
    daily = DailyAt(dt.time(2, 0))
    with timezone.override("Europe/Berlin"):
        # 00:30 UTC is 01:30 in Berlin in winter: 02:00 Berlin (01:00 UTC) is still to come.
        assert daily.next_after(dt.datetime(2026, 12, 7, 0, 30, tzinfo=UTC)) == dt.datetime(
            2026, 12, 7, 1, 0, tzinfo=UTC
        )
        # Exactly at its time it has just run: the next is tomorrow's.
        assert daily.next_after(dt.datetime(2026, 12, 7, 1, 0, tzinfo=UTC)) == dt.datetime(
            2026, 12, 8, 1, 0, tzinfo=UTC
        )
        assert daily.describe() == "Every day at 02:00 (Europe/Berlin time)"


def test_daily_at_two_keeps_local_time_across_the_clock_changes() -> None:
    daily = DailyAt(dt.time(2, 0))
    with timezone.override("Europe/Berlin"):
        # Spring: on 29 March 2026 the clocks jump from 02:00 to 03:00. The run comes out of
        # the gap at 03:00 summer time (01:00 UTC), then 02:00 summer time (00:00 UTC).
        before = dt.datetime(2026, 3, 28, 1, 0, tzinfo=UTC)  # 28 March 02:00 winter time
        skipped = daily.next_after(before)
        assert skipped == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
        assert daily.next_after(skipped) == dt.datetime(2026, 3, 30, 0, 0, tzinfo=UTC)
        # Autumn: on 25 October 2026 02:00 to 03:00 happens twice; the job runs once, at the
        # first 02:00 (00:00 UTC), and the next day at 02:00 winter time (01:00 UTC).
        first = daily.next_after(dt.datetime(2026, 10, 24, 0, 0, tzinfo=UTC))
        assert first == dt.datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
        assert daily.next_after(first) == dt.datetime(2026, 10, 26, 1, 0, tzinfo=UTC)
        # The repeated hour itself does not bring it round again.
        assert daily.next_after(dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == dt.datetime(
            2026, 10, 26, 1, 0, tzinfo=UTC
        )


def test_daily_follows_the_site_time_zone() -> None:
    daily = DailyAt(dt.time(2, 0))
    with timezone.override("America/New_York"):
        assert daily.next_after(dt.datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == dt.datetime(
            2026, 12, 8, 7, 0, tzinfo=UTC
        )
