"""Writes of engagement evaluation. Each owns its transaction and validates before it writes,
so a refusal names its field and leaves nothing half-saved. Permissions are checked by the
callers (views, API) through cairn.people.access before an action runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from cairn.adoption.models import Challenge
from cairn.documents import actions as documents
from cairn.documents.models import Document
from cairn.engagements import actions as engagements
from cairn.engagements.models import Engagement, Evaluation
from cairn.evaluation.models import (
    MAX_TAGS,
    TAG_LENGTH,
    CompanyValue,
    CustomerValue,
    DevelopmentPlan,
    Lesson,
    PlanItem,
    PlanReview,
    Tag,
    Team,
)
from cairn.fields import TITLE
from cairn.people.models import User
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind

M = TypeVar("M", bound=models.Model)


def _save(instance: M) -> M:
    instance.full_clean()
    instance.save()
    return instance


def _open(round: Evaluation) -> None:
    if not round.is_open:
        raise ValidationError("This round is closed: its answers are kept as they were.")


# --- Rounds ----------------------------------------------------------------------------------


def open_round(engagement: Engagement, *, by: User) -> Evaluation:
    return engagements.open_evaluation(engagement, by=by)


def close_round(round: Evaluation, *, by: User) -> Evaluation:
    return engagements.close_evaluation(round, by=by)


def _set(instance: M, data: dict[str, Any], allowed: Iterable[str]) -> M:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This field cannot be set here."})
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


CUSTOMER_FIELDS = ("what", "measured_how", "known_to_customer", "known_to_us")


def _known(data: dict[str, Any]) -> None:
    for name in ("known_to_customer", "known_to_us"):
        if name in data and data[name] is None:
            raise ValidationError({name: "Say yes or no."})


@transaction.atomic
def add_customer_value(round: Evaluation, data: dict[str, Any], *, by: User) -> CustomerValue:
    _open(round)
    for name in ("known_to_customer", "known_to_us"):
        data.setdefault(name, None)
    _known(data)
    return _save(_set(CustomerValue(round=round), data, CUSTOMER_FIELDS))


@transaction.atomic
def update_customer_value(value: CustomerValue, data: dict[str, Any], *, by: User) -> CustomerValue:
    _open(value.round)
    _known(data)
    return _save(_set(value, data, CUSTOMER_FIELDS))


@transaction.atomic
def delete_customer_value(value: CustomerValue, *, by: User) -> None:
    _open(value.round)
    value.delete()


def _teams(teams: Iterable[str]) -> str:
    chosen = list(dict.fromkeys(teams))
    unknown = [t for t in chosen if t not in Team.values]
    if unknown:
        raise ValidationError(
            {"reported_to": f"Unknown team {unknown[0]!r}: choose from {', '.join(Team.values)}."}
        )
    return ",".join(t for t in Team.values if t in chosen)


@transaction.atomic
def set_company_value(
    round: Evaluation, kind: str, description: str, reported_to: Iterable[str], *, by: User
) -> CompanyValue | None:
    """Record (or change) the value of one kind our company got; an empty description
    removes it."""
    _open(round)
    teams = _teams(reported_to)
    existing = CompanyValue.objects.filter(round=round, kind=kind).first()
    if not description.strip():
        if teams:
            raise ValidationError({"description": "Say what value it was before naming who heard of it."})
        if existing is not None:
            existing.delete()
        return None
    value = existing or CompanyValue(round=round, kind=kind)
    value.description = description.strip()
    value.reported_to = teams
    return _save(value)


# --- Lessons -----------------------------------------------------------------------------------


def tag_names(names: Iterable[str]) -> list[str]:
    """The distinct tag names given, tidied; refused when too long or too many."""
    cleaned: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            raise ValidationError({"tags": f"A tag has at most {TAG_LENGTH} characters: “{name[:20]}…”."})
        if "\x00" in name:
            raise ValidationError({"tags": "Null characters are not allowed."})
        cleaned.setdefault(name.lower(), name)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"A lesson has at most {MAX_TAGS} tags."})
    return list(cleaned.values())


def _tags(names: Iterable[str]) -> list[Tag]:
    """The Tag rows of the names, found whatever their case, made when new."""
    wanted = tag_names(names)
    lowered = [name.lower() for name in wanted]
    found = {t.name.lower(): t for t in Tag.objects.annotate(key=Lower("name")).filter(key__in=lowered)}
    return [found.get(name.lower()) or _save(Tag(name=name)) for name in wanted]


LESSON_FIELDS = ("title", "what_happened", "next_time", "engagement")


@transaction.atomic
def create_lesson(data: dict[str, Any], tags: Iterable[str], *, by: User) -> Lesson:
    lesson = _save(_set(Lesson(author=by), data, LESSON_FIELDS))
    lesson.tags.set(_tags(tags))
    return lesson


@transaction.atomic
def update_lesson(
    lesson: Lesson, data: dict[str, Any], tags: Iterable[str] | None, *, by: User
) -> Lesson:
    _save(_set(lesson, data, LESSON_FIELDS))
    if tags is not None:
        lesson.tags.set(_tags(tags))
    return lesson


@transaction.atomic
def delete_lesson(lesson: Lesson, *, by: User) -> None:
    lesson.delete()


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


@transaction.atomic
def gather_lessons(
    engagement: Engagement, challenges: Iterable[Challenge], tags: Iterable[str], *, by: User
) -> list[Lesson]:
    """Turn picked challenges of the engagement's log into lessons of the team library, in
    one step: what happened is the challenge, its impact and response; what to do next time
    is the lesson its owner wrote on it. A challenge already in the library is refused."""
    picked = list(challenges)
    if not picked:
        raise ValidationError({"challenges": "Pick at least one challenge."})
    if any(c.engagement_id != engagement.pk for c in picked):
        raise ValidationError({"challenges": "Pick challenges of this engagement's log."})
    taken = set(Lesson.objects.filter(challenge__in=picked).values_list("challenge__challenge", flat=True))
    if taken:
        raise ValidationError({"challenges": f"Already in the library: {', '.join(sorted(taken))}."})
    tag_rows = _tags(tags)
    round = engagement.evaluations.filter(closed_at__isnull=True).first()
    lessons = []
    for challenge in picked:
        happened = challenge.impact.strip()
        if challenge.response.strip():
            happened += f"\n\nWhat we did: {challenge.response.strip()}"
        lesson = _save(Lesson(
            title=_shorten(challenge.challenge, TITLE), what_happened=happened[:20_000],
            next_time=challenge.lesson.strip(), engagement=engagement, challenge=challenge,
            round=round, author=by,
        ))
        lesson.tags.set(tag_rows)
        lessons.append(lesson)
    record(
        engagement.account, EntryKind.EVALUATION,
        f"{len(lessons)} lesson{'s' if len(lessons) != 1 else ''} added to the team library",
        engagement=engagement, author=by, body="\n".join(f"- {x.title}" for x in lessons),
    )
    return lessons


# --- Templates ----------------------------------------------------------------------------------


def promote(document: Document, *, by: User, title: str = "") -> Document:
    """Make a team template of an engagement's document, in one step (it keeps its origin)."""
    return documents.save_as_template(document, by=by, title=title)


