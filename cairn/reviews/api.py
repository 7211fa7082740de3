"""Business reviews in the API: an account's review programmes (QBR, EBR), the reviews prepared
under them with their draft text, the meeting recorded (minutes, decisions), follow-up tasks
cancelling, and building the deck and PDF.

The same rules as the pages: everyone reads; who may change the account keeps its programmes
and reviews. Writes go through cairn.reviews.actions.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.people import access
from cairn.people.models import User
from cairn.resources import tagged
from cairn.reviews import actions, queries
from cairn.reviews.actions import REFUSAL
from cairn.reviews.models import FollowUp, Program, Review
from cairn.reviews.schemas import (
    ReviewDetailOut,
    ReviewFilter,
    ReviewFollowUpIn,
    ReviewFollowUpOut,
    ReviewMeetingIn,
    ReviewOut,
    ReviewPatch,
    ReviewPrepareIn,
    ReviewProgramFilter,
    ReviewProgramIn,
    ReviewProgramOut,
    ReviewProgramPatch,
)

router = Router(tags=["reviews"])

# Fields a PATCH may leave out but not null.
PROGRAM_NOT_NULL = (
    "kind", "purpose", "our_attendees", "customer_attendees", "cadence_months", "duration_minutes",
    "format", "agenda",
)
REVIEW_NOT_NULL = (
    "date", "period_start", "period_end", "agenda", "summary", "value_text", "adoption_text",
    "health_text", "support_text", "risks_text", "roadmap_text", "asks_text",
)


def _programs() -> QuerySet[Program]:
    return queries.programs().prefetch_related("our_attendees", "customer_attendees")


def _program(program_id: int) -> Program:
    return _programs().get(pk=program_id)


def _reviews() -> QuerySet[Review]:
    return queries.reviews()


def _review(review_id: int) -> Review:
    """One review with everything its answer shows, in a fixed number of queries."""
    found = queries.review_page().prefetch_related(
        "decisions", Prefetch("follow_ups", FollowUp.objects.select_related("task")),
    )
    return get_object_or_404(found, pk=review_id)


def _not_null(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A PATCH may leave a field out, not null one that cannot be empty: a 400 naming it."""
    nulled = [name for name in names if name in data and data[name] is None]
    if nulled:
        raise ValidationError({name: "This field cannot be null." for name in nulled})
    return data


def _all(model: type[Model], ids: list[int], field: str) -> list[Any]:
    """The records a list of ids names, in its order; a 400 naming the field for one missing."""
    found = model._default_manager.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        name = model._meta.verbose_name
        raise ValidationError({field: f"There is no {name} with id {missing[0]}."})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _changeable_program(request: HttpRequest, program_id: int) -> tuple[Program, User]:
    user = user_of(request)
    found = access.account_item(
        user, Program.objects.select_related("account"), message=REFUSAL, pk=program_id
    )
    return found, user


def _changeable_review(request: HttpRequest, review_id: int) -> tuple[Review, User]:
    user = user_of(request)
    found = access.account_item(
        user, Review.objects.select_related("program__account"), via="program.account", message=REFUSAL,
        pk=review_id,
    )
    return found, user


# --- Programmes -------------------------------------------------------------------------------


@router.get("/programs", response=list[ReviewProgramOut],
            summary="List review programmes, the soonest next review first")
@paginate(Pagination)
def list_programs(request: HttpRequest, filters: Query[ReviewProgramFilter]) -> QuerySet[Program]:
    found = _programs()
    if filters.account is not None:
        found = found.filter(account=filters.account)
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    return queries.by_next_date(found)


@router.post("/programs", response={201: ReviewProgramOut, **WRITE_ERRORS},
             summary="Start reviewing an account: one programme per kind (QBR, EBR)")
def create_program(request: HttpRequest, payload: ReviewProgramIn) -> tuple[int, Program]:
    user = user_of(request)
    account = access.editable_account(user, payload.account, message=REFUSAL, field="account")
    ours = _all(User, payload.our_attendees, "our_attendees")
    theirs = _all(Contact, payload.customer_attendees, "customer_attendees")
    data = payload.model_dump(exclude={"account", "our_attendees", "customer_attendees"})
    program = Program(account=account, **data)
    tagged(Program, lambda: actions.create_program(program, ours=ours, theirs=theirs, by=user))
    return 201, _program(program.pk)


@router.get("/programs/{int:program_id}", response={200: ReviewProgramOut, **READ_ERRORS},
            summary="Read a review programme")
def get_program(request: HttpRequest, program_id: int) -> Program:
    return get_object_or_404(_programs(), pk=program_id)


@router.patch("/programs/{int:program_id}", response={200: ReviewProgramOut, **WRITE_ERRORS},
              summary="Change a review programme: its purpose, attendees, cadence, agenda, next date")
def update_program(request: HttpRequest, program_id: int, payload: ReviewProgramPatch) -> Program:
    program, user = _changeable_program(request, program_id)
    data = _not_null(payload.model_dump(exclude_unset=True), PROGRAM_NOT_NULL)
    ours = data.pop("our_attendees", None)
    theirs = data.pop("customer_attendees", None)
    users = _all(User, ours, "our_attendees") if ours is not None else None
    contacts = _all(Contact, theirs, "customer_attendees") if theirs is not None else None
    tagged(Program, lambda: actions.update_program(program, data, ours=users, theirs=contacts, by=user))
    return _program(program.pk)


