"""API schemas of engagement evaluation: rounds, lessons, templates, development plans."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.evaluation.models import MAX_TAGS, TAG_LENGTH
from cairn.validation import NO_NUL, Day, Note, Title

Kind = Literal["retention", "expansion", "product_insight", "experience_insight"]
TeamKey = Literal["product", "sales", "marketing", "support", "services", "leadership"]
Status = Literal["planned", "in_progress", "done", "dropped"]
TagName = Annotated[str, MaxLen(TAG_LENGTH), NO_NUL]
Tags = Annotated[list[TagName], MaxLen(MAX_TAGS)]


class CustomerValueOut(Schema):
    id: int
    what: str
    measured_how: str
    known_to_customer: bool | None = Field(description="None only on rounds recorded before the structure.")
    known_to_us: bool | None


class CompanyValueOut(Schema):
    id: int
    kind: str
    description: str
    reported_to: list[str]

    @staticmethod
    def resolve_reported_to(value: object) -> list[str]:
        return value.teams  # type: ignore[attr-defined,no-any-return]


class RoundOut(Schema):
    id: int
    engagement: int = Field(alias="engagement_id")
    account_name: str = Field(alias="engagement.account.name")
    opened_at: dt.datetime
    opened_by: int | None = Field(alias="opened_by_id")
    closed_at: dt.datetime | None
    is_open: bool
    customer_values: list[CustomerValueOut]
    company_values: list[CompanyValueOut]
    lessons: list[int]

    @staticmethod
    def resolve_customer_values(round: object) -> list[object]:
        return list(round.customer_values.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_company_values(round: object) -> list[object]:
        return list(round.company_values.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_lessons(round: object) -> list[int]:
        return [lesson.pk for lesson in round.library_lessons.all()]  # type: ignore[attr-defined]


class CustomerValueIn(Schema):
    what: Title
    measured_how: Note = ""
    known_to_customer: bool
    known_to_us: bool


class CustomerValuePatch(Schema):
    what: Title | None = None
    measured_how: Note | None = None
    known_to_customer: bool | None = None
    known_to_us: bool | None = None


class CompanyValueIn(Schema):
    kind: Kind
    description: Note = Field("", description="Empty removes what the round recorded of this kind.")
    reported_to: Annotated[list[TeamKey], MaxLen(6)] = []


class LessonOut(Schema):
    id: int
    title: str
    what_happened: str
    next_time: str
    tags: list[str]
    engagement: int | None = Field(alias="engagement_id")
    challenge: int | None = Field(alias="challenge_id")
    round: int | None = Field(alias="round_id")
    author: int | None = Field(alias="author_id")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_tags(lesson: object) -> list[str]:
        return [t.name for t in lesson.tags.all()]  # type: ignore[attr-defined]


class LessonIn(Schema):
    title: Title
    what_happened: Note
    next_time: Note = ""
    tags: Tags = []
    engagement: int | None = Field(None, description="The engagement it was learned in.")


class LessonPatch(Schema):
    title: Title | None = None
    what_happened: Note | None = None
    next_time: Note | None = None
    tags: Tags | None = None


class GatherIn(Schema):
    challenges: Annotated[list[int], MaxLen(200)] = Field(
        description="Ids of challenges of the engagement's log "
        "(GET /adoption/engagements/{id}/lessons lists the flagged ones)."
    )
    tags: Tags = []


class TagOut(Schema):
    id: int
    name: str
    lessons: int = Field(alias="lessons_count", description="Lessons carrying it.")


class TemplateOut(Schema):
    id: int
    title: str
    doc_type: str
    kind: str
    reuses: int = Field(description="Documents started from it.")
    origin: int | None = Field(alias="origin_id", description="The document it was promoted from.")
    origin_engagement: int | None = None

    @staticmethod
    def resolve_origin_engagement(template: object) -> int | None:
        origin = template.origin  # type: ignore[attr-defined]
        return origin.engagement_id if origin is not None else None


class PromoteIn(Schema):
    title: Annotated[str, MaxLen(200), NO_NUL] = Field("", description="Empty keeps the document's title.")


class DevelopmentPlanItemOut(Schema):
    id: int
    title: str
    target_date: dt.date
    status: str


class DevelopmentPlanReviewOut(Schema):
    id: int
    held_on: dt.date
    reviewer: int = Field(alias="reviewer_id")
    reviewer_name: str
    notes: str
    next_steps: str

    @staticmethod
    def resolve_reviewer_name(review: object) -> str:
        return str(review.reviewer)  # type: ignore[attr-defined]


class DevelopmentPlanOut(Schema):
    id: int
    user: int = Field(alias="user_id")
    user_name: str
    career_vision: str
    success_factors: list[str]
    items: list[DevelopmentPlanItemOut]
    reviews: list[DevelopmentPlanReviewOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_user_name(plan: object) -> str:
        return str(plan.user)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_success_factors(plan: object) -> list[str]:
        return plan.factors  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_items(plan: object) -> list[object]:
        return list(plan.items.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_reviews(plan: object) -> list[object]:
        return list(plan.reviews.all())  # type: ignore[attr-defined]


class DevelopmentPlanIn(Schema):
    career_vision: Note = ""
    success_factors: Note = Field("", description="One per line.")


class DevelopmentPlanItemIn(Schema):
    title: Title
    target_date: Day
    status: Status = "planned"


class DevelopmentPlanItemPatch(Schema):
    title: Title | None = None
    target_date: Day | None = None
    status: Status | None = None


class DevelopmentPlanReviewIn(Schema):
    held_on: Day
    reviewer: int = Field(description="A leader or a peer; not the plan's owner.")
    notes: Note
    next_steps: Note = ""

