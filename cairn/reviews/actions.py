"""Domain actions of business reviews: keep an account's review programmes, prepare a review
(its draft text gathered from the account's data), edit the draft, export the deck and the
PDF as document versions, record the meeting (minutes, decisions, follow-up tasks) and move
the programme's next date on. Each owns its transaction and writes the account's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.documents import actions as documents
from cairn.documents import rules as document_rules
from cairn.documents.models import Document, DocumentType
from cairn.engagements.models import Engagement
from cairn.engagements.models import Status as EngagementStatus
from cairn.people import permissions
from cairn.people.models import User
from cairn.reviews import facts as gathered
from cairn.reviews.models import SECTIONS, Decision, FollowUp, Program, Review, Status
from cairn.timeline import actions as timeline
from cairn.timeline.models import EntryKind
from cairn.validation import assignable

REFUSAL = "You may not change this account's business reviews: you neither own it nor work on it."
DOCUMENT_REFUSAL = (
    "You may not add the deck to this engagement's repository: you neither lead it nor work on it."
)

PROGRAM_EDITABLE = frozenset({
    "kind", "purpose", "cadence_months", "duration_minutes", "format", "agenda", "next_date",
})
REVIEW_EDITABLE = frozenset({
    "date", "period_start", "period_end", "engagement", "agenda", *(name for name, _ in SECTIONS),
})
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _record(review_or_program: Review | Program, title: str, *, by: User | None, body: str = "") -> None:
    if isinstance(review_or_program, Review):
        account, engagement = review_or_program.program.account, review_or_program.engagement
    else:
        account, engagement = review_or_program.account, None
    timeline.record(
        account, EntryKind.MEETING if "held" in title else EntryKind.PLANNING, title,
        engagement=engagement, body=body, author=by, link=review_or_program.get_absolute_url(),
    )


def _attendees(program: Program, ours: Sequence[User], theirs: Sequence[Contact]) -> None:
    for user in ours:
        assignable(user, "our_attendees")
    strangers = [c for c in theirs if c.account_id != program.account_id]
    if strangers:
        raise ValidationError({"customer_attendees": f"Choose contacts of {program.account}."})
    program.our_attendees.set(ours)
    program.customer_attendees.set(theirs)


@transaction.atomic
def create_program(
    program: Program, *, ours: Sequence[User] = (), theirs: Sequence[Contact] = (), by: User
) -> Program:
    """Start reviewing an account: one programme per kind. An empty agenda starts from the
    kind's default agenda."""
    if not program.agenda.strip():
        from cairn.reviews.models import DEFAULT_AGENDA

        program.agenda = DEFAULT_AGENDA[program.kind]  # type: ignore[index]
    program.full_clean()
    program.save()
    _attendees(program, ours, theirs)
    when = f", first on {program.next_date:%d %b %Y}" if program.next_date else ""
    _record(program, f"{program.short} programme started: every {program.cadence_months} months{when}", by=by)
    return program


@transaction.atomic
def update_program(
    program: Program, changes: dict[str, Any], *, ours: Sequence[User] | None = None,
    theirs: Sequence[Contact] | None = None, by: User,
) -> Program:
    unknown = set(changes) - PROGRAM_EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    program = Program.objects.select_for_update().select_related("account").get(pk=program.pk)
    for name, value in changes.items():
        setattr(program, name, value)
    program.full_clean()
    program.save()
    if ours is not None or theirs is not None:
        _attendees(
            program,
            list(program.our_attendees.all()) if ours is None else ours,
            list(program.customer_attendees.all()) if theirs is None else theirs,
        )
    return program


@transaction.atomic
def delete_program(program: Program, *, by: User) -> None:
    """Stop reviewing the account this way; its reviews go with it, their decks stay in the
    repository."""
    _record(program, f"{program.short} programme stopped", by=by)
    program.delete()


def default_engagement(account: Account) -> Engagement | None:
    """The engagement a review reports on: the account's active one started last, else its
    latest."""
    found = Engagement.objects.filter(account=account).order_by("-start_date", "-pk")
    return found.filter(status=EngagementStatus.ACTIVE).first() or found.first()


