"""The demo's product usage: events, tickets and NPS answers, then metrics and health.

Each demo account gets a usage profile that fits its story (a thriving fleet, a hospital
group whose usage is sliding, a new customer still onboarding), so the health page has
something true to explain. Everything goes through the same commands an operator uses
(`cairn ingest`, the metric loader, the scorer), written to a throw-away folder first.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from cairn.operations.demo_content import DEMO_ID_PREFIX

DAYS = 90
EVENT_TYPES = ["login", "dashboard_view", "report_run", "search", "record_create",
               "record_update", "comment", "share", "file_upload", "workflow_run"]


@dataclass(frozen=True)
class Profile:
    users: int
    daily_per_user: float  # events per active user per day at the start of the window
    trend: float  # multiplier reached by today (1.0 flat, 0.3 a slide, 1.6 growth)
    nps: tuple[int, ...]
    urgent_ticket: bool = False


PROFILES = {
    "halvorsen-maritime": Profile(60, 6.0, 1.2, (9, 10, 9, 8)),
    "brightwater-utilities": Profile(80, 5.0, 1.0, (8, 9, 7)),
    "brightwater-renewables": Profile(12, 2.0, 1.6, (8,)),
    "copperleaf-foods": Profile(30, 4.0, 1.3, (9, 8)),
    "kestrel-freight": Profile(10, 1.5, 1.0, (7,)),
    "meridian-health": Profile(50, 5.0, 0.3, (4, 6, 3), urgent_ticket=True),
    "orchard-lane": Profile(4, 1.0, 0.8, (6,)),
    "sable-ridge": Profile(25, 3.0, 1.1, (8, 9)),
}


def _events(key: str, profile: Profile, today: dt.date, rng: random.Random) -> list[str]:
    lines: list[str] = []
    start = today - dt.timedelta(days=DAYS)
    for offset in range(1, DAYS + 1):
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        level = profile.daily_per_user * (1 + (profile.trend - 1) * offset / DAYS)
        active = max(1, round(profile.users * min(1.0, 0.4 + 0.6 * level / 6)))
        for user in rng.sample(range(profile.users), active):
            for _ in range(max(1, round(rng.expovariate(1 / level)))):
                at = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
                    minutes=rng.randrange(600)
                )
                lines.append(json.dumps({
                    "account_external_id": DEMO_ID_PREFIX + key, "user_id": f"{key}-u{user}",
                    "event_type": rng.choice(EVENT_TYPES), "timestamp": at.isoformat(),
                }))
    return lines


def _feedback(key: str, profile: Profile, today: dt.date) -> tuple[list[str], list[str]]:
    account = DEMO_ID_PREFIX + key
    surveys = [
        json.dumps({"external_id": f"demo-nps-{key}-{n}", "account": account, "score": score,
                    "answered_at": f"{today - dt.timedelta(days=20 + 25 * n)}T09:00:00Z"})
        for n, score in enumerate(profile.nps)
    ]
    tickets = [json.dumps({
        "external_id": f"demo-ticket-{key}-1", "account": account, "subject": "Export is slow",
        "priority": "normal", "status": "solved",
        "opened_at": f"{today - dt.timedelta(days=40)}T10:00:00Z",
        "closed_at": f"{today - dt.timedelta(days=38)}T16:00:00Z",
    })]
    if profile.urgent_ticket:
        tickets.append(json.dumps({
            "external_id": f"demo-ticket-{key}-2", "account": account,
            "subject": "Ward dashboards show yesterday's data", "priority": "urgent",
            "status": "open", "opened_at": f"{today - dt.timedelta(days=3)}T08:00:00Z",
        }))
    return tickets, surveys


def load(today: dt.date | None = None) -> None:
    """Ingest the demo's usage and feedback, define the standard metrics, and score."""
    from cairn.health.actions import ensure_default_scorecard, recompute_scores
    from cairn.metrics.actions import load_standard
    from cairn.metrics.recompute import recompute

    today = today or timezone.now().astimezone(dt.UTC).date()
    rng = random.Random(7)  # noqa: S311  (a repeatable demo, not a secret)
    events: list[str] = []
    tickets: list[str] = []
    surveys: list[str] = []
    for key, profile in PROFILES.items():
        events += _events(key, profile, today, rng)
        more_tickets, more_surveys = _feedback(key, profile, today)
        tickets += more_tickets
        surveys += more_surveys
    quiet = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="cairn-demo-") as folder:
        for name, lines in (("events", events), ("tickets", tickets), ("surveys", surveys)):
            path = Path(folder) / f"{name}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            call_command("ingest", name, str(path), stdout=quiet, stderr=quiet)
    load_standard()
    ensure_default_scorecard()
    recompute(date=today, weeks=6)
    recompute_scores(timezone.localdate())
