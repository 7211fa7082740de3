"""Domain actions of the value plan. Each owns its transaction, saves in full or not at all,
and writes the engagement's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse

from cairn.adoption.models import Kpi
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind
from cairn.validation import assignable
from cairn.value.models import ValueActivity, ValueChange, ValueItem

M = TypeVar("M", bound=models.Model)

CLOSED = "The engagement is closed. Reopen it to change its value plan."
PAGES: dict[type[models.Model], str] = {
    ValueItem: "value_plan", ValueChange: "value_track", ValueActivity: "value_track",
}


def ensure_open(engagement: Engagement) -> None:
    if engagement.is_closed:
        raise ValidationError(CLOSED)


def _team_member(engagement: Engagement, user: User | None, field: str, before: int | None) -> None:
    """Work goes to the engagement's owner or a member of its team, who can do it. A person
    already named (before the change) may stay, even if they have left the team since."""
    if user is None or user.pk == before:
        return
    assignable(user, field)
    if user.pk != engagement.owner_id and not engagement.team.filter(pk=user.pk).exists():
        raise ValidationError({field: f"{user} is not on this engagement's team."})


def _note(instance: models.Model, engagement: Engagement, verb: str, by: User) -> None:
    label = str(instance._meta.verbose_name).capitalize()
    record(
        engagement.account, EntryKind.PLANNING, f"{label} {verb}: {instance}", engagement=engagement,
        author=by, link=reverse(PAGES[type(instance)], args=[engagement.pk]),
    )


def _person(instance: models.Model, field: str) -> int | None:
    """Who the stored row names in `field` (None for a new row)."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values_list(  # type: ignore[no-any-return]
        f"{field}_id", flat=True
    ).first()


def _save(instance: M, engagement: Engagement, by: User) -> M:
    created = instance.pk is None
    instance.full_clean()
    instance._history_user = by  # type: ignore[attr-defined]
    instance.save()
    _note(instance, engagement, "added" if created else "changed", by)
    return instance


@transaction.atomic
def save_item(item: ValueItem, *, by: User, kpis: Iterable[Kpi] | None = None) -> ValueItem:
    """Create or change a value item; `kpis`, when given, are the KPIs that measure it (of
    the same engagement)."""
    engagement = item.engagement
    ensure_open(engagement)
    _team_member(engagement, item.measured_by_user, "measured_by_user", _person(item, "measured_by_user"))
    chosen = list(kpis) if kpis is not None else None
    if chosen is not None:
        strangers = [k for k in chosen if k.engagement_id != engagement.pk]
        if strangers:
            raise ValidationError({"kpis": f"“{strangers[0]}” is a KPI of another engagement."})
    if item.pk is not None and item.perception:
        said = ValueItem.objects.filter(pk=item.pk).values_list("statement", flat=True).first()
        if said is not None and said != item.statement:
            # The customer answered another wording: their answer does not carry over.
            item.perception, item.perceived_by, item.perception_comment = "", "", ""
            item.perceived_contact, item.perceived_at = None, None
    _save(item, engagement, by)
    if chosen is not None:
        item.kpis.set(chosen)
    return item


@transaction.atomic
def save_change(change: ValueChange, *, by: User) -> ValueChange:
    engagement = change.engagement
    ensure_open(engagement)
    _team_member(engagement, change.owner, "owner", _person(change, "owner"))
    return _save(change, engagement, by)


@transaction.atomic
def save_activity(activity: ValueActivity, *, by: User) -> ValueActivity:
    engagement = activity.engagement
    ensure_open(engagement)
    _team_member(engagement, activity.owner, "owner", _person(activity, "owner"))
    return _save(activity, engagement, by)


@transaction.atomic
def delete(instance: ValueItem | ValueChange | ValueActivity, *, by: User) -> None:
    engagement = instance.engagement
    ensure_open(engagement)
    _note(instance, engagement, "removed", by)
    instance._history_user = by  # type: ignore[union-attr]
    instance.delete()
