"""Reading engagement evaluation: rounds with their answers, the lessons library, plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from cairn.adoption.models import Challenge
from cairn.engagements.models import Engagement, Evaluation
from cairn.evaluation.models import DevelopmentPlan, Lesson, PlanReview, Tag

MAX_WORDS = 8


def rounds() -> QuerySet[Evaluation]:
    """Rounds with their engagement and both answers, in a constant number of queries."""
    return Evaluation.objects.select_related(
        "engagement", "engagement__account", "engagement__current_phase", "opened_by"
    ).prefetch_related(
        "customer_values", "company_values",
        Prefetch("library_lessons", queryset=Lesson.objects.order_by("pk")),
    )


def lessons() -> QuerySet[Lesson]:
    return Lesson.objects.select_related(
        "engagement", "engagement__account", "challenge", "author"
    ).prefetch_related("tags")


@dataclass
class LessonSearch:
    q: str = ""
    tag: str = ""

    @property
    def words(self) -> list[str]:
        return self.q.split()[:MAX_WORDS]


def search_lessons(search: LessonSearch) -> QuerySet[Lesson]:
    """Lessons holding every word (in the title, what happened or what to do next time),
    with the tag if one is named; newest first."""
    found = lessons()
    for word in search.words:
        found = found.filter(
            Q(title__icontains=word) | Q(what_happened__icontains=word) | Q(next_time__icontains=word)
        )
    if search.tag:
        found = found.filter(tags__name__iexact=search.tag)
    return found.order_by("-created_at", "-pk")


def tags_in_use() -> QuerySet[Tag]:
    return Tag.objects.filter(lessons__isnull=False).distinct().order_by("name")


def challenges_to_gather(engagement: Engagement) -> list[Challenge]:
    """The engagement's challenge log, those flagged as lessons first (the ones
    GET /api/v1/adoption/engagements/{id}/lessons lists), each with the lesson it already
    became, if any."""
    log = list(
        engagement.challenges.order_by("-is_lesson", "-raised_on", "-pk").prefetch_related(
            Prefetch("library_lessons", queryset=Lesson.objects.only("pk", "title", "challenge"))
        )
    )
    for challenge in log:
        taken = list(challenge.library_lessons.all())  # type: ignore[attr-defined]
        challenge.in_library = taken[0] if taken else None  # type: ignore[attr-defined]
    return log


PLAN_PREFETCH = ("items", Prefetch("reviews", queryset=PlanReview.objects.select_related("reviewer")))


def plan_details() -> QuerySet[DevelopmentPlan]:
    return DevelopmentPlan.objects.select_related("user").prefetch_related(*PLAN_PREFETCH)


def engagement_page(request: HttpRequest, engagement: Engagement) -> dict[str, Any]:
    """For the engagement page (cairn.pages): its rounds with their answers."""
    return {"evaluation_rounds": list(rounds().filter(engagement=engagement).order_by("-opened_at"))}
