"""Domain actions for onboarding: the welcome pack, the project plan and milestone reports.

Each action owns its transaction, validates before it writes, and puts what the team needs
to know on the engagement's timeline. Time tracking lives in cairn.onboarding.timesheets.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Contact, SubscriptionStatus
from cairn.documents import actions as documents
from cairn.documents.models import Document, DocumentType
from cairn.engagements.models import Engagement
from cairn.onboarding import reports
from cairn.onboarding.models import (
    ActivityStatus,
    Milestone,
    OnboardingPlan,
    PackStatus,
    PlanActivity,
    PlanPhase,
    WelcomePack,
)
from cairn.people.models import User
from cairn.playbooks.models import Phase
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind
from cairn.validation import assignable

ONBOARDING = "onboarding"
LIVE_SUBSCRIPTIONS = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIAL, SubscriptionStatus.RENEWED)


def ensure_open(engagement: Engagement) -> None:
    if engagement.is_closed:
        raise ValidationError("The engagement is closed. Reopen it to change it.")


def onboarding_phase(engagement: Engagement) -> Phase | None:
    """The playbook phase these tools serve (a tailored playbook may have dropped it)."""
    return engagement.playbook_version.phases.filter(key=ONBOARDING).first()


def _note(engagement: Engagement, kind: str, title: str, by: User | None, link: str, body: str = "") -> None:
    record(engagement.account, kind, title, engagement=engagement, author=by, body=body, link=link)


def _check_recipient(contact: Contact | None, engagement: Engagement, field: str) -> None:
    if contact is not None and contact.account_id != engagement.account_id:
        raise ValidationError({field: f"{contact} is not a contact of {engagement.account}."})


# Welcome pack ------------------------------------------------------------------------------


def prefilled_pack(engagement: Engagement) -> WelcomePack:
    """A new, unsaved pack filled from what Cairn knows: subscriptions, products, people.

    The CSM edits every section before sending; the prefill saves retyping what is on record.
    """
    subscriptions = list(
        engagement.account.subscriptions.filter(status__in=LIVE_SUBSCRIPTIONS).select_related("product")
    )
    products = list(engagement.products.all())
    names = [p.name for p in products] or [s.product.name for s in subscriptions]
    components = "\n".join(f"- **{p.name}**{': ' + p.description if p.description else ''}" for p in products)
    quantities = "\n".join(
        f"- {s.product.name}: {s.quantity} (term {s.start_date:%d %b %Y} to {s.end_date:%d %b %Y})"
        for s in subscriptions
    )
    licences = "\n".join(
        f"- {s.product.name}: {s.quantity} licence{'s' if s.quantity != 1 else ''}, "
        f"{s.get_status_display().lower()} until {s.end_date:%d %b %Y}"
        for s in subscriptions
    )
    team = [engagement.owner, *[u for u in engagement.team.all() if u.pk != engagement.owner_id]]
    support = "\n".join(
        f"- {u}{', ' + u.title if u.title else ''}"
        f"{' (your customer success manager)' if u.pk == engagement.owner_id else ''}"
        f"{': ' + u.email if u.email else ''}"
        for u in team
    )
    recipient = engagement.account.contacts.order_by("last_name", "first_name", "pk").first()
    return WelcomePack(
        engagement=engagement,
        introduction=(
            f"Welcome to {', '.join(names) or 'your new solution'}. This pack gathers what you "
            f"bought, how your people get access, and who helps you get started with "
            f"“{engagement.initiative}”."
        ),
        components=components,
        quantities=quantities,
        licences=licences,
        support_contacts=support,
        sender=engagement.owner,
        recipient=recipient,
        delivery_format="PDF by e-mail, then walked through in a call",
    )


@transaction.atomic
def save_pack(pack: WelcomePack, *, by: User) -> WelcomePack:
    engagement = pack.engagement
    ensure_open(engagement)
    created = pack.pk is None
    _check_recipient(pack.recipient, engagement, "recipient")
    assignable(pack.sender, "sender")
    pack._history_user = by  # type: ignore[attr-defined]
    pack.full_clean()
    pack.save()
    if created:
        _note(engagement, EntryKind.PLANNING, "Welcome pack started", by, pack.get_absolute_url())
    return pack


def _pack_markdown(pack: WelcomePack) -> str:
    parts = [f"# Welcome pack: {pack.engagement.initiative}", ""]
    for label, text in pack.sections():
        parts += [f"## {label}", "", text.strip(), ""]
    return "\n".join(parts)


@transaction.atomic
def set_pack_status(pack: WelcomePack, status: str, *, on: dt.date, by: User) -> WelcomePack:
    """Move the pack along draft -> sent -> received -> reviewed with the customer.

    Back to draft clears the dates, for a pack that must be corrected and sent again.
    Sending stores the pack as sent in the central repository (a new version each time).
    """
    engagement = pack.engagement
    ensure_open(engagement)
    if status not in PackStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date cannot be in the future."})
    current = pack.status
    if status == PackStatus.DRAFT:
        pack.status = PackStatus.DRAFT
        pack.sent_on = pack.received_on = pack.reviewed_on = None
        pack.sent_by = pack.received_by = pack.reviewed_by = None
        title = "Welcome pack back to draft"
    elif status == PackStatus.SENT:
        if current != PackStatus.DRAFT:
            raise ValidationError({"status": "The pack was sent already. Set it back to draft first."})
        if pack.recipient is None:
            raise ValidationError({"recipient": "Choose who receives the pack before sending it."})
        if not pack.sections():
            raise ValidationError({"status": "The pack is empty: fill its sections before sending."})
        pack.status, pack.sent_on, pack.sent_by = status, on, by
        _store_pack(pack, by)
        title = f"Welcome pack sent to {pack.recipient}"
    elif status == PackStatus.RECEIVED:
        if current != PackStatus.SENT:
            raise ValidationError({"status": "Only a sent pack can be marked received."})
        pack.status, pack.received_on, pack.received_by = status, on, by
        title = f"Welcome pack received by {pack.recipient or 'the customer'}"
    else:
        if current not in (PackStatus.SENT, PackStatus.RECEIVED):
            raise ValidationError({"status": "Send the pack before reviewing it with the customer."})
        if pack.received_on is None:
            pack.received_on, pack.received_by = on, by
        pack.status, pack.reviewed_on, pack.reviewed_by = status, on, by
        title = "Welcome pack reviewed with the customer"
    pack._history_user = by  # type: ignore[attr-defined]
    pack.full_clean()
    pack.save()
    kind = EntryKind.CUSTOMER_RESPONSE if status == PackStatus.RECEIVED else EntryKind.PLANNING
    _note(engagement, kind, title, by, pack.get_absolute_url())
    return pack


def _store_pack(pack: WelcomePack, by: User) -> None:
    details = documents.Details(
        title=f"Welcome pack: {pack.engagement.initiative}"[:200],
        doc_type=DocumentType.WELCOME_PACK,
        phase=onboarding_phase(pack.engagement),
    )
    body = _pack_markdown(pack)
    comment = f"Sent to {pack.recipient}"
    existing = Document.objects.filter(pk=pack.document_id or 0).select_related("current_version").first()
    if existing is None or existing.current_version is None:
        pack.document = documents.create_written(pack.engagement, details, body, by=by, comment=comment)
        return
    documents.update_written(
        existing, details, body, base_version=existing.current_version.number, by=by, comment=comment
    )


# Plan ---------------------------------------------------------------------------------------


def ensure_editable(plan: OnboardingPlan) -> None:
    ensure_open(plan.engagement)
    if plan.is_signed_off:
        raise ValidationError(
            f"The customer signed the plan off on {plan.signed_off_at:%d %b %Y}; it no longer changes."
        )


def _inside(plan: OnboardingPlan, start: dt.date, end: dt.date, *, start_field: str, end_field: str) -> None:
    if start < plan.start_date:
        raise ValidationError(
            {start_field: f"The plan starts on {plan.start_date:%d %b %Y}; this is before it."}
        )
    if end > plan.deadline:
        raise ValidationError(
            {end_field: f"The plan's deadline is {plan.deadline:%d %b %Y}; this is after it."}
        )


@transaction.atomic
def save_plan(plan: OnboardingPlan, *, by: User) -> OnboardingPlan:
    """Create or change the plan's terms; its phases and milestones must still fit its dates."""
    engagement = plan.engagement
    created = plan.pk is None
    if created:
        ensure_open(engagement)
        plan.created_by = by
    else:
        ensure_editable(OnboardingPlan.objects.get(pk=plan.pk))
    plan._history_user = by  # type: ignore[attr-defined]
    plan.full_clean()
    if not created:
        inside = plan.start_date, plan.deadline
        outside = [
            *(p.name for p in plan.phases.all() if p.start_date < inside[0] or p.end_date > inside[1]),
            *(m.name for m in plan.milestones.all() if not inside[0] <= m.due_date <= inside[1]),
        ]
        if outside:
            raise ValidationError(
                {"deadline": f"{', '.join(outside)} would fall outside the plan's dates. Move them first."}
            )
    plan.save()
    title = "Onboarding plan created" if created else "Onboarding plan terms changed"
    _note(engagement, EntryKind.PLANNING, f"{title}: {plan.start_date:%d %b} to {plan.deadline:%d %b %Y}",
          by, plan.get_absolute_url())
    return plan