def default_period(program: Program, day: dt.date) -> tuple[dt.date, dt.date]:
    """Since the last review held, or one cadence back, until the meeting day."""
    held = program.reviews.filter(status=Status.HELD, held_on__lt=day).order_by("-held_on")
    last = held.values_list("held_on", flat=True).first()
    start = last if last is not None else day - relativedelta(months=program.cadence_months)
    return start, day


@dataclass
class Prepare:
    date: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    engagement: Engagement | None = None


@transaction.atomic
def prepare_review(program: Program, details: Prepare, *, by: User) -> Review:
    """A draft review of the programme, its text gathered from the account's data over the
    period; the CSM edits it before exporting."""
    program = Program.objects.select_for_update().select_related("account").get(pk=program.pk)
    start, end = default_period(program, details.date)
    engagement = details.engagement or default_engagement(program.account)
    if engagement is not None and engagement.account_id != program.account_id:
        raise ValidationError({"engagement": f"Choose an engagement of {program.account}."})
    review = Review(
        program=program, engagement=engagement, date=details.date,
        period_start=details.period_start or start, period_end=details.period_end or end,
        agenda=program.agenda, prepared_by=by,
    )
    review.full_clean()
    for name, text in gathered.draft(gathered.gather(review)).items():
        setattr(review, name, text)
    review.full_clean()
    review.save()
    _record(review, f"{program.short} prepared for {review.date:%d %b %Y}", by=by)
    return review


