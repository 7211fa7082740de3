"""Time tracking: a CSM books hours on an engagement, and the team reads the totals.

Booking time is not news for the customer's timeline, so these actions write none; who
booked what stays on the entry itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from cairn.onboarding.actions import ensure_open, onboarding_phase
from cairn.onboarding.models import TimeEntry
from cairn.people import permissions
from cairn.people.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

DAY = Decimal(24)


def can_change(user: User | AnonymousUser, entry: TimeEntry) -> bool:
    """People change their own entries on engagements they may change; leaders correct
    anyone's."""
    if permissions.is_leader(user) and permissions.can_write(user):
        return True
    return entry.user_id == user.pk and permissions.can_edit_engagement(user, entry.engagement)


def _place(entry: TimeEntry) -> None:
    """Check the activity belongs to the engagement and file the entry under its phase.

    A checklist activity carries its lifecycle phase; a plan activity is onboarding work;
    otherwise the engagement's current phase, unless the caller chose one.
    """
    engagement = entry.engagement
    if entry.plan_activity is not None:
        if entry.plan_activity.phase.plan.engagement_id != engagement.pk:
            raise ValidationError({"plan_activity": "That activity is in another engagement's plan."})
        entry.phase = onboarding_phase(engagement) or engagement.current_phase
    elif entry.checklist_activity is not None:
        if entry.checklist_activity.engagement_id != engagement.pk:
            raise ValidationError({"checklist_activity": "That activity is in another engagement."})
        entry.phase = entry.checklist_activity.activity.phase
    elif entry.phase_id is None:
        entry.phase = engagement.current_phase
    elif entry.phase.version_id != engagement.playbook_version_id:
        raise ValidationError({"phase": "That phase is not in this engagement's playbook."})


def _check_day(entry: TimeEntry) -> None:
    if entry.date > timezone.localdate():
        raise ValidationError({"date": "Book time on today or an earlier day, not in the future."})
    others = (
        TimeEntry.objects.filter(user=entry.user, date=entry.date).exclude(pk=entry.pk or 0)
        .aggregate(total=Sum("hours"))["total"] or Decimal(0)
    )
    if entry.hours is not None and others + entry.hours > DAY:
        raise ValidationError(
            {"hours": f"{entry.user} already has {others.normalize():f} hours on {entry.date:%d %b %Y}; "
                      "a day has 24."}
        )


@transaction.atomic
def log_time(entry: TimeEntry, *, by: User) -> TimeEntry:
    """Book hours for `by` (the entry's user is always who books it, when new)."""
    ensure_open(entry.engagement)
    if entry.pk is None:
        entry.user = by
    # Two bookings for the same person and day must not pass the 24-hour check together.
    User.objects.select_for_update().filter(pk=entry.user_id).first()
    _place(entry)
    entry.full_clean()
    _check_day(entry)
    entry.save()
    return entry


@transaction.atomic
def delete_time(entry: TimeEntry, *, by: User) -> None:
    ensure_open(entry.engagement)
    entry.delete()


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    user_id: int | None = None
    engagement_id: int | None = None
    phase_key: str = ""

    def apply(self, entries: QuerySet[TimeEntry]) -> QuerySet[TimeEntry]:
        if self.date_from:
            entries = entries.filter(date__gte=self.date_from)
        if self.date_to:
            entries = entries.filter(date__lte=self.date_to)
        if self.user_id:
            entries = entries.filter(user_id=self.user_id)
        if self.engagement_id:
            entries = entries.filter(engagement_id=self.engagement_id)
        if self.phase_key:
            entries = entries.filter(phase__key=self.phase_key)
        return entries


def entries(filters: Filters) -> QuerySet[TimeEntry]:
    return filters.apply(TimeEntry.objects.all()).select_related(
        "user", "engagement__account", "phase", "plan_activity", "checklist_activity__activity"
    ).order_by("-date", "-pk")


@dataclass
class Totals:
    total: Decimal
    by_user: list[dict[str, Any]]
    by_phase: list[dict[str, Any]]


def engagement_hours(filters: Filters) -> QuerySet[Any, Any]:
    """Hours per engagement, most first: one grouped query, which can cover the whole book."""
    return (
        filters.apply(TimeEntry.objects.all())
        .values("engagement", "engagement__initiative", "engagement__account__name")
        .annotate(hours=Sum("hours")).order_by("-hours", "engagement__account__name", "engagement")
    )


def totals(filters: Filters) -> Totals:
    """Hours in all, per CSM and per lifecycle phase (per engagement: engagement_hours)."""
    base = filters.apply(TimeEntry.objects.all())
    by_user: list[dict[str, Any]] = [dict(row) for row in
        base.values("user", "user__first_name", "user__last_name", "user__username")
        .annotate(hours=Sum("hours")).order_by("-hours", "user__first_name", "user")
    ]
    for row in by_user:
        row["name"] = f"{row['user__first_name']} {row['user__last_name']}".strip() or row["user__username"]
    by_phase: list[dict[str, Any]] = [dict(row) for row in
        base.values("phase__key", "phase__name", "phase__position")
        .annotate(hours=Sum("hours")).order_by("phase__position", "phase__key")
    ]
    # The same phase (by key) exists once per playbook version; add versions up.
    merged: dict[str, dict[str, Any]] = {}
    for row in by_phase:
        key = row["phase__key"]
        if key in merged:
            merged[key]["hours"] += row["hours"]
        else:
            merged[key] = {"key": key, "name": row["phase__name"], "hours": row["hours"]}
    total = base.aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return Totals(total, by_user, list(merged.values()))

