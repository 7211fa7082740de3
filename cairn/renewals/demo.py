"""Demo content for renewals: the reasons a leader keeps, the four former customers' churns
recorded on the day their subscriptions ended, and the renewals coming up, worked as far as
their story has gone (Halvorsen's in negotiation a month out, Meridian's at risk, Sable
Ridge's committed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from cairn.customers.models import Account
from cairn.people.models import User
from cairn.renewals import actions
from cairn.renewals.models import ChurnReason, Renewal, Stage

REASONS = [
    ("Budget cut", "The customer stopped or cut spending on tools like ours."),
    ("Moved to a competitor", "They chose another product."),
    ("Poor adoption", "Too few people used it for it to pay off."),
    ("Champion left", "The sponsor or main user left and nobody took it over."),
    ("Product did not fit", "What they needed is not what the product does."),
    ("Acquired or closed", "The company was bought, merged or closed."),
]

# Former customers: why they left, in the leader's words and the CSM's.
CHURNS = {
    "fjord-bakeries": ("Budget cut", "priya", "Cut all software spend after losing their biggest contract."),
    "larkspur-logistics": ("Moved to a competitor", "tomas",
                           "Went with the TMS vendor's bundled analytics."),
    "northwind-clinics": ("Champion left", "priya",
                          "The COO who bought it left; the new one never logged in."),
    "pebble-creek": ("Poor adoption", "lena", "Five of thirty seats were used in the last quarter."),
}

# Open renewals as their owners have worked them: stage, target, forecast, note.
WORKED = {
    "halvorsen-maritime": (Stage.IN_PROGRESS, "262000", "252000",
                           "Asked for a 4 % discount against a two-year term; value report first."),
    "meridian-health": (Stage.IN_PROGRESS, "252000", "200000",
                        "Usage fell after the bed-management rollout stalled; the CNO wants a plan."),
    "sable-ridge": (Stage.COMMITTED, "334000", "334000", "Verbal yes from the COO; paperwork with legal."),
}


def load(accounts: dict[str, Account], users: dict[str, User], today: dt.date,
         stamp: Callable[[dt.date], None]) -> None:
    """`stamp(day)` dates what was written since the last stamp on that day."""
    reasons = {}
    for position, (name, description) in enumerate(REASONS):
        # Kept when the demo is wiped (renewals elsewhere may give them): reloading reuses them.
        reasons[name] = ChurnReason.objects.filter(name__iexact=name).first() or actions.save_reason(
            ChurnReason(name=name, description=description, position=position), by=users["demo"]
        )
    stamp(today - dt.timedelta(days=540))
    for key, (reason, owner, words) in CHURNS.items():
        account = accounts[key]
        subscriptions = list(account.subscriptions.order_by("pk"))
        day = subscriptions[0].end_date
        renewal = Renewal.objects.create(
            account=account, renewal_date=day, owner=users[owner], stage=Stage.IN_PROGRESS,
            arr=sum((s.arr for s in subscriptions), Decimal(0)),
        )
        renewal.subscriptions.add(*subscriptions)
        actions.record_outcome(renewal, actions.Outcome(
            Stage.CHURNED, reason=reasons[reason], reason_text=words, closed_on=day,
        ), by=users[owner])
        stamp(day)
    actions.open_renewals(today)
    stamp(today - dt.timedelta(days=60))
    for key, (stage, target, forecast, note) in WORKED.items():
        found = Renewal.objects.filter(account=accounts[key]).order_by("renewal_date").first()
        if found is None:
            continue
        actions.update_renewal(found, {
            "stage": stage, "target_amount": Decimal(target), "forecast_amount": Decimal(forecast),
            "notes": note,
        }, by=found.owner or users["demo"])
        stamp(today - dt.timedelta(days=3))
