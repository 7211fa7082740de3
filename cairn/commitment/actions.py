"""Domain actions of phase 2: stakeholders and their plan, the RACI matrix, the first meeting.

Each action owns its transaction, refuses a closed engagement, validates before it writes and
puts what matters to the team on the engagement's timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cairn.commitment.models import (
    Cadence,
    FirstMeeting,
    NextStep,
    RaciActivity,
    RaciAssignment,
    RaciMember,
    RaciRole,
    Stakeholder,
    next_date,
)
from cairn.customers.models import Contact
from cairn.documents.models import Document
from cairn.engagements.models import Engagement, Status
from cairn.people.models import User
from cairn.timeline.actions import create_task, record
from cairn.timeline.models import EntryKind, Task

MAX_AGENDA_ITEMS = 30


def ensure_open(engagement: Engagement) -> None:
    if engagement.status == Status.CLOSED:
        raise ValidationError("The engagement is closed. Reopen it to change it.")


def _link(name: str, engagement: Engagement, anchor: str = "") -> str:
    return reverse(name, args=[engagement.pk]) + (f"#{anchor}" if anchor else "")


# --- Stakeholders and their plan ---------------------------------------------------------


STAKEHOLDER_FIELDS = (
    "contact", "category", "headcount", "role", "power", "interest", "attitude", "strategy",
    "owner", "cadence", "cadence_days", "next_contact",
)
TEXT_FIELDS = ("category", "role", "strategy")


def _check_cadence(stakeholder: Stakeholder) -> None:
    if stakeholder.cadence == Cadence.DAYS and not stakeholder.cadence_days:
        raise ValidationError({"cadence_days": "Give the days between contacts, 1 to 365."})


@transaction.atomic
def save_stakeholder(stakeholder: Stakeholder, changes: dict[str, Any], *, by: User) -> Stakeholder:
    """Add a stakeholder or change one (place, attitude, plan) in one go, or not at all."""
    engagement = stakeholder.engagement
    ensure_open(engagement)
    created = stakeholder.pk is None
    before = None
    if not created:
        # What is stored, not what a bound form may already have copied onto the instance.
        stored = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
        before = (stored.quadrant, stored.get_attitude_display())
    for name, value in changes.items():
        if name not in STAKEHOLDER_FIELDS:
            raise ValueError(f"Not a stakeholder field: {name}")
        if value is None and name in TEXT_FIELDS:
            value = ""
        setattr(stakeholder, name, value)
    _check_cadence(stakeholder)
    stakeholder._history_user = by  # type: ignore[attr-defined]
    stakeholder.full_clean()
    stakeholder.save()
    after = (stakeholder.quadrant, stakeholder.get_attitude_display())
    if created:
        title = f"Stakeholder added: {stakeholder.name} ({after[0].label}, {after[1].lower()})"
    elif before != after:
        title = f"Stakeholder moved: {stakeholder.name} now {after[0].label}, {after[1].lower()}"
    else:
        return stakeholder
    record(
        engagement.account, EntryKind.PLANNING, title, engagement=engagement, author=by,
        link=_link("commitment_stakeholders", engagement, f"stakeholder-{stakeholder.pk}"),
    )
    return stakeholder


@transaction.atomic
def remove_stakeholder(stakeholder: Stakeholder, *, by: User) -> None:
    engagement = stakeholder.engagement
    ensure_open(engagement)
    record(
        engagement.account, EntryKind.PLANNING, f"Stakeholder removed: {stakeholder.name}",
        engagement=engagement, author=by, link=_link("commitment_stakeholders", engagement),
    )
    stakeholder._history_user = by  # type: ignore[attr-defined]
    stakeholder.delete()


CONTACT_KINDS: dict[str, str] = {
    EntryKind.MEETING: "Met",
    EntryKind.CALL: "Called",
    EntryKind.EMAIL: "E-mailed",
    EntryKind.NOTE: "In touch with",
}


@transaction.atomic
def log_contact(
    stakeholder: Stakeholder,
    *,
    by: User,
    on: dt.date,
    kind: str = EntryKind.MEETING,
    note: str = "",
) -> Stakeholder:
    """Record a contact on the timeline and move the next contact date on by the cadence."""
    engagement = stakeholder.engagement
    ensure_open(engagement)
    if kind not in CONTACT_KINDS:
        raise ValidationError({"kind": "Choose a meeting, call, e-mail or note."})
    if on > timezone.localdate():
        raise ValidationError({"on": "A contact is logged once it has happened: not in the future."})
    stakeholder.last_contact = max(on, stakeholder.last_contact or on)
    stakeholder.next_contact = next_date(
        stakeholder.last_contact, stakeholder.cadence, stakeholder.cadence_days
    )
    stakeholder._history_user = by  # type: ignore[attr-defined]
    stakeholder.save(update_fields=["last_contact", "next_contact", "updated_at"])
    occurred = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    record(
        engagement.account, kind, f"{CONTACT_KINDS[kind]} {stakeholder.name}",
        engagement=engagement, author=by, body=note.strip(), occurred_at=occurred,
        link=_link("commitment_stakeholders", engagement, f"stakeholder-{stakeholder.pk}"),
    )
    return stakeholder


# --- RACI -----------------------------------------------------------------------------------


def _next_position(engagement: Engagement) -> int:
    top = RaciActivity.objects.filter(engagement=engagement).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


@transaction.atomic
def add_raci_activity(engagement: Engagement, name: str, *, by: User) -> RaciActivity:
    ensure_open(engagement)
    activity = RaciActivity(engagement=engagement, name=name, position=_next_position(engagement))
    activity.full_clean()
    activity.save()
    record(
        engagement.account, EntryKind.PLANNING, f"RACI activity added: {activity.name}",
        engagement=engagement, author=by, link=_link("commitment_raci", engagement),
    )
    return activity


@transaction.atomic
def rename_raci_activity(activity: RaciActivity, name: str, *, by: User) -> RaciActivity:
    ensure_open(activity.engagement)
    activity.name = name
    activity.full_clean()
    activity.save(update_fields=["name"])
    return activity


@transaction.atomic
def remove_raci_activity(activity: RaciActivity, *, by: User) -> None:
    engagement = activity.engagement
    ensure_open(engagement)
    record(
        engagement.account, EntryKind.PLANNING, f"RACI activity removed: {activity.name}",
        engagement=engagement, author=by, link=_link("commitment_raci", engagement),
    )
    activity.delete()


@transaction.atomic
def seed_raci(engagement: Engagement, *, by: User) -> list[RaciActivity]:
    """Copy the engagement's checklist activities from the current phase on into the RACI.

    Activities already in the RACI (by checklist item or by name) are left alone, so seeding
    twice adds nothing.
    """
    ensure_open(engagement)
    existing = RaciActivity.objects.filter(engagement=engagement)
    taken_items = {a.checklist_item_id for a in existing if a.checklist_item_id}
    taken_names = {a.name.lower() for a in existing}
    items = engagement.activities.filter(
        activity__phase__position__gte=engagement.current_phase.position,
        activity__phase__periodic=False,
    ).select_related("activity").order_by("activity__phase__position", "activity__position")
    position = _next_position(engagement)
    added = []
    for item in items:
        name = item.activity.name[:200]
        if item.pk in taken_items or name.lower() in taken_names:
            continue
        added.append(
            RaciActivity(engagement=engagement, name=name, position=position, checklist_item=item)
        )
        taken_names.add(name.lower())
        position += 1
    RaciActivity.objects.bulk_create(added)
    if added:
        record(
            engagement.account, EntryKind.PLANNING,
            f"RACI started from the checklist: {len(added)} activities",
            engagement=engagement, author=by, link=_link("commitment_raci", engagement),
        )
    return added


@dataclass(frozen=True)
class PartyRef:
    """Who a RACI cell is for: exactly one of a stakeholder or one of our people."""

    stakeholder: Stakeholder | None = None
    user: User | None = None


def raci_user_allowed(engagement: Engagement, user: User) -> bool:
    if user.pk == engagement.owner_id:
        return True
    if engagement.team.filter(pk=user.pk).exists():
        return True
    return RaciMember.objects.filter(engagement=engagement, user=user).exists()


@transaction.atomic
def set_raci_cell(
    activity: RaciActivity, party: PartyRef, role: str | None, *, by: User
) -> RaciAssignment | None:
    """Put one letter in a cell, or clear it (role None or "")."""
    engagement = activity.engagement
    ensure_open(engagement)
    if (party.stakeholder is None) == (party.user is None):
        raise ValidationError({"party": "Name one stakeholder or one of our people."})
    if party.stakeholder is not None and party.stakeholder.engagement_id != engagement.pk:
        raise ValidationError({"stakeholder": "That stakeholder belongs to another engagement."})
    if party.user is not None and not raci_user_allowed(engagement, party.user):
        raise ValidationError(
            {"user": f"{party.user} is not in this RACI: add them as one of our people first."}
        )
    if role and role not in RaciRole.values:
        raise ValidationError({"role": "Choose R, A, C or I, or leave the cell empty."})
    lookup = {"activity": activity, "stakeholder": party.stakeholder, "user": party.user}
    cell = RaciAssignment.objects.select_for_update().filter(**lookup).first()
    if not role:
        if cell is not None:
            cell._history_user = by  # type: ignore[attr-defined]
            cell.delete()
        return None
    cell = cell or RaciAssignment(**lookup)
    cell.role = role
    cell._history_user = by  # type: ignore[attr-defined]
    cell.save()
    return cell


@transaction.atomic
def add_raci_member(engagement: Engagement, user: User, *, by: User) -> RaciMember:
    ensure_open(engagement)
    if not user.is_active:
        raise ValidationError({"user": f"{user} is deactivated."})
    if raci_user_allowed(engagement, user):
        raise ValidationError({"user": f"{user} already has a column in the RACI."})
    return RaciMember.objects.create(engagement=engagement, user=user)


@transaction.atomic
def remove_raci_member(member: RaciMember, *, by: User) -> None:
    """Drop one of our people's columns, with the letters they held."""
    ensure_open(member.engagement)
    RaciAssignment.objects.filter(
        activity__engagement=member.engagement, user=member.user
    ).delete()
    member.delete()