def _locked(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related(
        "program__account", "engagement", "deck", "handout"
    ).get(pk=review.pk)


def _draft(review: Review) -> None:
    if not review.is_draft:
        raise ValidationError(
            f"It was {review.get_status_display().lower()}: the review cannot change any more."
        )


@transaction.atomic
def update_review(review: Review, changes: dict[str, Any], *, by: User) -> Review:
    """Edit the draft: its dates, the engagement it reports on, the agenda and the text."""
    unknown = set(changes) - REVIEW_EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    review = _locked(review)
    _draft(review)
    engagement = changes.get("engagement")
    if engagement is not None and engagement.account_id != review.program.account_id:
        raise ValidationError({"engagement": f"Choose an engagement of {review.program.account}."})
    for name, value in changes.items():
        setattr(review, name, value)
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def refresh_review(review: Review, *, by: User) -> Review:
    """Gather the figures again and replace the draft text with Cairn's: for a draft whose
    period or data moved on. The CSM's edits to the text are replaced."""
    review = _locked(review)
    _draft(review)
    for name, text in gathered.draft(gathered.gather(review)).items():
        setattr(review, name, text)
    review.full_clean()
    review.save()
    return review


def _file_name(review: Review, suffix: str) -> str:
    account = "".join(c if c.isalnum() else "-" for c in review.program.account.name).strip("-")[:60]
    return f"{review.program.short}-{account or 'account'}-{review.date:%Y-%m-%d}.{suffix}"


def _store(
    review: Review, current: Document | None, title: str, name: str, body: bytes, content_type: str,
    *, by: User,
) -> Document:
    upload = SimpleUploadedFile(name, body, content_type=content_type)
    engagement = review.engagement
    assert engagement is not None
    if current is None:
        return documents.create_uploaded(
            engagement, documents.Details(title=title, doc_type=DocumentType.REPORT), upload, by=by,
            comment="Built by Cairn from the review's draft",
        )
    base = current.current_version.number if current.current_version else 0
    documents.update_uploaded(
        current, documents.Details(title=current.title, doc_type=current.doc_type, phase=current.phase),
        base_version=base, by=by, upload=upload, comment="Built again from the review's draft",
    )
    current.refresh_from_db()
    return current


def can_export(user: User | AnonymousUser, review: Review) -> bool:
    """The deck goes into the review's engagement's repository: who may add documents there
    (and change the deck and PDF already in it) builds it. Without an engagement, who may
    change the account is told by the action to choose one."""
    engagement = review.engagement
    if engagement is None:
        return permissions.can_edit_account(user, review.program.account)
    return document_rules.can_add_documents(user, engagement) and all(
        document_rules.can_edit_document(user, document)
        for document in (review.deck, review.handout) if document is not None
    )


@transaction.atomic
def export_review(review: Review, *, by: User) -> Review:
    """Build the deck (PPTX) and the PDF from the draft and the figures, and keep each as a
    new version of its document in the engagement's repository. The caller checked
    can_export (cairn.people.access.item)."""
    review = _locked(review)
    if review.status != Status.DRAFT:
        raise ValidationError(
            f"It was {review.get_status_display().lower()}: the deck it had is kept in the repository."
        )
    if review.engagement is None:
        raise ValidationError({
            "engagement": "Choose the engagement whose repository keeps the deck: this account has none yet."
        })
    from cairn.reviews import deck  # matplotlib and python-pptx load on the first export only

    built = deck.render(review, gathered.gather(review))
    label = f"{review.program.short} {review.date:%d %b %Y}"
    review.deck = _store(
        review, review.deck, f"{label}: slide deck", _file_name(review, "pptx"), built.pptx, PPTX, by=by
    )
    review.handout = _store(
        review, review.handout, f"{label}: PDF", _file_name(review, "pdf"), built.pdf, "application/pdf",
        by=by,
    )
    review.exported_at = timezone.now()
    review.save(update_fields=["deck", "handout", "exported_at", "updated_at"])
    return review


@dataclass
class Meeting:
    held_on: dt.date
    minutes: str
    decisions: Sequence[str] = ()


@transaction.atomic
def record_meeting(review: Review, meeting: Meeting, *, by: User) -> Review:
    """The review was held: its minutes and decisions are kept, and the programme's next
    review is set one cadence after the meeting (unless a later one is already planned)."""
    review = _locked(review)
    if review.status == Status.CANCELLED:
        raise ValidationError("It was cancelled: record a new review instead.")
    if meeting.held_on > timezone.localdate():
        raise ValidationError({"held_on": "Record a meeting once it was held: this date is in the future."})
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": "Write what was said: the minutes are what the review leaves."})
    first_time = review.status == Status.DRAFT
    review.status = Status.HELD
    review.held_on = meeting.held_on
    review.minutes = meeting.minutes.strip()
    review.full_clean()
    review.save()
    review.decisions.all().delete()
    texts = [text.strip() for text in meeting.decisions if text.strip()]
    for position, text in enumerate(texts):
        decision = Decision(review=review, text=text, position=position)
        decision.full_clean(exclude=["review"])
        decision.save()
    if not first_time:  # the minutes corrected: the programme and the timeline know already
        return review
    program = Program.objects.select_for_update().get(pk=review.program_id)
    following = meeting.held_on + relativedelta(months=program.cadence_months)
    # The next date moves on when this meeting was the one planned (held early or late);
    # a later review planned already keeps its date.
    planned = max(review.date, meeting.held_on) + dt.timedelta(days=14)
    if program.next_date is None or program.next_date <= planned:
        program.next_date = following
        program.full_clean()
        program.save(update_fields=["next_date", "updated_at"])
    _record(
        review, f"{program.short} held on {meeting.held_on:%d %b %Y}", by=by,
        body="Decisions: " + "; ".join(texts) if texts else "",
    )
    return review


@transaction.atomic
def cancel_review(review: Review, *, by: User) -> Review:
    review = _locked(review)
    _draft(review)
    review.status = Status.CANCELLED
    review.save(update_fields=["status", "updated_at"])
    _record(review, f"{review.program.short} of {review.date:%d %b %Y} cancelled", by=by)
    return review


@transaction.atomic
def delete_review(review: Review, *, by: User) -> None:
    """Delete a review; its decks stay in the repository, and its follow-up tasks stay with
    their assignees."""
    _record(review, f"{review.program.short} of {review.date:%d %b %Y} deleted", by=by)
    review.delete()


@dataclass
class Task:
    title: str
    assignee: User
    due_date: dt.date | None = None
    description: str = ""


@transaction.atomic
def add_follow_up(review: Review, task: Task, *, by: User) -> FollowUp:
    """A task agreed in the review, in its assignee's "my work" like any other."""
    review = _locked(review)
    if review.status == Status.CANCELLED:
        raise ValidationError("It was cancelled: a cancelled review has no follow-up.")
    created = timeline.create_task(
        title=task.title, assignee=task.assignee, account=review.program.account, created_by=by,
        engagement=review.engagement, due_date=task.due_date,
        description=task.description or f"Follow-up of the {review}.",
    )
    return FollowUp.objects.create(review=review, task=created)
