"""Changes to the preparation tools. Each owns its transaction, validates the whole record,
keeps who changed it in the history and writes the timeline.

Permission checks stay with the callers (views and API), which know who asks; these
functions enforce the rules that hold whoever asks: a closed engagement is read-only, a
question validates only an assumed fact, a shared driver is overridden once per account.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from cairn.customers.models import Account, Contact
from cairn.documents import actions as documents
from cairn.documents.models import Document, DocumentKind, DocumentType
from cairn.engagements.models import Engagement, Status
from cairn.people.models import User
from cairn.preparation.models import (
    AccountPestle,
    Capability,
    ChainKind,
    Confidence,
    Contribution,
    Fact,
    HandoverAttendee,
    HandoverFollowUp,
    HandoverMeeting,
    HandoverRole,
    InternalDriver,
    PestleDriver,
    Question,
    QuestionStatus,
    SharedPestle,
    SolutionLink,
    StrategyDocument,
    StrategyElement,
    ValueChainFunction,
)
from cairn.timeline.actions import create_task, record
from cairn.timeline.models import EntryKind, Task
from cairn.validation import assignable

M = TypeVar("M", bound=models.Model)

# Which tool page shows a record, for the timeline's link.
_TOOL = {
    Fact: "preparation_dossier",
    Question: "preparation_dossier",
    HandoverMeeting: "preparation_dossier",
    ValueChainFunction: "preparation_organization",
    Capability: "preparation_organization",
    SolutionLink: "preparation_strategy",
    Contribution: "preparation_strategy",
    PestleDriver: "preparation_strategy",
    InternalDriver: "preparation_strategy",
    StrategyElement: "preparation_strategy",
    AccountPestle: "preparation_strategy",
}


def ensure_open(engagement: Engagement) -> None:
    if engagement.status == Status.CLOSED:
        raise ValidationError("The engagement is closed. Reopen it to change its preparation.")


def _scope(instance: models.Model) -> tuple[Account | None, Engagement | None]:
    """The account and engagement a record belongs to; shared PESTLE records have neither."""
    engagement = getattr(instance, "engagement", None)
    if isinstance(engagement, Engagement):
        return engagement.account, engagement
    account = getattr(instance, "account", None)
    return (account if isinstance(account, Account) else None), None


def _link(instance: models.Model, engagement: Engagement | None) -> str:
    from django.urls import reverse

    name = _TOOL.get(type(instance))
    return reverse(name, args=[engagement.pk]) if name and engagement else ""


def _label(instance: models.Model) -> str:
    return str(instance._meta.verbose_name).capitalize()


def _note(
    instance: models.Model, verb: str, by: User, context: Engagement | None, text: str = ""
) -> None:
    account, engagement = _scope(instance)
    engagement = engagement or context
    if account is None:
        return
    title = f"{_label(instance)} {verb}: {text or instance}"
    record(
        account, EntryKind.PLANNING, title, engagement=engagement, author=by,
        link=_link(instance, engagement),
    )


@transaction.atomic
def save_item(instance: M, *, by: User, context: Engagement | None = None) -> M:
    """Validate and save any preparation record, new or changed.

    `context` is the engagement a CSM worked from when the record belongs to the account
    (its strategy, its PESTLE): the timeline line then shows on that engagement too.
    """
    _account, engagement = _scope(instance)
    if engagement is not None:
        ensure_open(engagement)
    created = instance.pk is None
    if created and hasattr(instance, "created_by_id") and instance.created_by_id is None:
        instance.created_by = by  # type: ignore[attr-defined]
    instance.full_clean()
    instance._history_user = by  # type: ignore[attr-defined]
    instance.save()
    _note(instance, "added" if created else "changed", by, context)
    return instance


@transaction.atomic
def delete_item(instance: models.Model, *, by: User, context: Engagement | None = None) -> None:
    _account, engagement = _scope(instance)
    if engagement is not None:
        ensure_open(engagement)
    _note(instance, "removed", by, context)
    instance._history_user = by  # type: ignore[attr-defined]
    instance.delete()


# --- dossier ---------------------------------------------------------------------------------


@transaction.atomic
def raise_question(
    engagement: Engagement, text: str, *, by: User, fact: Fact | None = None
) -> Question:
    """Turn a gap, or an assumption to validate, into a question for the customer."""
    if fact is not None and fact.confidence != Confidence.ASSUMED:
        raise ValidationError(
            {"fact": "This fact is validated already; only assumed facts need a question."}
        )
    question = Question(engagement=engagement, fact=fact, text=text.strip(), created_by=by)
    return save_item(question, by=by)


@transaction.atomic
def answer_question(
    question: Question,
    answer: str,
    *,
    by: User,
    answered_on: dt.date,
    contact: Contact | None = None,
    name: str = "",
    validate_fact: bool = False,
) -> Question:
    """Record the customer's answer; the fact it was about may become validated with it."""
    question.status = QuestionStatus.ANSWERED
    question.answer = answer.strip()
    question.answered_by = contact
    question.answered_by_name = "" if contact else name.strip()
    question.answered_on = answered_on
    save_item(question, by=by)
    fact = question.fact
    if validate_fact and fact is not None and fact.confidence != Confidence.VALIDATED:
        fact.confidence = Confidence.VALIDATED
        save_item(fact, by=by)
    return question