# --- The first meeting ------------------------------------------------------------------------


def clean_agenda(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Agenda items as stored: a title of up to 200 characters and optional minutes."""
    if len(items) > MAX_AGENDA_ITEMS:
        raise ValidationError({"agenda": f"Keep the agenda to {MAX_AGENDA_ITEMS} items."})
    cleaned = []
    for number, item in enumerate(items, start=1):
        title = str(item.get("title") or "").strip()
        minutes = item.get("minutes")
        if not title:
            raise ValidationError({"agenda": f"Item {number} needs a title."})
        if len(title) > 200:
            raise ValidationError({"agenda": f"Item {number}: keep the title to 200 characters."})
        if minutes is not None and (not isinstance(minutes, int) or not 1 <= minutes <= 480):
            raise ValidationError({"agenda": f"Item {number}: minutes go from 1 to 480."})
        cleaned.append({"title": title, "minutes": minutes})
    return cleaned


@dataclass
class MeetingPlan:
    scheduled_at: dt.datetime | None
    place: str
    format: str
    length_minutes: int
    desired_outcomes: str
    agenda: list[dict[str, Any]]
    contacts: list[Contact]
    users: list[User]
    documents: list[Document]
    collateral_notes: str = ""


def _check_attendees(engagement: Engagement, plan: MeetingPlan) -> None:
    for contact in plan.contacts:
        if contact.account_id != engagement.account_id:
            raise ValidationError({"contacts": f"{contact} is not a contact of this account."})
    for user in plan.users:
        if not user.is_active:
            raise ValidationError({"users": f"{user} is deactivated."})
    for document in plan.documents:
        if document.engagement_id not in (None, engagement.pk):
            raise ValidationError(
                {"documents": f"“{document.title}” belongs to another engagement."}
            )


@transaction.atomic
def plan_meeting(engagement: Engagement, plan: MeetingPlan, *, by: User) -> FirstMeeting:
    """Write or change the plan of the first meeting: place, format, outcomes, agenda, people."""
    ensure_open(engagement)
    meeting = FirstMeeting.objects.select_for_update().filter(engagement=engagement).first()
    created = meeting is None
    meeting = meeting or FirstMeeting(engagement=engagement)
    meeting.scheduled_at = plan.scheduled_at
    meeting.place = plan.place.strip()
    meeting.format = plan.format
    meeting.length_minutes = plan.length_minutes
    meeting.desired_outcomes = plan.desired_outcomes.strip()
    meeting.agenda = clean_agenda(plan.agenda)
    meeting.collateral_notes = plan.collateral_notes.strip()
    _check_attendees(engagement, plan)
    meeting._history_user = by  # type: ignore[attr-defined]
    meeting.full_clean(exclude=["engagement"] if created else None)
    meeting.save()
    meeting.contacts.set(plan.contacts)
    meeting.users.set(plan.users)
    meeting.documents.set(plan.documents)
    when = f" for {timezone.localtime(plan.scheduled_at):%d %b %Y %H:%M}" if plan.scheduled_at else ""
    record(
        engagement.account, EntryKind.PLANNING,
        f"First meeting {'planned' if created else 'plan changed'}{when}",
        engagement=engagement, author=by, body=meeting.desired_outcomes,
        link=_link("commitment_meeting", engagement),
    )
    return meeting


@transaction.atomic
def hold_meeting(
    meeting: FirstMeeting, *, by: User, held_at: dt.datetime, minutes: str
) -> FirstMeeting:
    """Record that the meeting took place, with its minutes; the timeline shows it as a meeting.

    Recording it again corrects the minutes and the time without a second timeline entry.
    """
    engagement = meeting.engagement
    ensure_open(engagement)
    if held_at > timezone.now():
        raise ValidationError({"held_at": "Record the meeting once it has taken place."})
    if not minutes.strip():
        raise ValidationError({"minutes": "Write the minutes: what was said and agreed."})
    first_time = meeting.held_at is None
    meeting.held_at = held_at
    meeting.minutes = minutes.strip()
    meeting._history_user = by  # type: ignore[attr-defined]
    meeting.save(update_fields=["held_at", "minutes", "updated_at"])
    if first_time:
        record(
            engagement.account, EntryKind.MEETING, "First meeting held",
            engagement=engagement, author=by, body=meeting.minutes, occurred_at=held_at,
            link=_link("commitment_meeting", engagement),
        )
    return meeting


@transaction.atomic
def add_next_step(
    meeting: FirstMeeting,
    *,
    by: User,
    title: str,
    assignee: User,
    due_date: dt.date | None,
    description: str = "",
) -> NextStep:
    """An agreed next step becomes a task for its assignee, linked to the meeting."""
    engagement = meeting.engagement
    ensure_open(engagement)
    if not meeting.is_held:
        raise ValidationError("Next steps are agreed at the meeting: record it as held first.")
    if not title.strip():
        raise ValidationError({"title": "Say what the next step is."})
    task: Task = create_task(
        title=title.strip(), assignee=assignee, account=engagement.account, created_by=by,
        engagement=engagement, due_date=due_date,
        description=description or "Agreed at the first meeting.",
    )
    return NextStep.objects.create(meeting=meeting, task=task)
