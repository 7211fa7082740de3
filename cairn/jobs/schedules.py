"""When a periodic job is due: every N minutes, or every day at a local time of day."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone


@dataclasses.dataclass(frozen=True)
class Every:
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 1:
            raise ValueError("A job runs at most once a minute.")

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        return moment + dt.timedelta(minutes=self.minutes)

    def describe(self) -> str:
        if self.minutes % 60 == 0:
            hours = self.minutes // 60
            return "Every hour" if hours == 1 else f"Every {hours:,} hours"
        return "Every minute" if self.minutes == 1 else f"Every {self.minutes:,} minutes"


@dataclasses.dataclass(frozen=True)
class DailyAt:
    """Every day at a wall-clock time in the site's time zone (CAIRN_TIME_ZONE). On the day
    the clocks skip that time it runs when they come out of the gap; on the day they repeat
    it, at its first occurrence only."""

    at: dt.time

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        zone = timezone.get_current_timezone()
        day = moment.astimezone(zone).date()
        while True:
            # fold=0 places a skipped time after the gap and a repeated one at its first pass.
            candidate = dt.datetime.combine(day, self.at, tzinfo=zone)
            if candidate > moment:
                return candidate.astimezone(dt.UTC)
            day += dt.timedelta(days=1)

    def describe(self) -> str:
        return f"Every day at {self.at:%H:%M} ({timezone.get_current_timezone_name()} time)"


Schedule = Every | DailyAt
