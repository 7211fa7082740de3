"""The demo's product usage, feedback and health: a year of history that tells a story.

Each named demo account gets a usage curve that fits its story (a fleet that keeps growing
into its seats, a utility whose control rooms come on board, a hospital group that rose and
then slid, former customers who faded and left), answers to NPS surveys and tickets over the
months, and CSM ratings given along the way. Beside them, the self-serve pool (`demo_pool`):
a few hundred small customers whose habits drive who stays and who leaves. Everything goes
through the same commands an operator uses (`cairn ingest`, the metric loader), then every
weekly scoring date of the last year is scored in order, as a weekly recompute would have:
accounts rise and fall, alerts are raised on the day a score fell and make their owners'
tasks. Last, as the leader did this morning: a backtest of the scorecard against the churn
that followed and a churn forecast trained on the metric series give the trust page and the
forecast's model card their figures.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.core.management import call_command

from cairn.operations import demo_pool
from cairn.operations.demo_clock import Clock, at
from cairn.operations.demo_content import ACCOUNTS, DEMO_ID_PREFIX, DEMO_USERNAME

# A year of weekly dates: the forecast learns from the dates whose churn window has passed
# and tests on later ones, which a half year with a 90-day window would leave too few of.
WEEKS = 52
# The forecast's window, as the leader chose it: churn within a quarter of each date.
FORECAST_LEAD_DAYS = 90
# Events start this many days before the first scoring date: the longest metric window.
LOOKBACK = 90
EVENT_TYPES = ["dashboard_view", "report_run", "search", "record_create", "record_update",
               "comment", "share", "file_upload", "workflow_run"]
# Chance that a user of the account's active pool works in the product on a given weekday.
DAILY_CHANCE = 0.15


@dataclass(frozen=True)
class Profile:
    # (day offset, share of the seats in use): the curve is drawn straight between points.
    curve: tuple[tuple[int, float], ...]
    # (days ago, score) of each NPS answer
    nps: tuple[tuple[int, int], ...] = ()
    # (days ago, indicator, rating, comment) of each CSM rating
    ratings: tuple[tuple[int, str, str, str], ...] = ()
    # (days ago opened, days ago closed or None, priority, subject)
    tickets: tuple[tuple[int, int | None, str, str], ...] = field(default=())


PROFILES = {
    "halvorsen-maritime": Profile(
        ((-300, 0.55), (-180, 0.7), (-60, 0.85), (0, 0.9)),
        nps=((160, 8), (110, 9), (70, 9), (40, 10), (15, 9)),
        ratings=((150, "sponsorship", "green", "Ingrid reports the fuel savings to the board."),
                 (45, "sentiment", "5", "The QBR was the warmest yet; Baltic fleet next.")),
        tickets=((40, 38, "normal", "Export is slow"),),
    ),
    "brightwater-utilities": Profile(
        ((-300, 0.35), (-150, 0.4), (-60, 0.6), (0, 0.8)),
        nps=((200, 9), (150, 6), (90, 7), (40, 8), (12, 9)),
        ratings=((120, "sponsorship", "yellow", "Dana is busy with the SCADA upgrade."),
                 (30, "sponsorship", "green", "Dana opened the steering group herself.")),
        tickets=((100, 90, "high", "Alarm feed drops at shift change"),),
    ),
    "brightwater-renewables": Profile(((-20, 0.1), (0, 0.5)), nps=((5, 9),)),
    "copperleaf-foods": Profile(
        ((-75, 0.05), (-30, 0.35), (0, 0.7)), nps=((50, 8), (10, 9)),
        tickets=((30, 29, "normal", "Shift names imported twice"),),
    ),
    "kestrel-freight": Profile(((-30, 0.15), (0, 0.5)), nps=((8, 7),)),
    "meridian-health": Profile(
        ((-160, 0.25), (-110, 0.6), (-70, 0.65), (-35, 0.35), (0, 0.12)),
        nps=((120, 9), (90, 8), (50, 6), (25, 4), (8, 3)),
        ratings=((100, "sponsorship", "green", "Patricia sponsors the bed board in person."),
                 (28, "sponsorship", "yellow", "Patricia moved to the winter plan; Derek leads."),
                 (20, "sentiment", "2", "Ward nurses call the board extra work.")),
        tickets=((40, 38, "normal", "Export is slow"),
                 (20, None, "high", "Bed states lag behind the patient system"),
                 (3, None, "urgent", "Ward dashboards show yesterday's data")),
    ),
    "orchard-lane": Profile(((-10, 0.5), (0, 0.8)), nps=((4, 9),)),
    # Forecasting alone until the platform came, 120 days ago; the proposal now stalls.
    "sable-ridge": Profile(
        ((-300, 0.6), (-121, 0.55), (-120, 0.3), (-60, 0.55), (-25, 0.5), (0, 0.25)),
        nps=((80, 8), (30, 7), (6, 5)),
        ratings=((14, "sentiment", "3", "The signed proposal keeps slipping."),),
        tickets=((12, None, "high", "Work orders arrive a day late"),),
    ),
    "fjord-bakeries": Profile(
        ((-520, 0.6), (-260, 0.35), (-150, 0.05)), nps=((230, 5), (180, 2)),
        ratings=((200, "sentiment", "red", "Eirik says the team went back to spreadsheets."),),
    ),
    "larkspur-logistics": Profile(
        ((-460, 0.5), (-260, 0.3), (-104, 0.05)), nps=((200, 6), (140, 3)),
        ratings=((200, "sponsorship", "red", "Our sponsor Megan left for a competitor."),),
    ),
    "northwind-clinics": Profile(
        ((-430, 0.55), (-160, 0.5), (-62, 0.05)), nps=((150, 7), (90, 4)),
        ratings=((140, "sentiment", "2", "Budget cuts: they are reviewing every tool."),),
    ),
    "pebble-creek": Profile(
        ((-400, 0.5), (-125, 0.45), (-33, 0.05)), nps=((100, 6), (60, 4)),
        ratings=((110, "sponsorship", "red", "Sara's team was merged into marketing."),),
    ),
}


def _level(curve: tuple[tuple[int, float], ...], offset: int) -> float:
    """The share of seats in use on the day `offset`, drawn straight between the points."""
    if offset <= curve[0][0]:
        return curve[0][1]
    for (a, u), (b, v) in itertools.pairwise(curve):
        if offset <= b:
            return u + (v - u) * (offset - a) / (b - a)
    return curve[-1][1]


def _seats(key: str) -> list[tuple[int, int, int]]:
    spec = next(a for a in ACCOUNTS if a.key == key)
    return [(start, end, quantity) for _, quantity, _, start, end, _ in spec.subscriptions]


def _events(key: str, account_id: int, profile: Profile, today: dt.date, rng: random.Random) -> list[str]:
    """Usage from the start of its curve (or the lookback) until it ends (or today).

    Each event's id names the account's row: after `cairn demo --reset` the accounts are new
    rows, and the same events must count as new usage instead of duplicates of the old."""
    subscriptions = _seats(key)
    first = max(profile.curve[0][0], -(WEEKS * 7 + LOOKBACK))
    last = min(0, max(end for _, end, _ in subscriptions))
    lines: list[str] = []
    for offset in range(first, last + 1):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        seats = sum(q for start, end, q in subscriptions if start <= offset < end)
        pool = round(seats * _level(profile.curve, offset))
        midnight = dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
        for user in range(pool):
            if rng.random() >= DAILY_CHANCE:
                continue
            login = midnight + dt.timedelta(minutes=rng.randrange(600))
            kinds = ["login"] + [rng.choice(EVENT_TYPES) for _ in range(rng.randrange(3))]
            for n, kind in enumerate(kinds):
                lines.append(json.dumps({
                    "event_id": f"demo-{account_id}-{len(lines)}",
                    "account_external_id": DEMO_ID_PREFIX + key, "user_id": f"{key}-u{user}",
                    "event_type": kind, "timestamp": (login + dt.timedelta(minutes=5 * n)).isoformat(),
                }))
    return lines


def _feedback(key: str, profile: Profile, today: dt.date) -> tuple[list[str], list[str]]:
    account = DEMO_ID_PREFIX + key
    surveys = [
        json.dumps({"external_id": f"demo-nps-{key}-{n}", "account": account, "score": score,
                    "answered_at": f"{today - dt.timedelta(days=ago)}T09:00:00Z"})
        for n, (ago, score) in enumerate(profile.nps)
    ]
    tickets = []
    for n, (opened, closed, priority, subject) in enumerate(profile.tickets):
        ticket = {
            "external_id": f"demo-ticket-{key}-{n}", "account": account, "subject": subject,
            "priority": priority, "status": "open" if closed is None else "solved",
            "opened_at": f"{today - dt.timedelta(days=opened)}T08:00:00Z",
        }
        if closed is not None:
            ticket["closed_at"] = f"{today - dt.timedelta(days=closed)}T16:00:00Z"
        tickets.append(json.dumps(ticket))
    return tickets, surveys


def _ratings(today: dt.date, clock: Clock) -> None:
    """The CSMs' ratings, each on the day it was given, with its note on the timeline."""
    from cairn.customers.models import Account
    from cairn.health.models import ManualRating
    from cairn.timeline.actions import log_entry
    from cairn.timeline.models import EntryKind

    accounts = {
        a.external_id: a for a in Account.objects.filter(external_id__startswith=DEMO_ID_PREFIX)
        .select_related("owner")
    }
    for key, profile in PROFILES.items():
        account = accounts[DEMO_ID_PREFIX + key]
        for ago, indicator, rating, comment in profile.ratings:
            when = at(today - dt.timedelta(days=ago), 15)
            clock.mark()
            row = ManualRating.objects.create(
                account=account, indicator=indicator, rating=rating, comment=comment,
                rated_on=when.date(), expires_on=when.date() + dt.timedelta(days=180),
                rated_by=account.owner,
            )
            assert account.owner is not None
            log_entry(
                account, EntryKind.NOTE,
                f"Health rating: {row.get_indicator_display()} rated {row.get_rating_display()}",
                body=comment, author=account.owner, occurred_at=when,
            )
            clock.stamp(when)


