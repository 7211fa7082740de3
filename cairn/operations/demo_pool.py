"""The demo's self-serve pool: a few hundred small tech-touch customers of the platform.

A CS team rarely names a CSM for customers of a few thousand a year: they are a pool, served
one-to-many (in-product guides, e-mails, webinars) and looked at as a book. The demo's pool is
such a book, big enough for what a dozen named accounts cannot give: a churn forecast trained on
a year of weekly metric dates and a backtest of the health scorecard with figures worth reading.
Its accounts have no owner, so the health alerts they raise are recorded without filling a
CSM's work list (a pooled team works them from the health pages).

Everything is invented and repeatable: names come from word lists with a fixed seed, domains
end in `.example`, dates are offsets from today. Each customer has habits whose effect on
churn the demo chose (the forecast should find them, with these signs):

- running workflows lowers the chance to leave (`EFFECTS["workflows"]` < 0),
- syncing an integration lowers it too,
- reading many help articles raises it,
- a higher share of seats in use lowers it;

and a customer that leaves fades first: its logins fall away in the weeks before the churn
day while it reads more help. About a quarter leave over the last year, on days spread over
it: most cancel (the subscription is marked churned and ends that day), some let the term run
out without renewing (lapsed, in the churn definition's words). Others renew, some with more
seats, a few with fewer; a few fade now and will leave soon.

Pure data and arithmetic up to `create` and `events`, which `demo_usage` calls.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from cairn.operations.demo_content import DEMO_ID_PREFIX

if TYPE_CHECKING:
    from cairn.people.models import User

POOL_SIZE = 360
SEED = 16
KEY_PREFIX = "pool-"
SEGMENT = "tech_touch"
PRODUCT = "BOP"
TERM_DAYS = 365
# Churn days fall in the last year (after the first weekly date, so that every customer was
# scored at least once), or up to this many days ahead (customers fading now).
CHURN_FROM, CHURN_UNTIL = -350, 60
EARLIEST_CHURN = 30  # days after the first paying day
YOUNG_RISK = 1.3  # how much likelier a customer in its first year is to leave
# Annual log-odds of leaving: a base and the effect of each habit.
BASE_LOG_ODDS = -0.6
EFFECTS = {"workflows": -1.6, "integrations": -1.2, "help_reader": 1.4, "engagement": -3.0}
# Chance that a user among the seats in use works in the product on a weekday.
DAILY_CHANCE = 0.2
ADMIN_CHANCE = 0.6  # the account's admin (its first user)
WORKFLOW_CHANCE = 0.45  # per working session, at accounts that run workflows
HELP_CHANCE = {True: 0.3, False: 0.03}  # per session: help readers and the others
CORE_EVENTS = ("dashboard_view", "report_run", "search", "record_create", "record_update", "comment")

_FIRST = ("Amber", "Aspen", "Birch", "Bramble", "Cedar", "Cinder", "Clover", "Coral", "Dapple",
          "Drift", "Ember", "Fennel", "Fern", "Flint", "Garnet", "Granite", "Hazel", "Heather",
          "Indigo", "Ivy", "Juniper", "Kestle", "Lantern", "Larch", "Linden", "Maple", "Marigold",
          "Meadow", "Mistral", "Moss", "Nettle", "Olive", "Opal", "Pine", "Poppy", "Quartz",
          "Quill", "Rowan", "Saffron", "Sage", "Sorrel", "Spruce", "Thistle", "Tidal", "Umber",
          "Velvet", "Willow", "Yarrow", "Zephyr", "Wren", "Tansy", "Holly", "Basil", "Loch")
_SECOND = ("bay", "bridge", "brook", "cove", "crest", "dale", "field", "ford", "gate", "glen",
           "grove", "haven", "hill", "hollow", "lake", "marsh", "mill", "point", "reach", "row",
           "shore", "spring", "stone", "vale", "wharf", "wood", "yard", "well", "moor", "fell")
# Kind of business: its industry and how many staff it has per seat bought.
_TRADES: tuple[tuple[str, str], ...] = (
    ("Design Studio", "Creative services"), ("Dental", "Healthcare"), ("Bakery", "Food and drink"),
    ("Architects", "Professional services"), ("Accounting", "Professional services"),
    ("Couriers", "Logistics"), ("Florists", "Retail"), ("Physio", "Healthcare"),
    ("Coffee Roasters", "Food and drink"), ("Print Works", "Manufacturing"),
    ("Veterinary", "Healthcare"), ("Software", "Technology"), ("Marketing", "Creative services"),
    ("Legal", "Professional services"), ("Fitness", "Leisure"), ("Cycles", "Retail"),
    ("Brewing", "Food and drink"), ("Travel", "Leisure"), ("Tutoring", "Education"),
    ("Property", "Real estate"), ("Joinery", "Manufacturing"), ("Analytics", "Technology"),
)
_REGIONS = ("EMEA", "EMEA", "North America", "North America", "APAC", "Latin America")
_PEOPLE_FIRST = ("Alex", "Bea", "Cam", "Dani", "Eli", "Fran", "Gus", "Hana", "Ines", "Jo", "Kai",
                 "Lou", "Max", "Nell", "Oli", "Pia", "Quinn", "Remy", "Sol", "Tess", "Uma", "Vik",
                 "Wes", "Yara", "Zoe")
_PEOPLE_LAST = ("Abbott", "Bishop", "Carver", "Dunmore", "Ellery", "Fairley", "Garland", "Hollis",
                "Ingram", "Jessop", "Kendrick", "Lowry", "Marlow", "Norcott", "Oakley", "Pryce",
                "Quayle", "Ramsey", "Sutter", "Thorne", "Upton", "Varley", "Whitlock", "Yeats")
_TITLES = ("Founder", "Office manager", "Operations lead", "Managing partner", "Practice manager")


@dataclass(frozen=True)
class Habits:
    workflows: bool
    integrations: bool
    help_reader: bool
    engagement: float  # share of the seats in use when all is well

    def log_odds(self) -> float:
        """The annual log-odds of leaving, from the chosen effects."""
        return (BASE_LOG_ODDS + EFFECTS["workflows"] * self.workflows
                + EFFECTS["integrations"] * self.integrations
                + EFFECTS["help_reader"] * self.help_reader
                + EFFECTS["engagement"] * (self.engagement - 0.55))


@dataclass(frozen=True)
class Term:
    seats: int
    arr: int
    start: int  # offsets from today
    end: int
    status: str


@dataclass(frozen=True)
class Fade:
    """Usage falling from `start` to `end`, down to `floor` of its level (a dip when it
    recovers afterwards, the road to a churn when it does not)."""

    start: int
    end: int
    floor: float
    recovers: bool


@dataclass(frozen=True)
class PoolCustomer:
    key: str
    name: str
    industry: str
    region: str
    employees: int
    contact: tuple[str, str, str]  # first name, last name, title
    habits: Habits
    terms: tuple[Term, ...]
    # The day it leaves (an offset; after today for one fading now), None when it stays.
    churn: int | None
    lapsed: bool
    fades: tuple[Fade, ...]

    @property
    def external_id(self) -> str:
        return DEMO_ID_PREFIX + KEY_PREFIX + self.key

    @property
    def domain(self) -> str:
        return self.key + ".example"

    @property
    def start(self) -> int:
        return self.terms[0].start


def _names(rng: random.Random, taken: set[str]) -> list[tuple[str, str, str]]:
    """(key, name, industry) for every customer of the pool, all different."""
    found: list[tuple[str, str, str]] = []
    while len(found) < POOL_SIZE:
        first, second = rng.choice(_FIRST), rng.choice(_SECOND)
        trade, industry = rng.choice(_TRADES)
        name = f"{first}{second} {trade}"
        if name.lower() in taken:
            continue
        taken.add(name.lower())
        key = f"{first}{second}-{trade}".lower().replace(" ", "-")
        found.append((key, name, industry))
    return found


def _terms(rng: random.Random, start: int, seats: int, price: int, churn: int | None,
           lapsed: bool, healthy: bool) -> tuple[Term, ...]:
    """Yearly terms from the first paying day: renewed ones, then the one in force today,
    or the one a churn ended (on the churn day, or at its end for a lapse)."""
    terms: list[Term] = []
    begin = start
    while begin <= 0:
        end = begin + TERM_DAYS - 1
        if churn is not None and churn <= 0 and begin < churn <= end:
            if lapsed:
                terms.append(Term(seats, seats * price, begin, end, "expired"))
            else:
                terms.append(Term(seats, seats * price, begin, churn, "churned"))
            break
        if end >= 0:
            terms.append(Term(seats, seats * price, begin, end, "active"))
            break
        terms.append(Term(seats, seats * price, begin, end, "renewed"))
        begin = end + 1
        draw = rng.random()
        if healthy and draw < 0.3:
            seats = min(30, seats + rng.randint(1, 4))
        elif draw > 0.92:
            seats = max(3, seats - rng.randint(1, 3))
    return tuple(terms)


def _churn_day(rng: random.Random, habits: Habits, start: int) -> tuple[int | None, bool]:
    """The day the customer leaves (None: it stays) and whether it lets the term lapse."""
    earliest = max(start + EARLIEST_CHURN, CHURN_FROM)
    if earliest > CHURN_UNTIL:
        return None, False
    # Customers who never settle in leave in their first months: a young customer is as
    # likely to leave in its first year as an older one in the whole year, mostly early on.
    young = start + EARLIEST_CHURN > CHURN_FROM
    chance = (YOUNG_RISK if young else 1.0) / (1 + math.exp(-habits.log_odds()))
    if rng.random() >= chance:
        return None, False
    day = rng.randint(earliest, CHURN_UNTIL)
    if young and rng.random() < 0.6:
        day = min(CHURN_UNTIL, start + rng.randint(EARLIEST_CHURN, 180))
    if (day - start) % TERM_DAYS == 0:
        day += 1  # a cancellation falls inside a term, not on the day a renewal starts
    if day > -3 or rng.random() >= 0.3:
        return day, False
    # A lapse ends with a term: the end of the term nearest the drawn day, if it is in reach.
    ends = [start + k * TERM_DAYS - 1 for k in range(1, 6)]
    ends = [e for e in ends if earliest <= e <= -3]
    if not ends:
        return day, False
    return min(ends, key=lambda e: abs(e - day)), True


def plan() -> list[PoolCustomer]:
    """The pool, the same on every load."""
    from cairn.operations.demo_content import ACCOUNTS

    rng = random.Random(SEED)  # noqa: S311  (a repeatable demo, not a secret)
    pool = []
    for key, name, industry in _names(rng, {a.name.lower() for a in ACCOUNTS}):
        seats = 3 + int(27 * rng.random() ** 1.6)
        start = -rng.randint(20, 1100)
        habits = Habits(
            workflows=rng.random() < 0.4, integrations=rng.random() < 0.35,
            help_reader=rng.random() < 0.3, engagement=round(rng.uniform(0.3, 0.9), 3),
        )
        churn, lapsed = _churn_day(rng, habits, start)
        fades = []
        if churn is not None:
            fades.append(Fade(churn - rng.randint(35, 110), churn, rng.uniform(0.03, 0.2), False))
        if rng.random() < 0.15:
            # A bad month that passes: not every fall ends in a churn.
            middle = rng.randint(-450, -20)
            width = rng.randint(14, 28)
            fades.append(Fade(middle - width, middle + width, rng.uniform(0.4, 0.65), True))
        terms = _terms(rng, start, seats, rng.choice((240, 300, 360)), churn, lapsed,
                       healthy=churn is None)
        pool.append(PoolCustomer(
            key=key, name=name, industry=industry, region=rng.choice(_REGIONS),
            employees=seats * rng.randint(2, 6),
            contact=(rng.choice(_PEOPLE_FIRST), rng.choice(_PEOPLE_LAST), rng.choice(_TITLES)),
            habits=habits, terms=terms, churn=churn, lapsed=lapsed, fades=tuple(fades),
        ))
    return pool


# --- rows -----------------------------------------------------------------------------------


def create(pool: list[PoolCustomer], today: dt.date, by: User,
           dated: Callable[[int, int], None]) -> dict[str, int]:
    """Write the pool's accounts (no owner: the pool), one contact each and their terms, in
    the order they became customers; `dated(first, last)` dates what was written since its
    last call across those offsets. Answers the account ids by external id."""
    from cairn.customers.models import Account, Contact, Product, Subscription

    product = Product.objects.get(sku=PRODUCT)
    ids: dict[str, int] = {}
    ordered = sorted(pool, key=lambda c: c.start)
    # A month of sign-ups at a time, each dated across its month.
    for first in range(0, len(ordered), 30):
        batch = ordered[first:first + 30]
        for customer in batch:
            account = Account(
                name=customer.name, external_id=customer.external_id, industry=customer.industry,
                region=customer.region, employees=customer.employees,
                website=f"https://www.{customer.domain}", segment=SEGMENT, owner=None,
            )
            account._history_user = by  # type: ignore[attr-defined]
            account.save()
            given, family, title = customer.contact
            contact = Contact(
                account=account, first_name=given, last_name=family, title=title,
                email=f"{given}.{family}@{customer.domain}".lower(),
            )
            contact._history_user = by  # type: ignore[attr-defined]
            contact.save()
            Subscription.objects.bulk_create(
                Subscription(
                    account=account, product=product, quantity=t.seats, arr=Decimal(t.arr),
                    start_date=today + dt.timedelta(days=t.start),
                    end_date=today + dt.timedelta(days=t.end), status=t.status,
                )
                for t in customer.terms
            )
            ids[customer.external_id] = account.pk
        dated(batch[0].start, batch[-1].start)
    return ids


# --- usage ----------------------------------------------------------------------------------


def _weekday(ordinal: np.ndarray) -> np.ndarray:
    """Monday 0 ... Sunday 6 of date ordinals (as `date.weekday`)."""
    return (ordinal + 6) % 7


def _level(customer: PoolCustomer, offsets: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The share of the seats in use on each day: the account's engagement, ramping up in its
    first weeks, with weekly ups and downs, and its fades."""
    habits = customer.habits
    out = np.full(len(offsets), habits.engagement)
    age = offsets - customer.start
    out *= np.clip(0.4 + 0.6 * age / 45, 0.4, 1.0)
    # Weeks better and worse than usual, drifting rather than jumping.
    weeks = (offsets - offsets[0]) // 7
    drift = np.zeros(int(weeks[-1]) + 1)
    steps = rng.normal(0, 0.04, len(drift))
    for week in range(1, len(drift)):
        drift[week] = 0.85 * drift[week - 1] + steps[week]
    out *= np.exp(drift)[weeks]
    for fade in customer.fades:
        span = max(fade.end - fade.start, 1)
        into = np.clip((offsets - fade.start) / span, 0, 1)
        if fade.recovers:
            # Down to the floor halfway, back up by the end.
            inside = (offsets >= fade.start) & (offsets <= fade.end)
            out *= 1 - (1 - fade.floor) * (1 - np.abs(2 * into - 1)) * inside
        else:
            out *= 1 - (1 - fade.floor) * into
    return np.clip(out, 0, 1)