@transaction.atomic
def reopen_question(question: Question, *, by: User) -> Question:
    question.status = QuestionStatus.OPEN
    question.answer = ""
    question.answered_by = None
    question.answered_by_name = ""
    question.answered_on = None
    return save_item(question, by=by)


@transaction.atomic
def save_meeting(
    meeting: HandoverMeeting,
    *,
    by: User,
    attendees: list[tuple[User, str]] | None = None,
) -> HandoverMeeting:
    """Plan or update a handover meeting; `attendees` (colleague, role) replaces the list."""
    save_item(meeting, by=by)
    if attendees is None:
        return meeting
    seen: set[int] = set()
    for user, role in attendees:
        if not user.is_active:
            raise ValidationError({"attendees": f"{user} is deactivated."})
        if role not in HandoverRole.values:
            raise ValidationError({"attendees": f"Unknown role {role!r}."})
        if user.pk in seen:
            raise ValidationError({"attendees": f"{user} is listed twice."})
        seen.add(user.pk)
    meeting.attendees.all().delete()
    HandoverAttendee.objects.bulk_create(
        HandoverAttendee(meeting=meeting, user=user, role=role) for user, role in attendees
    )
    return meeting


@transaction.atomic
def add_follow_up(
    meeting: HandoverMeeting,
    title: str,
    *,
    assignee: User,
    by: User,
    due_date: dt.date | None = None,
) -> Task:
    """A task for what the handover left to do, on the assignee's list and the timeline."""
    engagement = meeting.engagement
    ensure_open(engagement)
    if not title.strip():
        raise ValidationError({"title": "Say what has to be done."})
    assignable(assignee, "assignee")
    task = create_task(
        title=title.strip(), assignee=assignee, account=engagement.account, created_by=by,
        engagement=engagement, due_date=due_date,
        description=f"Follow-up from the handover meeting of {meeting.date:%d %b %Y}.",
    )
    HandoverFollowUp.objects.create(meeting=meeting, task=task)
    return task


# --- organization ------------------------------------------------------------------------

PORTER_PRIMARY = [
    "Inbound logistics", "Operations", "Outbound logistics", "Marketing and sales", "Service",
]
PORTER_SUPPORT = [
    "Firm infrastructure", "Human resource management", "Technology development", "Procurement",
]


@transaction.atomic
def add_function(function: ValueChainFunction, *, by: User) -> ValueChainFunction:
    """A new function goes last in its row, unless it was given a place."""
    if function.pk is None and not function.position:
        last = ValueChainFunction.objects.filter(
            engagement=function.engagement, kind=function.kind
        ).aggregate(last=Max("position"))["last"]
        function.position = (last or 0) + 1
    return save_item(function, by=by)