def _customers(today: dt.date) -> tuple[np.ndarray, Callable[[dt.date], list[int]]]:
    """The demo's account ids (sorted), and who among them was a customer on a day, as the
    churn definition says (cairn.customers.churn), trials in force included: the accounts a
    weekly recompute of that day scored."""
    from cairn.customers.churn import ChurnBook
    from cairn.customers.models import Account, Subscription, SubscriptionStatus

    ids = np.array(
        sorted(Account.objects.filter(external_id__startswith=DEMO_ID_PREFIX).values_list("pk", flat=True)),
        dtype=np.int64,
    )
    book = ChurnBook(ids, as_of=today)
    trials = list(
        Subscription.objects.filter(account_id__in=ids.tolist(), status=SubscriptionStatus.TRIAL)
        .values_list("account_id", "start_date", "end_date")
    )

    def on(day: dt.date) -> list[int]:
        paying = ids[book.customers_on(day.toordinal())].tolist()
        trying = {pk for pk, start, end in trials if start <= day < end}
        return sorted(set(paying) | trying)

    return ids, on


def _score_history(today: dt.date, clock: Clock) -> None:
    """Score each weekly date in order, as the weekly recompute would have on that day, the
    demo accounts that were customers then; alerts are raised on the day of the fall. Other
    accounts (the demo loaded beside real data) are left alone."""
    from cairn.health.backfill import series_values
    from cairn.health.cards import load_cards
    from cairn.health.recompute import compute, write
    from cairn.metrics.recompute import grid

    cards = load_cards()
    _, customers_on = _customers(today)
    for day in grid(today, WEEKS):
        live = customers_on(day)
        ids = np.array(live, dtype=np.int64)
        clock.mark()
        groups = compute(day, live, cards, series_values(cards, day, ids))
        write(day, groups, live)
        clock.stamp(at(day, 7))