def _fading(customer: PoolCustomer, offsets: np.ndarray) -> np.ndarray:
    """0 to 1: how far into the fade before its churn each day is (0 without one)."""
    out = np.zeros(len(offsets))
    for fade in customer.fades:
        if not fade.recovers:
            out = np.clip((offsets - fade.start) / max(fade.end - fade.start, 1), 0, 1)
    return out


def _steady(wanted: np.ndarray) -> np.ndarray:
    """The seats in use each day, following `wanted` but changing only when it has moved
    most of a person away: people do not come and go with every small swing of a team's
    mood, and a three-seat account would otherwise flicker between one user and two."""
    out = np.zeros(len(wanted), dtype=np.int64)
    current = round(float(wanted[0])) if len(wanted) else 0
    for day, target in enumerate(wanted.tolist()):
        if abs(target - current) >= 0.8 or (target < 0.5 and current):
            current = round(target)
        out[day] = current
    return out


def events(customer: PoolCustomer, account_id: int, today: dt.date, first: int, index: int) -> list[str]:
    """The customer's product events from `first` (an offset) or its first day, until the day
    before it left or today, as event-file lines."""
    start = max(first, customer.start)
    last = min(0, (customer.churn - 1) if customer.churn is not None and customer.churn <= 0 else 0)
    if last < start:
        return []
    rng = np.random.default_rng([SEED, index])
    offsets = np.arange(start, last + 1)
    ordinals = today.toordinal() + offsets
    weekdays = _weekday(ordinals) < 5
    seats = np.zeros(len(offsets), dtype=np.int64)
    for term in customer.terms:
        seats[(offsets >= term.start) & (offsets <= term.end)] = term.seats
    in_use = _steady(seats * _level(customer, offsets, rng))
    widest = int(seats.max()) if len(seats) else 0
    fading = _fading(customer, offsets)
    chance = np.full((len(offsets), widest), DAILY_CHANCE)
    if widest:
        # The admin works in it most days, less and less once the customer is on its way out.
        chance[:, 0] = ADMIN_CHANCE * (1 - 0.7 * fading)
    works = rng.random((len(offsets), widest)) < chance
    works &= np.arange(widest)[None, :] < in_use[:, None]
    works &= weekdays[:, None]
    days, users = np.nonzero(works)
    habits = customer.habits
    help_chance = HELP_CHANCE[habits.help_reader] * (1 + 2 * fading[days])
    minutes = rng.integers(0, 600, len(days))
    more = rng.random(len(days)) < 0.5
    flows = rng.random(len(days)) < (WORKFLOW_CHANCE if habits.workflows else 0.0)
    helped = rng.random(len(days)) < help_chance
    kinds = rng.integers(0, len(CORE_EVENTS), len(days))
    external = customer.external_id
    lines: list[str] = []

    def line(kind: str, user: str, day: int, minute: int) -> None:
        when = dt.date.fromordinal(int(ordinals[day]))
        lines.append(
            f'{{"event_id":"demo-{account_id}-{len(lines)}","account_external_id":"{external}",'
            f'"user_id":"{user}","event_type":"{kind}",'
            f'"timestamp":"{when.isoformat()}T{7 + minute // 60:02d}:{minute % 60:02d}:00Z"}}'
        )

    for n in range(len(days)):
        day, minute, user = int(days[n]), int(minutes[n]), f"{customer.key}-u{users[n]}"
        line("login", user, day, minute)
        if more[n]:
            line(CORE_EVENTS[kinds[n]], user, day, min(minute + 5, 599))
        if flows[n]:
            line("workflow_run", user, day, min(minute + 20, 599))
        if helped[n]:
            line("help_article_view", user, day, min(minute + 25, 599))
    if habits.integrations:
        # The nightly sync on Mondays, Wednesdays and Fridays, until a leaving customer
        # disconnects it partway through its fade.
        until = last
        if customer.churn is not None:
            fade = next(f for f in customer.fades if not f.recovers)
            until = min(last, (fade.start + fade.end) // 2)
        synced = np.flatnonzero((offsets <= until) & np.isin(_weekday(ordinals), (0, 2, 4)))
        for day in synced.tolist():
            line("integration_sync", f"{customer.key}-u0", day, 0)
    return lines
