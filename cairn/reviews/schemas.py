"""API schemas of business reviews: review programmes, the reviews prepared and held under
them, their decisions and follow-up tasks.

Every name starts with Review: the OpenAPI document names each schema by its class name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.reviews.models import MAX_CADENCE_MONTHS, MAX_MINUTES, MIN_MINUTES
from cairn.validation import Day, Note, Title

ReviewKindValue = Literal["qbr", "ebr"]
ReviewFormatValue = Literal["on_site", "video", "hybrid"]
ReviewStatusValue = Literal["draft", "held", "cancelled"]
Ids = Annotated[list[int], MaxLen(100)]
Decisions = Annotated[list[Title], MaxLen(50)]
Cadence = Annotated[int, Field(ge=1, le=MAX_CADENCE_MONTHS, description="Months between two reviews.")]
Minutes = Annotated[int, Field(ge=MIN_MINUTES, le=MAX_MINUTES, description="How long a review lasts.")]


class ReviewProgramOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.name")
    kind: str = Field(description="qbr (quarterly business review) or ebr (executive business review).")
    purpose: str
    our_attendees: list[int] = Field(description="The users who attend from our side.")
    customer_attendees: list[int] = Field(description="The account's contacts who attend.")
    cadence_months: int
    duration_minutes: int
    format: str
    agenda: str = Field(description="The agenda each review starts from, one item per line.")
    next_date: dt.date | None
    last_held: dt.date | None = Field(description="The day the last review of it was held.")
    draft: int | None = Field(alias="draft_pk", description="The id of its newest draft review.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_our_attendees(obj: Any) -> list[int]:
        return [user.pk for user in obj.our_attendees.all()]

    @staticmethod
    def resolve_customer_attendees(obj: Any) -> list[int]:
        return [contact.pk for contact in obj.customer_attendees.all()]


class ReviewProgramIn(Schema):
    account: int
    kind: ReviewKindValue = "qbr"
    purpose: Note = Field(min_length=1, description="What the customer sees in these reviews, and why.")
    our_attendees: Ids = Field(default_factory=list)
    customer_attendees: Ids = Field(default_factory=list, description="Contacts of the same account.")
    cadence_months: Cadence = 3
    duration_minutes: Minutes = 60
    format: ReviewFormatValue = "video"
    agenda: Note = Field("", description="One item per line; the kind's default agenda if left empty.")
    next_date: Day | None = None


class ReviewProgramPatch(Schema):
    kind: ReviewKindValue | None = None
    purpose: Note | None = Field(None, min_length=1)
    our_attendees: Ids | None = Field(None, description="Replaces the list.")
    customer_attendees: Ids | None = Field(None, description="Replaces the list.")
    cadence_months: Cadence | None = None
    duration_minutes: Minutes | None = None
    format: ReviewFormatValue | None = None
    agenda: Note | None = None
    next_date: Day | None = None


class ReviewPrepareIn(Schema):
    date: Day = Field(description="The meeting day.")
    period_start: Day | None = Field(
        None, description="Since the last review held, or one cadence before the meeting, if left out."
    )
    period_end: Day | None = Field(None, description="The meeting day if left out.")
    engagement: int | None = Field(
        None, description="The engagement it reports on; the account's active one if left out."
    )


class ReviewOut(Schema):
    id: int
    program: int = Field(alias="program_id")
    kind: str = Field(alias="program.kind")
    account: int = Field(alias="program.account_id")
    account_name: str = Field(alias="program.account.name")
    engagement: int | None = Field(alias="engagement_id")
    date: dt.date
    period_start: dt.date
    period_end: dt.date
    status: str = Field(description="draft, held or cancelled.")
    held_on: dt.date | None
    exported_at: dt.datetime | None = Field(description="When its deck and PDF were last built.")
    prepared_by: int | None = Field(alias="prepared_by_id")
    created_at: dt.datetime
    updated_at: dt.datetime


class ReviewDecisionOut(Schema):
    id: int
    text: str
    position: int


class ReviewFollowUpOut(Schema):
    id: int
    task: int = Field(alias="task_id")
    title: str = Field(alias="task.title")
    assignee: int = Field(alias="task.assignee_id")
    due_date: dt.date | None = Field(alias="task.due_date")
    status: str = Field(alias="task.status")


class ReviewDetailOut(ReviewOut):
    agenda: str
    summary: str
    value_text: str
    adoption_text: str
    health_text: str
    support_text: str
    risks_text: str
    roadmap_text: str
    asks_text: str
    minutes: str
    decisions: list[ReviewDecisionOut]
    follow_ups: list[ReviewFollowUpOut]
    deck: int | None = Field(alias="deck_id", description="The slide deck's document in the repository.")
    deck_version: int | None = Field(description="The number of the deck's current version.")
    handout: int | None = Field(alias="handout_id", description="The PDF's document in the repository.")
    handout_version: int | None = Field(description="The number of the PDF's current version.")

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_follow_ups(obj: Any) -> list[Any]:
        return list(obj.follow_ups.all())

    @staticmethod
    def resolve_deck_version(obj: Any) -> int | None:
        version = obj.deck.current_version if obj.deck_id else None
        return version.number if version else None

    @staticmethod
    def resolve_handout_version(obj: Any) -> int | None:
        version = obj.handout.current_version if obj.handout_id else None
        return version.number if version else None


class ReviewPatch(Schema):
    date: Day | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    engagement: int | None = Field(None, description="null: it reports on no engagement.")
    agenda: Note | None = None
    summary: Note | None = None
    value_text: Note | None = None
    adoption_text: Note | None = None
    health_text: Note | None = None
    support_text: Note | None = None
    risks_text: Note | None = None
    roadmap_text: Note | None = None
    asks_text: Note | None = None


class ReviewMeetingIn(Schema):
    held_on: Day
    minutes: Note = Field(min_length=1, description="What was said.")
    decisions: Decisions = Field(default_factory=list, description="In order; replaces any recorded before.")


class ReviewFollowUpIn(Schema):
    title: Title = Field(min_length=1)
    assignee: int
    due_date: Day | None = None
    description: Note = ""


class ReviewProgramFilter(Schema):
    account: int | None = None
    kind: ReviewKindValue | None = None


class ReviewFilter(Schema):
    program: int | None = None
    account: int | None = None
    status: ReviewStatusValue | None = None