# --- Development plans -----------------------------------------------------------------------------


@transaction.atomic
def save_plan(user: User, data: dict[str, Any], *, by: User) -> DevelopmentPlan:
    plan = DevelopmentPlan.objects.select_for_update().filter(user=user).first()
    plan = plan or DevelopmentPlan(user=user)
    return _save(_set(plan, data, ("career_vision", "success_factors")))


ITEM_FIELDS = ("title", "target_date", "status")


@transaction.atomic
def add_item(plan: DevelopmentPlan, data: dict[str, Any], *, by: User) -> PlanItem:
    return _save(_set(PlanItem(plan=plan), data, ITEM_FIELDS))


@transaction.atomic
def update_item(item: PlanItem, data: dict[str, Any], *, by: User) -> PlanItem:
    return _save(_set(item, data, ITEM_FIELDS))


@transaction.atomic
def delete_item(item: PlanItem, *, by: User) -> None:
    item.delete()


@transaction.atomic
def add_review(
    plan: DevelopmentPlan, *, held_on: dt.date, reviewer: User, notes: str, next_steps: str = "",
    by: User,
) -> PlanReview:
    """Record a formal review of the plan, held with a leader or a peer."""
    if reviewer.pk == plan.user_id:
        raise ValidationError({"reviewer": "A review is held with a leader or a peer, not alone."})
    if not reviewer.is_active or reviewer.is_readonly:
        raise ValidationError({"reviewer": f"{reviewer} cannot review: choose a leader or a CSM."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Record a review once it has been held."})
    return _save(PlanReview(plan=plan, held_on=held_on, reviewer=reviewer, notes=notes,
                            next_steps=next_steps))