@transaction.atomic
def save_phase(phase: PlanPhase, *, by: User) -> PlanPhase:
    plan = phase.plan
    ensure_editable(plan)
    created = phase.pk is None
    phase.full_clean()
    _inside(plan, phase.start_date, phase.end_date, start_field="start_date", end_field="end_date")
    if not created:
        late = [
            a.name for a in phase.activities.all()
            if a.start_date < phase.start_date or a.end_date > phase.end_date
        ]
        if late:
            raise ValidationError(
                {"end_date": f"{', '.join(late)} would fall outside the phase. Move them first."}
            )
    phase.save()
    if created:
        _note(plan.engagement, EntryKind.PLANNING, f"Onboarding phase added: {phase.name}", by,
              plan.get_absolute_url())
    return phase


@transaction.atomic
def delete_phase(phase: PlanPhase, *, by: User) -> None:
    plan = phase.plan
    ensure_editable(plan)
    _note(plan.engagement, EntryKind.PLANNING, f"Onboarding phase removed: {phase.name}", by,
          plan.get_absolute_url())
    phase.delete()


@transaction.atomic
def save_milestone(milestone: Milestone, *, by: User) -> Milestone:
    plan = milestone.plan
    ensure_editable(plan)
    created = milestone.pk is None
    was_done = not created and Milestone.objects.filter(pk=milestone.pk, done_on__isnull=False).exists()
    milestone.full_clean()
    if milestone.phase is not None and milestone.phase.plan_id != plan.pk:
        raise ValidationError({"phase": "That phase belongs to another plan."})
    _inside(plan, milestone.due_date, milestone.due_date, start_field="due_date", end_field="due_date")
    if milestone.done_on is not None and milestone.done_on > timezone.localdate():
        raise ValidationError({"done_on": "A milestone cannot be reached in the future."})
    milestone.save()
    if created:
        title = f"Milestone planned: {milestone.name}, {milestone.due_date:%d %b %Y}"
    elif milestone.is_done and not was_done:
        title = f"Milestone reached: {milestone.name}"
    elif was_done and not milestone.is_done:
        title = f"Milestone reopened: {milestone.name}"
    else:
        return milestone
    _note(plan.engagement, EntryKind.PLANNING, title, by, plan.get_absolute_url())
    return milestone


