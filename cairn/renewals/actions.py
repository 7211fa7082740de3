"""Domain actions of renewals: open them from the subscriptions coming up, work them, and
record their outcome, which moves the subscriptions they cover on. Each owns its transaction
and writes the account's timeline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Subscription, SubscriptionStatus
from cairn.people.models import User
from cairn.renewals.models import LOSSES, OPEN_STAGES, OUTCOMES, ChurnReason, Renewal, Stage
from cairn.timeline import actions as timeline
from cairn.timeline.models import EntryKind

# Renewals are opened this far ahead of their date, and for subscriptions that ended this
# long ago but are still active (an overdue renewal nobody recorded).
HORIZON_DAYS = 365
OVERDUE_DAYS = 365
CENT = Decimal("0.01")

CHANGE_REFUSAL = "You may not change this renewal: you neither own its account nor work on it."
REASONS_REFUSAL = "Only CS leaders keep the list of churn reasons."

EDITABLE = frozenset(
    {"owner", "stage", "target_amount", "forecast_amount", "flagged_at_risk", "notes"}
)


@transaction.atomic
def open_renewals(today: dt.date | None = None) -> int:
    """Open a renewal for each account's active subscriptions that end on one day within
    the horizon and that no renewal covers yet; add such subscriptions to an open renewal of
    that day if there is one. Answers how many renewals were opened. Running it again
    changes nothing."""
    today = today or timezone.localdate()
    due = (
        Subscription.objects.filter(
            status=SubscriptionStatus.ACTIVE,
            end_date__gte=today - dt.timedelta(days=OVERDUE_DAYS),
            end_date__lte=today + dt.timedelta(days=HORIZON_DAYS),
            renewals__isnull=True,
        )
        .select_related("account")
        .order_by("account_id", "end_date", "pk")
    )
    groups: dict[tuple[int, dt.date], list[Subscription]] = defaultdict(list)
    for subscription in due:
        groups[(subscription.account_id, subscription.end_date)].append(subscription)
    if not groups:
        return 0
    existing = {
        (r.account_id, r.renewal_date): r
        for r in Renewal.objects.filter(
            account_id__in={account for account, _ in groups},
            renewal_date__in={day for _, day in groups},
        )
    }
    opened = 0
    for (account_id, day), subscriptions in groups.items():
        renewal = existing.get((account_id, day))
        if renewal is not None and not renewal.is_open:
            continue  # its outcome is recorded: a subscription added since is not part of it
        if renewal is None:
            account = subscriptions[0].account
            renewal = Renewal.objects.create(
                account=account, renewal_date=day, owner_id=account.owner_id,
                arr=sum((s.arr for s in subscriptions), Decimal(0)),
            )
            opened += 1
        else:
            renewal.arr += sum((s.arr for s in subscriptions), Decimal(0))
            renewal.save(update_fields=["arr", "updated_at"])
        renewal.subscriptions.add(*subscriptions)
    return opened


@transaction.atomic
def update_renewal(renewal: Renewal, changes: dict[str, Any], *, by: User) -> Renewal:
    """Change who works it, its open stage, target, forecast and notes. An outcome is
    recorded with record_outcome, which moves the subscriptions on."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    # As it is now, not as the caller read it: an outcome may have been recorded since.
    renewal.refresh_from_db(fields=["stage"])
    if not renewal.is_open:
        raise ValidationError("Its outcome is recorded: the renewal cannot change any more.")
    stage = changes.get("stage")
    if stage is not None and stage not in OPEN_STAGES:
        raise ValidationError({"stage": "Record the outcome to close a renewal."})
    before = renewal.get_stage_display()
    for name, value in changes.items():
        setattr(renewal, name, value)
    renewal.full_clean()
    renewal.save()
    if stage is not None and renewal.get_stage_display() != before:
        timeline.record(
            renewal.account, EntryKind.RENEWAL,
            f"Renewal of {renewal.renewal_date:%d %b %Y}: {before} → {renewal.get_stage_display()}",
            author=by, link=renewal.get_absolute_url(),
        )
    return renewal


@dataclass
class Outcome:
    stage: str
    final_amount: Decimal | None = None  # for a churn, 0; for a plain renewal, the ARR up
    reason: ChurnReason | None = None
    reason_text: str = ""
    closed_on: dt.date | None = None
    term_months: int = 12  # the length of the new term


