"""Who may read and change what in engagement evaluation. Built on cairn.people.permissions.

A round is its engagement's: who may change the engagement answers its questions. A lesson
belongs to the team: every writer adds one; its author looks after it and leaders curate.
A development plan is personal: its CSM and CS leaders read and change it (admins are
leaders in Cairn's role model); nobody else reads it, not even a peer named as a reviewer
(the table of route rules has no rule for "the reviewer of one review", so that is left out).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from cairn.evaluation.models import DevelopmentPlan, Lesson, PlanItem
from cairn.people import permissions
from cairn.people.models import User

PLAN_REFUSAL = "Only its owner and CS leaders may change a development plan."
LESSON_REFUSAL = "Only its author and CS leaders may change a lesson."


def can_read_plan(user: User | AnonymousUser, plan: DevelopmentPlan) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return plan.user_id == user.pk or permissions.is_leader(user)


def can_change_plan(user: User | AnonymousUser, plan: DevelopmentPlan) -> bool:
    return permissions.can_write(user) and can_read_plan(user, plan)


def can_change_plan_item(user: User | AnonymousUser, item: PlanItem) -> bool:
    return can_change_plan(user, item.plan)


def visible_plans(user: User | AnonymousUser) -> QuerySet[DevelopmentPlan]:
    """The plans the user may read: every plan for a leader, their own for anyone else."""
    plans = DevelopmentPlan.objects.select_related("user")
    if not (user.is_authenticated and user.is_active):
        return plans.none()
    if permissions.is_leader(user):
        return plans
    return plans.filter(user=user.pk)


def can_change_lesson(user: User | AnonymousUser, lesson: Lesson) -> bool:
    if not permissions.can_write(user):
        return False
    return permissions.is_leader(user) or lesson.author_id == user.pk