@router.delete("/programs/{int:program_id}", response={204: None, **WRITE_ERRORS},
               summary="Stop a review programme; its reviews go with it, their decks stay")
def delete_program(request: HttpRequest, program_id: int) -> tuple[int, None]:
    program, user = _changeable_program(request, program_id)
    actions.delete_program(program, by=user)
    return 204, None


@router.post("/programs/{int:program_id}/reviews", response={201: ReviewDetailOut, **WRITE_ERRORS},
             summary="Prepare a review: a draft whose text Cairn gathers from the account's data")
def prepare_review(request: HttpRequest, program_id: int, payload: ReviewPrepareIn) -> tuple[int, Review]:
    program, user = _changeable_program(request, program_id)
    engagement = None
    if payload.engagement is not None:
        engagement = related(Engagement, payload.engagement, "engagement")
    details = actions.Prepare(
        date=payload.date, period_start=payload.period_start, period_end=payload.period_end,
        engagement=engagement,
    )
    review = tagged(Review, lambda: actions.prepare_review(program, details, by=user))
    return 201, _review(review.pk)


# --- Reviews ----------------------------------------------------------------------------------


@router.get("/reviews", response=list[ReviewOut], summary="List reviews, the latest meeting first")
@paginate(Pagination)
def list_reviews(request: HttpRequest, filters: Query[ReviewFilter]) -> QuerySet[Review]:
    found = _reviews()
    if filters.program is not None:
        found = found.filter(program=filters.program)
    if filters.account is not None:
        found = found.filter(program__account=filters.account)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    return found.order_by("-date", "-pk")


@router.get("/reviews/{int:review_id}", response={200: ReviewDetailOut, **READ_ERRORS},
            summary="Read a review: its text, minutes, decisions, follow-up tasks, deck and PDF")
def get_review(request: HttpRequest, review_id: int) -> Review:
    return _review(review_id)


@router.patch("/reviews/{int:review_id}", response={200: ReviewDetailOut, **WRITE_ERRORS},
              summary="Edit a draft review: its dates, engagement, agenda and text")
def update_review(request: HttpRequest, review_id: int, payload: ReviewPatch) -> Review:
    review, user = _changeable_review(request, review_id)
    data = _not_null(payload.model_dump(exclude_unset=True), REVIEW_NOT_NULL)
    if data.get("engagement") is not None:
        data["engagement"] = related(Engagement, data["engagement"], "engagement")
    tagged(Review, lambda: actions.update_review(review, data, by=user))
    return _review(review.pk)


@router.delete("/reviews/{int:review_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a review; its decks stay in the repository, its tasks with their assignees")
def delete_review(request: HttpRequest, review_id: int) -> tuple[int, None]:
    review, user = _changeable_review(request, review_id)
    actions.delete_review(review, by=user)
    return 204, None


@router.post("/reviews/{int:review_id}/meeting", response={200: ReviewDetailOut, **WRITE_ERRORS},
             summary="Record the meeting: when it was held, the minutes and the decisions")
def record_meeting(request: HttpRequest, review_id: int, payload: ReviewMeetingIn) -> Review:
    """The programme's next review moves one cadence after the meeting."""
    review, user = _changeable_review(request, review_id)
    meeting = actions.Meeting(held_on=payload.held_on, minutes=payload.minutes, decisions=payload.decisions)
    tagged(Review, lambda: actions.record_meeting(review, meeting, by=user))
    return _review(review.pk)


@router.post("/reviews/{int:review_id}/follow-ups", response={201: ReviewFollowUpOut, **WRITE_ERRORS},
             summary="Add a follow-up task agreed in the review, in its assignee's work")
def add_follow_up(request: HttpRequest, review_id: int, payload: ReviewFollowUpIn) -> tuple[int, FollowUp]:
    review, user = _changeable_review(request, review_id)
    task = actions.Task(
        title=payload.title, assignee=related(User, payload.assignee, "assignee"),
        due_date=payload.due_date, description=payload.description,
    )
    created = tagged(FollowUp, lambda: actions.add_follow_up(review, task, by=user))
    return 201, FollowUp.objects.select_related("task").get(pk=created.pk)


@router.post("/reviews/{int:review_id}/export", response={200: ReviewDetailOut, **WRITE_ERRORS},
             summary="Build a draft review's deck (PPTX) and PDF",
             description="Each build adds a version to the review's deck and PDF documents in its "
                         "engagement's repository; `deck` and `handout` then name them.")
def export_review(request: HttpRequest, review_id: int) -> Review:
    user = user_of(request)
    review = access.item(
        user, Review.objects.select_related("program__account", "engagement", "deck", "handout"),
        actions.can_export, actions.DOCUMENT_REFUSAL, pk=review_id,
    )
    tagged(Review, lambda: actions.export_review(review, by=user))
    return _review(review.pk)


@router.post("/reviews/{int:review_id}/cancel", response={200: ReviewDetailOut, **WRITE_ERRORS},
             summary="Cancel a draft review")
def cancel_review(request: HttpRequest, review_id: int) -> Review:
    review, user = _changeable_review(request, review_id)
    tagged(Review, lambda: actions.cancel_review(review, by=user))
    return _review(review.pk)