def _close_old_alerts(today: dt.date) -> None:
    """Each alert that has since ended (or whose customer left) was worked: its task, when
    its account has an owner to give one, is done on the day it ended."""
    from cairn.customers.churn import ChurnBook
    from cairn.health.models import HealthAlert
    from cairn.timeline.models import Task, TaskStatus

    ids, _ = _customers(today)
    left: dict[int, list[dt.date]] = {}
    for event in ChurnBook(ids, as_of=today).events():
        left.setdefault(event.account_id, []).append(event.day)
    for alert in HealthAlert.objects.filter(account__external_id__startswith=DEMO_ID_PREFIX):
        ended = alert.resolved_on or next(
            (day for day in left.get(alert.account_id, []) if day >= alert.raised_on), None
        )
        if ended is None:
            continue
        if alert.resolved_on is None:
            HealthAlert.objects.filter(pk=alert.pk).update(resolved_on=ended)
        if alert.task_id is not None:
            Task.objects.filter(pk=alert.task_id).update(
                status=TaskStatus.DONE, completed_at=at(ended, 16)
            )


def _backtest(today: dt.date, clock: Clock) -> None:
    """The leader's backtest of the standard scorecard, run this morning: out of time, new
    accounts left out (the trust page's defaults)."""
    from cairn.health.models import Scorecard
    from cairn.health.trust.actions import run_report
    from cairn.health.trust.forms import DEFAULT_LEAD_DAYS
    from cairn.people.models import User

    clock.mark()
    run_report(
        Scorecard.objects.get(is_default=True), lead_days=DEFAULT_LEAD_DAYS, as_of=today,
        by=User.objects.get(username=DEMO_USERNAME),
    )
    clock.stamp(at(today, 8))