@transaction.atomic
def move_function(function: ValueChainFunction, *, up: bool, by: User) -> None:
    """Swap a function with its neighbour, so the primary row keeps its value order."""
    ensure_open(function.engagement)
    row = list(
        ValueChainFunction.objects.select_for_update()
        .filter(engagement=function.engagement, kind=function.kind)
        .order_by("position", "id")
    )
    index = next(i for i, f in enumerate(row) if f.pk == function.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(row):
        return
    row[index], row[other] = row[other], row[index]
    for position, item in enumerate(row, start=1):
        if item.position != position:
            item.position = position
            item._history_user = by  # type: ignore[attr-defined]
            item.save(update_fields=["position"])
    _note(function, "moved", by, None)


@transaction.atomic
def start_value_chain(engagement: Engagement, *, by: User) -> None:
    """Start from Porter's generic chain, for the CSM to rename and mark."""
    ensure_open(engagement)
    if engagement.value_chain.exists():
        raise ValidationError("The value chain has functions already.")
    for kind, names in ((ChainKind.PRIMARY, PORTER_PRIMARY), (ChainKind.SUPPORT, PORTER_SUPPORT)):
        for position, name in enumerate(names, start=1):
            function = ValueChainFunction(
                engagement=engagement, kind=kind, name=name, position=position
            )
            function._history_user = by  # type: ignore[attr-defined]
            function.save()
    record(
        engagement.account, EntryKind.PLANNING, "Value chain started from Porter's generic chain",
        engagement=engagement, author=by, link=_link(ValueChainFunction(), engagement),
    )


# --- PESTLE ----------------------------------------------------------------------------------


def _override_of(account: Account, shared: PestleDriver) -> PestleDriver | None:
    return PestleDriver.objects.filter(account=account, replaces=shared).first()


@transaction.atomic
def override_driver(
    account: Account, shared: PestleDriver, changes: dict[str, str], *, by: User,
    context: Engagement | None = None,
) -> PestleDriver:
    """Replace a shared driver for this account only: the shared one stays as it is."""
    if shared.analysis_id is None:
        raise ValidationError({"replaces": "Only a shared driver can be overridden."})
    driver = _override_of(account, shared) or PestleDriver(
        account=account, replaces=shared, category=shared.category, title=shared.title,
        description=shared.description, driver_type=shared.driver_type, impact=shared.impact,
    )
    driver.hidden = False
    for name, value in changes.items():
        setattr(driver, name, value)
    return save_item(driver, by=by, context=context)


@transaction.atomic
def hide_driver(
    account: Account, shared: PestleDriver, *, by: User, context: Engagement | None = None
) -> PestleDriver:
    """Leave a shared driver out of this account's analysis."""
    if shared.analysis_id is None:
        raise ValidationError({"replaces": "Only a shared driver can be hidden."})
    driver = _override_of(account, shared) or PestleDriver(
        account=account, replaces=shared, category=shared.category, title=shared.title,
        driver_type=shared.driver_type, impact=shared.impact,
    )
    driver.hidden = True
    return save_item(driver, by=by, context=context)


@transaction.atomic
def restore_driver(
    account: Account, shared: PestleDriver, *, by: User, context: Engagement | None = None
) -> None:
    """Drop the account's override, so the shared driver applies again as it is."""
    driver = _override_of(account, shared)
    if driver is not None:
        delete_item(driver, by=by, context=context)


@transaction.atomic
def delete_shared_driver(driver: PestleDriver, *, by: User) -> None:
    """Accounts that only hid it lose their marker; accounts that replaced it keep their
    version, now as a driver of their own."""
    PestleDriver.objects.filter(replaces=driver, hidden=True).delete()
    delete_item(driver, by=by)


@transaction.atomic
def set_use_shared(
    account: Account, use_shared: bool, *, by: User, note: str = "",
    context: Engagement | None = None,
) -> AccountPestle:
    choice = AccountPestle.objects.filter(account=account).first() or AccountPestle(account=account)
    choice.use_shared = use_shared
    choice.note = note.strip()
    return save_item(choice, by=by, context=context)


@transaction.atomic
def save_shared_analysis(analysis: SharedPestle, *, by: User) -> SharedPestle:
    return save_item(analysis, by=by)


# --- the strategy document -----------------------------------------------------------------


@transaction.atomic
def generate_strategy_document(engagement: Engagement, *, by: User) -> StrategyDocument:
    """Write the engagement strategy and roadmap from the preparation data.

    The first time creates the document in the central repository; each later time adds a
    version to it, so the CSM's edits in between stay in its history.
    """
    from cairn.preparation.strategy_document import strategy_markdown

    ensure_open(engagement)
    body = strategy_markdown(engagement)
    link = StrategyDocument.objects.select_related("document__current_version").filter(
        engagement=engagement
    ).first()
    phase = engagement.playbook_version.phases.filter(key="preparation").first()
    if link is None:
        # A strategy written by hand before the first generation becomes the one we version.
        existing = Document.objects.filter(
            engagement=engagement, doc_type=DocumentType.ENGAGEMENT_STRATEGY,
            kind=DocumentKind.WRITTEN, is_template=False,
        ).order_by("-updated_at", "-pk").first()
        if existing is not None:
            link = StrategyDocument.objects.create(engagement=engagement, document=existing)
    if link is None:
        details = documents.Details(
            title=f"Engagement strategy and roadmap: {engagement.initiative}"[:200],
            doc_type=DocumentType.ENGAGEMENT_STRATEGY, phase=phase,
        )
        document = documents.create_written(
            engagement, details, body, by=by, comment="Generated from the preparation tools"
        )
        return StrategyDocument.objects.create(engagement=engagement, document=document)
    document = link.document
    current = document.current_version
    details = documents.Details(
        title=document.title, doc_type=document.doc_type, phase=document.phase
    )
    documents.update_written(
        document, details, body, base_version=current.number if current else 0, by=by,
        comment="Generated again from the preparation tools",
    )
    return link