@transaction.atomic
def delete_milestone(milestone: Milestone, *, by: User) -> None:
    plan = milestone.plan
    ensure_editable(plan)
    _note(plan.engagement, EntryKind.PLANNING, f"Milestone removed: {milestone.name}", by,
          plan.get_absolute_url())
    milestone.delete()


@transaction.atomic
def save_activity(activity: PlanActivity, *, by: User) -> PlanActivity:
    """Create or change an activity; it must sit inside its phase's dates."""
    phase = activity.phase
    plan = phase.plan
    ensure_editable(plan)
    created = activity.pk is None
    before = PlanActivity.objects.filter(pk=activity.pk or 0).values_list("status", flat=True).first()
    activity.full_clean()
    assignable(activity.responsible_user, "responsible_user")
    _check_recipient(activity.responsible_contact, plan.engagement, "responsible_contact")
    if activity.start_date < phase.start_date:
        raise ValidationError(
            {"start_date": f"{phase.name} starts on {phase.start_date:%d %b %Y}; this is before it."}
        )
    if activity.end_date > phase.end_date:
        raise ValidationError(
            {"end_date": f"{phase.name} ends on {phase.end_date:%d %b %Y}; this is after it."}
        )
    done = activity.status == ActivityStatus.DONE
    activity.completed_on = (activity.completed_on or timezone.localdate()) if done else None
    activity.save()
    if created:
        title = f"Onboarding activity planned: {activity.name}"
    elif done and before != ActivityStatus.DONE:
        title = f"Onboarding activity done: {activity.name}"
    elif activity.status == ActivityStatus.BLOCKED and before != ActivityStatus.BLOCKED:
        title = f"Onboarding activity blocked: {activity.name}"
    else:
        return activity
    _note(plan.engagement, EntryKind.PLANNING, title, by, plan.get_absolute_url(), body=activity.note)
    return activity


@transaction.atomic
def delete_activity(activity: PlanActivity, *, by: User) -> None:
    plan = activity.phase.plan
    ensure_editable(plan)
    _note(plan.engagement, EntryKind.PLANNING, f"Onboarding activity removed: {activity.name}", by,
          plan.get_absolute_url())
    activity.delete()


# Milestone reports -------------------------------------------------------------------------


@transaction.atomic
def write_milestone_report(
    milestone: Milestone, *, by: User, next_steps: str = "", include_hours: bool = False
) -> Document:
    """Write the customer-facing report on a milestone into the central repository.

    A report written again for the same milestone becomes its next version, so the customer's
    earlier copy stays on record.
    """
    plan = milestone.plan
    ensure_open(plan.engagement)
    body = reports.milestone_markdown(milestone, next_steps=next_steps, include_hours=include_hours)
    details = documents.Details(
        title=f"Milestone report: {milestone.name}"[:200],
        doc_type=DocumentType.MILESTONE_REPORT,
        phase=onboarding_phase(plan.engagement),
    )
    existing = Document.objects.filter(pk=milestone.report_id or 0).select_related("current_version").first()
    if existing is not None and existing.current_version is not None:
        documents.update_written(
            existing, details, body, base_version=existing.current_version.number, by=by,
            comment="Milestone report written again",
        )
        return existing
    report = documents.create_written(plan.engagement, details, body, by=by, comment="Milestone report")
    milestone.report = report
    milestone.save(update_fields=["report"])
    return report