def _forecast(today: dt.date, clock: Clock) -> None:
    """The leader trained the churn forecast this morning, after the backtest; it scored the
    book."""
    from cairn.forecast.actions import train_model
    from cairn.forecast.models import ForecastModel
    from cairn.people.models import User

    clock.mark()
    model = train_model(
        lead_days=FORECAST_LEAD_DAYS, as_of=today, by=User.objects.get(username=DEMO_USERNAME)
    )
    # The action stamps its own training time; the story's is this morning.
    ForecastModel.objects.filter(pk=model.pk).update(trained_at=at(today, 8) + dt.timedelta(minutes=20))
    clock.stamp(at(today, 8))


def _pool(today: dt.date, clock: Clock) -> tuple[list[demo_pool.PoolCustomer], dict[str, int]]:
    """The self-serve pool's accounts, dated when each became a customer (CS Operations
    imports them from billing), and their renewals, opened as the nightly job does."""
    from cairn.people.models import User
    from cairn.renewals.actions import open_renewals

    pool = demo_pool.plan()
    clock.mark()

    def dated(first: int, last: int) -> None:
        clock.spread(at(today + dt.timedelta(days=first), 9), at(today + dt.timedelta(days=last), 9))

    ids = demo_pool.create(pool, today, User.objects.get(username="ops"), dated)
    open_renewals(today)
    clock.stamp(at(today - dt.timedelta(days=60), 10))
    return pool, ids


def load(today: dt.date, clock: Clock) -> None:
    """Add the self-serve pool, ingest the demo's usage and feedback, define the standard
    metrics, score a year of weekly dates, backtest the scorecard and train the forecast."""
    from cairn.customers.models import Account
    from cairn.health.actions import ensure_default_scorecard
    from cairn.metrics.actions import load_standard
    from cairn.metrics.recompute import recompute

    pool, pool_ids = _pool(today, clock)
    rng = random.Random(7)  # noqa: S311  (a repeatable demo, not a secret)
    events: list[str] = []
    tickets: list[str] = []
    surveys: list[str] = []
    ids = dict(
        Account.objects.filter(external_id__startswith=DEMO_ID_PREFIX).values_list("external_id", "pk")
    )
    for key, profile in PROFILES.items():
        events += _events(key, ids[DEMO_ID_PREFIX + key], profile, today, rng)
        more_tickets, more_surveys = _feedback(key, profile, today)
        tickets += more_tickets
        surveys += more_surveys
    for index, customer in enumerate(pool):
        events += demo_pool.events(
            customer, pool_ids[customer.external_id], today, -(WEEKS * 7 + LOOKBACK), index
        )
    quiet = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="cairn-demo-") as folder:
        for name, lines in (("events", events), ("tickets", tickets), ("surveys", surveys)):
            path = Path(folder) / f"{name}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            call_command("ingest", name, str(path), stdout=quiet, stderr=quiet)
    del events
    # The metrics and the scorecard were set up before the history starts.
    clock.mark()
    load_standard()
    ensure_default_scorecard()
    clock.stamp(at(today - dt.timedelta(days=WEEKS * 7 + 14), 9))
    _ratings(today, clock)
    recompute(date=today, weeks=WEEKS)
    _score_history(today, clock)
    _close_old_alerts(today)
    _backtest(today, clock)
    _forecast(today, clock)
