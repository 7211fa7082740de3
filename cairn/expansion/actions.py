"""Domain actions of expansion and advocacy: spot an opportunity, hand it to Sales as the
company's policy says, move it through Sales' stages and close it; plan and record advocacy
asks; keep the hand-off policy. Each owns its transaction; the opportunity's stage changes
are kept and its milestones written on the account's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Contact
from cairn.expansion.models import (
    CLOSED_STAGES,
    SALES_STAGES,
    AdvocacyAsk,
    AskKind,
    AskStatus,
    HandoffPolicy,
    Opportunity,
    Stage,
    StageChange,
)
from cairn.people.models import User
from cairn.timeline import actions as timeline
from cairn.timeline.models import EntryKind
from cairn.validation import assignable

CHANGE_REFUSAL = "You may not change this opportunity: you neither own its account nor work on it."
ASK_REFUSAL = "You may not change this ask: you neither own the contact's account nor work on it."
POLICY_REFUSAL = "Only CS leaders set the hand-off policy."

EDITABLE = frozenset({
    "title", "description", "kind", "product", "engagement", "amount", "spotted_by",
    "expected_close", "stage", "confirmed_by", "sales_owner_name", "sales_owner_email",
    "crm_reference",
})
ASK_EDITABLE = frozenset({"kind", "status", "asked_on", "done_on", "notes", "asked_by"})


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}"


def _same_account(opportunity: Opportunity) -> None:
    """The engagement and the confirming contact belong to the opportunity's account; who
    spotted it can be given work."""
    engagement = opportunity.engagement
    if engagement is not None and engagement.account_id != opportunity.account_id:
        raise ValidationError({"engagement": "Choose an engagement of this account."})
    contact = opportunity.confirmed_by
    if contact is not None and contact.account_id != opportunity.account_id:
        raise ValidationError({"confirmed_by": "Choose a contact of this account."})
    assignable(opportunity.spotted_by, "spotted_by")
    if opportunity.with_sales:
        if not opportunity.sales_owner_name.strip():
            raise ValidationError({"sales_owner_name": "Sales has it: name the sales owner."})
        if not opportunity.sales_owner_email.strip():
            raise ValidationError({"sales_owner_email": "Sales has it: give the sales owner's e-mail."})


def _moved(opportunity: Opportunity, before: str, *, by: User) -> None:
    StageChange.objects.create(opportunity=opportunity, from_stage=before, to_stage=opportunity.stage, by=by)


def _record(opportunity: Opportunity, title: str, *, by: User, body: str = "") -> None:
    timeline.record(
        opportunity.account, EntryKind.PLANNING, title, engagement=opportunity.engagement,
        body=body, author=by, link=opportunity.get_absolute_url(),
    )


@transaction.atomic
def create_opportunity(opportunity: Opportunity, *, by: User) -> Opportunity:
    """Record an opportunity the CSM spotted: it starts identified, spotted by `by` unless
    someone else is named."""
    opportunity.stage = Stage.IDENTIFIED
    if opportunity.spotted_by_id is None:
        opportunity.spotted_by = by
    _same_account(opportunity)
    opportunity.full_clean()
    opportunity.save()
    _moved(opportunity, "", by=by)
    _record(
        opportunity, f"{opportunity.get_kind_display()} spotted: {opportunity.title}",
        by=by, body=f"Estimated {_money(opportunity.amount)} ARR.",
    )
    return opportunity


def _locked(opportunity: Opportunity) -> Opportunity:
    """The opportunity as it is now (another request may have closed it), locked: the
    changes are made on this copy, and the copy is answered."""
    return Opportunity.objects.select_related("account", "engagement").select_for_update(of=("self",)).get(
        pk=opportunity.pk
    )


@transaction.atomic
def update_opportunity(opportunity: Opportunity, changes: dict[str, Any], *, by: User) -> Opportunity:
    """Change what it is about and, once Sales has it, move it between Sales' stages. It is
    handed over with hand_off and closed with close."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    opportunity = _locked(opportunity)
    if not opportunity.is_open:
        raise ValidationError("It is closed: the opportunity cannot change any more.")
    before = opportunity.stage
    stage = changes.get("stage")
    if stage is not None and stage != before:
        if stage in CLOSED_STAGES:
            raise ValidationError({"stage": "Close it as won or lost with its closed ARR."})
        if stage == Stage.IDENTIFIED or before == Stage.IDENTIFIED:
            raise ValidationError({
                "stage": "Hand it to Sales to move it on; once handed over it stays with Sales."
            })
        if stage not in SALES_STAGES:
            raise ValidationError({"stage": "Choose one of Sales' stages."})
    for name, value in changes.items():
        setattr(opportunity, name, value)
    _same_account(opportunity)
    opportunity.full_clean()
    opportunity.save()
    if opportunity.stage != before:
        _moved(opportunity, before, by=by)
    return opportunity


@dataclass
class Handoff:
    sales_owner_name: str
    sales_owner_email: str
    crm_reference: str
    amount: Decimal | None = None  # the estimate as of the hand-off; unchanged if None
    confirmed_by: Contact | None = None
    handed_on: dt.date | None = None


def policy_refusals(opportunity: Opportunity, policy: HandoffPolicy) -> dict[str, str]:
    """What the hand-off policy has against handing the opportunity over, by field."""
    refusals = {}
    if opportunity.amount < policy.minimum_amount:
        refusals["amount"] = (
            f"The policy keeps opportunities under {_money(policy.minimum_amount)} ARR with the "
            f"CSM: this one is estimated at {_money(opportunity.amount)}."
        )
    if policy.requires_confirmation and opportunity.confirmed_by_id is None:
        refusals["confirmed_by"] = "The policy asks for the customer contact who confirmed the need."
    return refusals


