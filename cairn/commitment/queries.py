"""What the phase 2 pages, the API and other apps read, each in a fixed number of queries.

`responsibilities` and `communication_plan` are read by the proposal and the engagement
strategy documents: keep their names and fields stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cairn.commitment.models import (
    QUADRANT_STRATEGIES,
    FirstMeeting,
    NextStep,
    RaciActivity,
    RaciAssignment,
    RaciMember,
    RaciRole,
    Stakeholder,
)
from cairn.engagements.models import Engagement, Status
from cairn.people.models import User


def stakeholders_of(engagement: Engagement) -> QuerySet[Stakeholder]:
    """The engagement's stakeholders with what every list shows, in one query."""
    return Stakeholder.objects.filter(engagement=engagement).select_related("contact", "owner")


# --- RACI ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A RACI column: a stakeholder (contact or category) or one of our people."""

    key: str  # "s<id>" or "u<id>", as the cell forms post it
    name: str
    side: str  # "customer" or "ours"
    detail: str = ""
    stakeholder_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Responsibility:
    """One RACI row: who does, answers for, is asked about and is told about an activity."""

    activity_id: int
    activity: str
    responsible: list[str]
    accountable: list[str]
    consulted: list[str]
    informed: list[str]
    warnings: list[str]
    # Letters by party key, for drawing the grid.
    cells: dict[str, str] = field(default_factory=dict)


def raci_warnings(accountable: list[str], responsible: list[str]) -> list[str]:
    """The rules of a sound RACI row: exactly one Accountable, at least one Responsible."""
    warnings = []
    if not accountable:
        warnings.append("No one is accountable.")
    elif len(accountable) > 1:
        warnings.append(f"More than one accountable: {', '.join(accountable)}.")
    if not responsible:
        warnings.append("No one is responsible.")
    return warnings


def raci_parties(engagement: Engagement) -> list[Party]:
    """Columns: the customer's stakeholders, then our owner, team and added people."""
    parties = [
        Party(
            key=f"s{s.pk}", name=s.name, side="customer",
            detail=(s.contact.title if s.contact else "category") or "", stakeholder_id=s.pk,
        )
        for s in stakeholders_of(engagement).order_by("category", "contact__last_name", "pk")
    ]
    ours: list[User] = [engagement.owner]
    ours += list(engagement.team.all())
    ours += [m.user for m in RaciMember.objects.filter(engagement=engagement).select_related("user")]
    seen: set[int] = set()
    for user in ours:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        parties.append(
            Party(key=f"u{user.pk}", name=str(user), side="ours", detail=user.title, user_id=user.pk)
        )
    return parties


def _party_key(cell: RaciAssignment) -> str:
    return f"s{cell.stakeholder_id}" if cell.stakeholder_id else f"u{cell.user_id}"


def _party_name(cell: RaciAssignment) -> str:
    if cell.stakeholder is not None:
        return cell.stakeholder.name
    return str(cell.user)


def responsibilities(engagement: Engagement) -> list[Responsibility]:
    """Every RACI activity, in order, with names per letter and its warnings (two queries)."""
    activities = list(RaciActivity.objects.filter(engagement=engagement).order_by("position", "pk"))
    cells = (
        RaciAssignment.objects.filter(activity__engagement=engagement)
        .select_related("stakeholder__contact", "user")
        .order_by("pk")
    )
    by_activity: dict[int, list[RaciAssignment]] = {}
    for cell in cells:
        by_activity.setdefault(cell.activity_id, []).append(cell)
    rows = []
    for activity in activities:
        own = by_activity.get(activity.pk, [])
        names = {
            role: sorted(_party_name(c) for c in own if c.role == role) for role in RaciRole.values
        }
        rows.append(
            Responsibility(
                activity_id=activity.pk,
                activity=activity.name,
                responsible=names[RaciRole.RESPONSIBLE],
                accountable=names[RaciRole.ACCOUNTABLE],
                consulted=names[RaciRole.CONSULTED],
                informed=names[RaciRole.INFORMED],
                warnings=raci_warnings(names[RaciRole.ACCOUNTABLE], names[RaciRole.RESPONSIBLE]),
                cells={_party_key(c): c.role for c in own},
            )
        )
    return rows


# --- Stakeholder management plan ------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """One line of the stakeholder management plan."""

    stakeholder_id: int
    name: str
    role: str
    is_category: bool
    quadrant: str  # the quadrant's label, e.g. "Manage closely"
    attitude: str  # the attitude's label, e.g. "Sceptic"
    strategy: str
    owner: str  # our person's name, or "" when no one is named
    owner_id: int | None
    cadence: str  # e.g. "Monthly", "Every 10 days"
    next_contact: dt.date | None
    last_contact: dt.date | None
    overdue: bool


def plan_line(stakeholder: Stakeholder, today: dt.date) -> PlanLine:
    return PlanLine(
        stakeholder_id=stakeholder.pk,
        name=stakeholder.name,
        role=stakeholder.role,
        is_category=stakeholder.is_category,
        quadrant=stakeholder.quadrant.label,
        attitude=stakeholder.get_attitude_display(),
        strategy=stakeholder.strategy or QUADRANT_STRATEGIES[stakeholder.quadrant],
        owner=str(stakeholder.owner) if stakeholder.owner else "",
        owner_id=stakeholder.owner_id,
        cadence=stakeholder.cadence_label,
        next_contact=stakeholder.next_contact,
        last_contact=stakeholder.last_contact,
        overdue=stakeholder.next_contact is not None and stakeholder.next_contact < today,
    )


def communication_plan(engagement: Engagement, today: dt.date | None = None) -> list[PlanLine]:
    """The stakeholder management plan: one line per stakeholder, most powerful first.

    A stakeholder without a written strategy gets their quadrant's general one.
    """
    from django.utils import timezone

    today = today or timezone.localdate()
    return [plan_line(s, today) for s in stakeholders_of(engagement)]


def my_work_contacts(request: HttpRequest, user: User) -> dict[str, Any]:
    """For "my work" (cairn.pages): stakeholders whose planned contact date has passed."""
    return {"contacts_overdue": overdue_contacts(user, timezone.localdate())}


def overdue_contacts(user: User, today: dt.date) -> list[Stakeholder]:
    """Stakeholders `user` should have been in touch with before today, in open engagements."""
    return list(
        Stakeholder.objects.filter(owner=user.pk, next_contact__lt=today)
        .exclude(engagement__status=Status.CLOSED)
        .select_related("contact", "engagement__account")
        .order_by("next_contact", "pk")
    )


# --- First meeting ----------------------------------------------------------------------------


def first_meeting(engagement: Engagement) -> FirstMeeting | None:
    """The meeting with its attendees and collateral, or None before it is planned."""
    return (
        FirstMeeting.objects.filter(engagement=engagement)
        .prefetch_related("contacts", "users", "documents")
        .first()
    )


def next_steps(meeting: FirstMeeting) -> list[NextStep]:
    return list(meeting.next_steps.select_related("task__assignee").order_by("task__due_date", "pk"))
