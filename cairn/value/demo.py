"""Demo content for the value plan: Halvorsen Maritime's engagement, in value realization
for about eight weeks (and with an evaluation round open), gets its promised and expected
value tied to the adoption KPIs and the strategy chain, Ingrid's confirmation of the fuel
saving and Mats's dispute of the bunkering one, the changes spotted since (one response
overdue) and the value activities (the renewal's value report overdue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cairn.adoption import actions as adoption
from cairn.adoption.models import Kpi
from cairn.customers.models import Account, Contact
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.preparation.models import StrategyElement
from cairn.sharing import actions as sharing
from cairn.sharing.models import SharedLink
from cairn.value import actions, perception
from cairn.value.models import (
    ActivityStatus,
    ChangeKind,
    ChangeStatus,
    Commitment,
    Frequency,
    ValueActivity,
    ValueChange,
    ValueItem,
)

# The phases whose engagements hold a value plan in the demo.
VALUE_PHASES = ("value-realization", "engagement-evaluation")


def load(accounts: dict[str, Account], users: dict[str, User], today: dt.date,
         stamp: Callable[[dt.date], None]) -> None:
    """`stamp(day)` dates what was written since the last stamp on that day."""
    account = accounts.get("halvorsen-maritime")
    if account is None:
        return
    engagement = (
        Engagement.objects.filter(account=account, current_phase__key__in=VALUE_PHASES)
        .select_related("account").first()
    )
    if engagement is None:
        return
    _halvorsen(engagement, users, today, stamp)


def _day(today: dt.date, offset: int) -> dt.date:
    return today + dt.timedelta(days=offset)


def _contact(engagement: Engagement, first_name: str) -> Contact:
    return Contact.objects.get(account=engagement.account, first_name=first_name)


def _element(engagement: Engagement, title: str) -> StrategyElement | None:
    return StrategyElement.objects.filter(account=engagement.account, title=title).first()


def _kpi(engagement: Engagement, name: str) -> Kpi | None:
    return Kpi.objects.filter(engagement=engagement, name=name).first()


def _halvorsen(engagement: Engagement, users: dict[str, User], today: dt.date,
               stamp: Callable[[dt.date], None]) -> None:
    priya, lena = users["priya"], users["lena"]
    outcomes = {o.name: o for o in engagement.outcomes.all()}
    fuel = _kpi(engagement, "Fuel per nautical mile")
    reviews = _kpi(engagement, "Vessels holding the weekly fuel review")

    # Expected value needs a measure of its own: the bunker cost per voyage, read since the
    # value phase began. It lags its path, so it shows off track (and in Priya's "my work").
    bunker = adoption.save_item(Kpi(
        engagement=engagement, name="Bunker cost per North Sea voyage", unit="kEUR", direction="lower",
        baseline_value=Decimal("41.0"), baseline_date=_day(today, -56), target_value=Decimal("40.2"),
        target_date=_day(today, 120), description="Bunker invoices per voyage, from finance each month.",
    ), engagement, by=priya)
    for offset, value in ((-56, "41.0"), (-42, "41.1"), (-28, "41.2"), (-4, "41.3")):
        adoption.record_reading(bunker, on=_day(today, offset), value=Decimal(value), by=priya)
    stamp(_day(today, -52))

    specs: list[dict[str, Any]] = [
        {
            "commitment": Commitment.PROMISED, "statement": "Fuel per nautical mile down 8 % within a year",
            "description": "The contract's headline: from 212 to 195 kg per nautical mile across the "
                           "North Sea fleet.",
            "outcome": outcomes.get("Fuel per nautical mile"), "kpis": [fuel],
            "element": _element(engagement, "Fuel per nautical mile down 8 % this year"),
            "measured_by_contact": _contact(engagement, "Anders"),
            "data_source": "Noon reports and bunker delivery notes, read from the Beacon fuel dashboard.",
            "frequency": Frequency.MONTHLY,
        },
        {
            "commitment": Commitment.PROMISED, "statement": "A weekly fuel review on every North Sea vessel",
            "outcome": outcomes.get("Vessels with a weekly fuel review"), "kpis": [reviews],
            "element": _element(engagement, "Weekly fuel review on every vessel"),
            "measured_by_user": priya,
            "data_source": "Review minutes logged in Beacon by each master; Priya counts them every Monday.",
            "frequency": Frequency.WEEKLY,
        },
        {
            "commitment": Commitment.EXPECTED,
            "statement": "Bunkering planned from forecast consumption saves 2 % of bunker spend",
            "description": "Proposed with Beacon Forecasting, not in the contract.",
            "kpis": [bunker], "element": _element(engagement, "Plan bunkering from forecast consumption"),
            "measured_by_contact": _contact(engagement, "Kari"),
            "data_source": "Finance's bunker invoices per voyage, exported to Kari's data platform.",
            "frequency": Frequency.QUARTERLY,
        },
    ]
    items = []
    for spec in specs:
        kpis = [k for k in spec.pop("kpis") if k is not None]
        items.append(actions.save_item(ValueItem(engagement=engagement, **spec), by=priya, kpis=kpis))
    stamp(_day(today, -50))

    # Sent after the quarterly business review; Ingrid confirms the fuel saving, Mats
    # disputes the bunkering saving.
    answers = [
        (items[0], "Ingrid", True, "Ingrid Halvorsen", "We see it in the voyage accounts too."),
        (items[2], "Mats", False, "",
         "The lower bunker bills come from the slower steaming we agreed in spring, not from the plans yet."),
    ]
    links = []
    for item, first_name, confirm, typed, comment in answers:
        new = perception.send_statement(
            item, contact=_contact(engagement, first_name), by=priya, days=14,
            message="Following our business review: does this match what you see?",
        )
        links.append(sharing.respond(new.link, accept=confirm, typed_name=typed, comment=comment,
                                     ip_address="192.0.2.10", user_agent="Demo browser"))
    stamp(_day(today, -11))
    # The answers as the clock dated them: the link lasted its 14 days from when it was sent.
    for link in links:
        link.refresh_from_db()
        SharedLink.objects.filter(pk=link.pk).update(expires_at=link.created_at + dt.timedelta(days=14))
        ValueItem.objects.filter(statement_document_id=link.version.document_id).update(  # type: ignore[union-attr]
            perceived_at=link.used_at
        )

    changes = [
        (ChangeKind.REGULATION, "FuelEU Maritime applies from January: the fleet must report well-to-wake "
         "emissions per voyage.", -45, "Show Kari how the fuel dashboard exports the FuelEU figures.", lena,
         ChangeStatus.RESOLVED, -15),
        (ChangeKind.LOST_STAKEHOLDER, "Mats Eriksen moves to the Baltic fleet in January: the North Sea "
         "review loses its sponsor.", -20, "Anders takes over the Monday review; ask Ingrid to name him "
         "sponsor.", priya, ChangeStatus.RESPONDING, -3),
        (ChangeKind.COMPETITOR, "A bunker broker offers the masters a free fuel app.", -8, "", priya,
         ChangeStatus.OPEN, 21),
    ]
    for kind, description, spotted, plan, owner, status, due in changes:
        actions.save_change(ValueChange(
            engagement=engagement, kind=kind, description=description, spotted_on=_day(today, spotted),
            response_plan=plan, owner=owner, status=status, due_date=_day(today, due),
        ), by=priya)
        stamp(_day(today, spotted))

    activities = [
        ("Monthly value review with Anders", priya, -35, ActivityStatus.HAPPENED,
         "Fuel per nm at 200, on the path."),
        ("Celebrate the 100 % review milestone with the masters", lena, -14, ActivityStatus.SKIPPED,
         "Folded into the quarterly business review."),
        ("Quarterly business review with Ingrid and Mats", priya, -12, ActivityStatus.HAPPENED,
         "Value statements sent for confirmation afterwards."),
        ("Value report for the renewal", priya, -2, ActivityStatus.PLANNED, ""),
        ("Ask Ingrid for a reference call", priya, 14, ActivityStatus.PLANNED, ""),
    ]
    for title, owner, due, state, note in activities:
        actions.save_activity(ValueActivity(
            engagement=engagement, title=title, owner=owner, due_date=_day(today, due), status=state,
            note=note,
        ), by=priya)
    stamp(_day(today, -40))