@transaction.atomic
def hand_off(opportunity: Opportunity, handoff: Handoff, *, by: User) -> Opportunity:
    """Hand an identified opportunity to a named sales owner, as the policy allows."""
    opportunity = _locked(opportunity)
    if opportunity.stage != Stage.IDENTIFIED:
        raise ValidationError("It is no longer identified: it was handed over or closed already.")
    errors = {}
    for name, label in (("sales_owner_name", "Name the sales owner."),
                        ("sales_owner_email", "Give the sales owner's e-mail."),
                        ("crm_reference", "Give the opportunity's reference in the CRM.")):
        if not getattr(handoff, name).strip():
            errors[name] = label
    if errors:
        raise ValidationError(errors)
    if handoff.amount is not None:
        opportunity.amount = handoff.amount
    if handoff.confirmed_by is not None:
        opportunity.confirmed_by = handoff.confirmed_by
    refusals = policy_refusals(opportunity, HandoffPolicy.current())
    if refusals:
        raise ValidationError(refusals)
    opportunity.sales_owner_name = handoff.sales_owner_name.strip()
    opportunity.sales_owner_email = handoff.sales_owner_email.strip()
    opportunity.crm_reference = handoff.crm_reference.strip()
    opportunity.handed_on = handoff.handed_on or timezone.localdate()
    opportunity.stage = Stage.HANDED
    _same_account(opportunity)
    opportunity.full_clean()
    opportunity.save()
    _moved(opportunity, Stage.IDENTIFIED, by=by)
    _record(
        opportunity, f"Opportunity handed to Sales: {opportunity.title}", by=by,
        body=f"{opportunity.sales_owner_name}, {_money(opportunity.amount)} ARR, "
             f"CRM {opportunity.crm_reference}.",
    )
    return opportunity


@dataclass
class Close:
    stage: str
    closed_amount: Decimal | None = None  # won: required; lost: 0 if None
    closed_on: dt.date | None = None
    reason: str = ""


@transaction.atomic
def close(opportunity: Opportunity, outcome: Close, *, by: User) -> Opportunity:
    """Record an open opportunity's outcome: won at its closed ARR, or lost and why."""
    opportunity = _locked(opportunity)
    if not opportunity.is_open:
        raise ValidationError("Its outcome is already recorded.")
    if outcome.stage not in CLOSED_STAGES:
        raise ValidationError({"stage": "Choose won or lost."})
    amount = outcome.closed_amount
    if outcome.stage == Stage.WON:
        if amount is None or amount <= 0:
            raise ValidationError({"closed_amount": "Give the ARR the customer bought."})
    else:
        if not outcome.reason.strip():
            raise ValidationError({"close_reason": "Say why the opportunity was lost."})
        amount = amount if amount is not None else Decimal(0)
    before = opportunity.stage
    opportunity.stage = outcome.stage
    opportunity.closed_amount = amount
    opportunity.closed_on = outcome.closed_on or timezone.localdate()
    opportunity.close_reason = outcome.reason.strip()
    opportunity.full_clean()
    opportunity.save()
    _moved(opportunity, before, by=by)
    words = f"won at {_money(amount)} ARR" if outcome.stage == Stage.WON else "lost"
    _record(opportunity, f"Opportunity {words}: {opportunity.title}", by=by, body=opportunity.close_reason)
    return opportunity


@transaction.atomic
def delete_opportunity(opportunity: Opportunity, *, by: User) -> None:
    opportunity.delete()


@transaction.atomic
def save_policy(policy: HandoffPolicy, *, by: User) -> HandoffPolicy:
    policy.pk = 1
    policy.updated_by = by
    policy.full_clean(validate_unique=False)
    policy.save()
    return policy


def _check_ask(ask: AdvocacyAsk) -> None:
    """The dates its status needs, named on their fields."""
    assignable(ask.asked_by, "asked_by")
    if ask.status != AskStatus.PLANNED and ask.asked_on is None:
        raise ValidationError({"asked_on": "Give the day the contact was asked."})
    if ask.status == AskStatus.DONE and ask.done_on is None:
        raise ValidationError({"done_on": "Give the day it was done."})
    if ask.done_on is not None and ask.status != AskStatus.DONE:
        raise ValidationError({"done_on": "Only a done ask has a day it was done."})


@transaction.atomic
def create_ask(ask: AdvocacyAsk, *, by: User) -> AdvocacyAsk:
    """Plan or record an ask to a contact; `by` asks unless someone else is named."""
    if ask.asked_by_id is None:
        ask.asked_by = by
    _check_ask(ask)
    ask.full_clean()
    ask.save()
    return ask


def plan_ask(contact: Contact, *, by: User, kind: str = AskKind.REFERENCE_CALL) -> AdvocacyAsk:
    """One click on a candidate: a planned ask of `kind`, by `by`."""
    return create_ask(AdvocacyAsk(contact=contact, kind=kind, status=AskStatus.PLANNED), by=by)


@transaction.atomic
def update_ask(ask: AdvocacyAsk, changes: dict[str, Any], *, by: User) -> AdvocacyAsk:
    unknown = set(changes) - ASK_EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    # Changed on the ask as it is now: the caller's copy may be stale.
    ask = AdvocacyAsk.objects.select_for_update().get(pk=ask.pk)
    for name, value in changes.items():
        setattr(ask, name, value)
    _check_ask(ask)
    ask.full_clean()
    ask.save()
    return ask


@transaction.atomic
def delete_ask(ask: AdvocacyAsk, *, by: User) -> None:
    ask.delete()