def _checked(renewal: Renewal, outcome: Outcome) -> Decimal:
    """The final ARR the outcome means, or a refusal naming the field."""
    if outcome.stage not in OUTCOMES:
        raise ValidationError({"stage": "Choose renewed, expanded, downgraded or churned."})
    if outcome.stage in LOSSES and outcome.reason is None:
        raise ValidationError({"reason": "Say why the customer left or cut back."})
    if outcome.reason is not None and not outcome.reason.is_active:
        raise ValidationError({"reason": "This reason is retired: choose one in use."})
    if not 1 <= outcome.term_months <= 120:
        raise ValidationError({"term_months": "A new term lasts 1 to 120 months."})
    up = renewal.arr
    if outcome.stage == Stage.CHURNED:
        if outcome.final_amount not in (None, Decimal(0)):
            raise ValidationError({"final_amount": "A churned customer renews nothing: leave it at 0."})
        return Decimal(0)
    final = up if outcome.final_amount is None and outcome.stage == Stage.RENEWED else outcome.final_amount
    if final is None:
        raise ValidationError({"final_amount": "Give the ARR the customer renewed at."})
    if outcome.stage == Stage.RENEWED and final != up:
        raise ValidationError({
            "final_amount": f"A renewal at the same ARR renews {up:,.2f}; for more choose "
            "expanded, for less downgraded.",
        })
    if outcome.stage == Stage.EXPANDED and final <= up:
        raise ValidationError({"final_amount": f"An expansion renews at more than {up:,.2f}."})
    if outcome.stage == Stage.DOWNGRADED and not Decimal(0) < final < up:
        raise ValidationError({
            "final_amount": f"A downgrade renews at more than 0 and less than {up:,.2f} "
            "(nothing at all is a churn).",
        })
    return final


def _shares(subscriptions: list[Subscription], final: Decimal) -> list[Decimal]:
    """The final ARR split over the subscriptions as their ARR was (evenly when they had
    none), in cents, the last one taking what rounding left."""
    total = sum((s.arr for s in subscriptions), Decimal(0))
    shares = []
    for s in subscriptions[:-1]:
        part = s.arr / total if total else Decimal(1) / len(subscriptions)
        shares.append((final * part).quantize(CENT, ROUND_HALF_UP))
    return [*shares, final - sum(shares, Decimal(0))]


@transaction.atomic
def record_outcome(renewal: Renewal, outcome: Outcome, *, by: User) -> Renewal:
    """Close the renewal with its outcome. A churn marks the subscriptions it covers churned;
    any other outcome marks them renewed and starts a new term of `term_months` for each, the
    final ARR shared among them as their ARR was."""
    renewal = Renewal.objects.select_for_update().get(pk=renewal.pk)
    if not renewal.is_open:
        raise ValidationError("Its outcome is already recorded.")
    final = _checked(renewal, outcome)
    renewal.stage = outcome.stage
    renewal.final_amount = final
    renewal.reason = outcome.reason if outcome.stage in LOSSES else None
    renewal.reason_text = outcome.reason_text
    renewal.closed_on = outcome.closed_on or timezone.localdate()
    renewal.full_clean()
    renewal.save()
    subscriptions = list(renewal.subscriptions.order_by("pk"))
    if outcome.stage == Stage.CHURNED:
        status = SubscriptionStatus.CHURNED
    else:
        status = SubscriptionStatus.RENEWED
        start = renewal.renewal_date + dt.timedelta(days=1)
        end = start + relativedelta(months=outcome.term_months) - dt.timedelta(days=1)
        for old, arr in zip(subscriptions, _shares(subscriptions, final) if subscriptions else [],
                            strict=True):
            new = Subscription(
                account=renewal.account, product=old.product, quantity=old.quantity, arr=arr,
                start_date=start, end_date=end, status=SubscriptionStatus.ACTIVE,
            )
            new.full_clean()
            new.save()
    for old in subscriptions:
        old.status = status
        old.save(update_fields=["status", "updated_at"])
    change = final - renewal.arr
    words = {
        Stage.RENEWED: f"renewed at {final:,.2f} ARR",
        Stage.EXPANDED: f"expanded to {final:,.2f} ARR (+{change:,.2f})",
        Stage.DOWNGRADED: f"downgraded to {final:,.2f} ARR ({change:,.2f})",
        Stage.CHURNED: f"churned, {renewal.arr:,.2f} ARR lost",
    }[Stage(outcome.stage)]
    why = ": ".join(part for part in (str(renewal.reason or ""), outcome.reason_text) if part)
    timeline.record(
        renewal.account, EntryKind.RENEWAL,
        f"Renewal of {renewal.renewal_date:%d %b %Y}: {words}",
        body=why, author=by, link=renewal.get_absolute_url(),
    )
    return renewal


@transaction.atomic
def save_reason(reason: ChurnReason, *, by: User) -> ChurnReason:
    reason.full_clean()
    reason.save()
    return reason


@transaction.atomic
def delete_reason(reason: ChurnReason, *, by: User) -> None:
    """A reason given on a renewal is retired instead: the renewal keeps its words."""
    if reason.renewals.exists():
        raise ValidationError(
            "Renewals give this reason: mark it as not in use instead, so they keep it."
        )
    reason.delete()
