"""Reading business reviews: the book's programmes by their next review (overdue first), the
drafts and the reviews held lately, one review with what it needs on its page, and what the
account page, "my work" and a CSM's home show of them, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cairn.bounds import INT_MAX
from cairn.reviews.models import Kind, Program, Review, Status

DUE_DAYS = 30  # a programme shows in "my work" this many days before its next review
LIST_ROWS = 10  # drafts and recently held reviews on the list page


def programs() -> QuerySet[Program]:
    """Programmes with their account and owner, the day of the last review held and the
    newest draft (its pk and date, None without one)."""
    drafts = Review.objects.filter(program=OuterRef("pk"), status=Status.DRAFT).order_by("-date", "-pk")
    return Program.objects.select_related("account", "account__owner").annotate(
        last_held=Max("reviews__held_on", filter=Q(reviews__status=Status.HELD)),
        draft_pk=Subquery(drafts.values("pk")[:1]),
        draft_date=Subquery(drafts.values("date")[:1]),
    )


def by_next_date(found: QuerySet[Program]) -> QuerySet[Program]:
    """The soonest next review first, so the overdue ones lead; undated ones last."""
    return found.order_by(F("next_date").asc(nulls_last=True), "account__name", "kind", "pk")


def reviews() -> QuerySet[Review]:
    return Review.objects.select_related("program__account", "program__account__owner", "prepared_by")


def review_page() -> QuerySet[Review]:
    """A review with what its page shows: the account, the engagement, the deck and the PDF
    with their current versions, and who prepared it."""
    return Review.objects.select_related(
        "program__account__owner", "engagement", "prepared_by",
        "deck__current_version", "handout__current_version",
    )


def follow_ups(review: Review) -> list[Any]:
    return list(review.follow_ups.select_related("task__assignee").order_by("task__due_date", "pk"))


@dataclass
class Filters:
    owner: str = ""  # "", "me" or an owner's id, as the page's select sends it
    kind: str = ""

    def owner_id(self, user_pk: int) -> int | None:
        if self.owner == "me":
            return user_pk
        return int(self.owner) if self.owner else None


def _id(value: Any) -> str:
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return ""
    return text if 1 <= int(text) <= INT_MAX else ""


def parse_filters(params: Mapping[str, Any]) -> Filters:
    """Filters from the list's query string; what is not a known value is ignored."""
    owner = params.get("owner") or ""
    kind = params.get("kind") or ""
    return Filters(
        owner="me" if owner == "me" else _id(owner),
        kind=kind if kind in Kind.values else "",
    )


def filtered(filters: Filters, user_pk: int) -> tuple[QuerySet[Program], QuerySet[Review]]:
    """The programmes and the reviews the filters keep."""
    found, held = programs(), reviews()
    owner = filters.owner_id(user_pk)
    if owner is not None:
        found = found.filter(account__owner=owner)
        held = held.filter(program__account__owner=owner)
    if filters.kind:
        found = found.filter(kind=filters.kind)
        held = held.filter(program__kind=filters.kind)
    return by_next_date(found), held


def drafts(found: QuerySet[Review]) -> list[Review]:
    """The drafts, the soonest meeting first."""
    return list(found.filter(status=Status.DRAFT).order_by("date", "pk")[:LIST_ROWS])


def recently_held(found: QuerySet[Review]) -> list[Review]:
    return list(found.filter(status=Status.HELD).order_by("-held_on", "-pk")[:LIST_ROWS])


def mark(rows: list[Program], today: dt.date) -> list[Program]:
    """Each programme's days until its next review (negative once overdue; None undated)
    and how many days overdue it is."""
    for program in rows:
        left = (program.next_date - today).days if program.next_date else None
        program.days_left = left  # type: ignore[attr-defined]
        program.days_overdue = -left if left is not None and left < 0 else 0  # type: ignore[attr-defined]
    return rows


def account_page(request: Any, account: Any) -> dict[str, Any]:
    """The account page's business reviews: its programmes with their next date, the last
    review held and the draft in progress; one query."""
    rows = list(programs().filter(account=account).order_by("kind", "pk"))
    return {
        "account_review_programs": mark(rows, timezone.localdate()),
        "account_review_kinds_left": len(Kind.values) - len(rows),
    }


def due(user: Any) -> dict[str, Any]:
    """What the user has to do about business reviews: the programmes of the accounts they
    own whose next review is within DUE_DAYS or overdue, and the drafts they prepared whose
    meeting day has passed (the minutes to record). Two queries."""
    today = timezone.localdate()
    coming = by_next_date(programs().filter(
        account__owner=user.pk, next_date__isnull=False, next_date__lte=today + dt.timedelta(days=DUE_DAYS)
    ))
    past = list(
        reviews().filter(prepared_by=user.pk, status=Status.DRAFT, date__lt=today).order_by("date", "pk")
    )
    # A programme whose draft waits for its minutes is listed once, as the minutes to record.
    waiting = {r.program_id for r in past}
    return {
        "reviews_due": mark([p for p in coming if p.pk not in waiting], today),
        "reviews_to_record": past,
        "reviews_due_days": DUE_DAYS,
    }


def my_work(request: Any, user: Any) -> dict[str, Any]:
    return due(user)


def home(request: Any, user: Any) -> dict[str, Any]:
    """The CSM's home: the same as "my work", as a "Business reviews" section."""
    return {**due(user), "home_sections": ["reviews/_home.html"]}
