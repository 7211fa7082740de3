"""REST endpoints for product-usage events, support tickets and NPS answers.

Who may send: usage events, tickets and NPS answers come from integrations (the product,
the support desk), so an admin or a token with the ingest scope sends them for any account
(permissions.can_ingest). Anyone else who may write adds or updates tickets and answers only
on accounts they may change, and an existing one only if it is on such an account: a CSM
cannot overwrite another account's feedback by reusing its external id. Anyone logged in
may read the batches.

An event's fields are deliberately loose (text or number): a row-level problem (a naive
timestamp, a value that is not a number) sends that row to the quarantine with its reason
instead of refusing the other 9,999 events of the batch. The shape of the request itself
(not a list, too many events, a key too long) is a 400 that names the field.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

import datetime as dt
from typing import Annotated, Any

import pyarrow as pa
from annotated_types import MaxLen
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import AfterValidator, AwareDatetime

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, token_of, user_of
from cairn.customers.models import Account
from cairn.operations.tasks import queue_refresh
from cairn.people import access, permissions
from cairn.people.models import User
from cairn.usage import actions, feedback
from cairn.usage.models import IngestBatch, TicketPriority, TicketStatus
from cairn.usage.readers import rows_table, text_of
from cairn.usage.validation import moment_refusal
from cairn.validation import NO_NUL, Key, Name, Note, Title

MAX_EVENTS = 10_000
MAX_RECORDS = 10_000

router = Router(tags=["usage"])
ExternalId = Annotated[str, MaxLen(100), NO_NUL]  # as Account.external_id and the records' ids


def _usage_moment(moment: dt.datetime) -> dt.datetime:
    """A ticket's or an answer's moment, by the rule of events and usage files (1970 to
    CAIRN_EVENT_FUTURE_DAYS ahead), so the API and a file refuse the same moments."""
    reason = moment_refusal(moment)
    if reason:
        raise ValueError(f"This moment is {reason}.")
    return moment


When = Annotated[AwareDatetime, AfterValidator(_usage_moment)]


class EventIn(Schema):
    account_external_id: str | None = Field(None, description="The account's external id.")
    user_id: Any = None
    event_type: str | None = None
    timestamp: str | None = Field(
        None, description="ISO 8601 with a time zone, e.g. 2026-03-01T09:30:00Z."
    )
    value: Any = Field(None, description="A number; anything else is quarantined.")
    properties: Any = Field(None, description="A JSON object.")
    event_id: str | None = Field(None, description="Your id; without it Cairn derives one.")


class EventBatchIn(Schema):
    key: Name = Field(
        "",
        description="Optional batch key: the same key sent again returns the first answer.",
    )
    events: list[EventIn] = Field(..., min_length=1, max_length=MAX_EVENTS)


class BatchOut(Schema):
    batch_id: str
    key: str
    source: str
    received: int
    stored: int
    duplicates: int
    quarantined: int
    quarantine_reasons: dict[str, int]
    created_at: AwareDatetime
    already_ingested: bool = Field(False, description="True when the key was seen before.")


class TicketIn(Schema):
    external_id: ExternalId = Field(..., min_length=1)
    account: ExternalId = Field(..., min_length=1, description="The account's external id.")
    contact_email: Annotated[str, MaxLen(254), NO_NUL] | None = None
    subject: Title = ""
    priority: TicketPriority = TicketPriority.NORMAL
    status: TicketStatus = TicketStatus.OPEN
    opened_at: When
    closed_at: When | None = None


class SurveyIn(Schema):
    external_id: ExternalId = Field(..., min_length=1)
    account: ExternalId = Field(..., min_length=1, description="The account's external id.")
    contact_email: Annotated[str, MaxLen(254), NO_NUL] | None = None
    score: int = Field(..., ge=0, le=10)
    comment: Note = ""
    answered_at: When


class TicketsIn(Schema):
    tickets: list[TicketIn] = Field(..., min_length=1, max_length=MAX_RECORDS)


class SurveysIn(Schema):
    surveys: list[SurveyIn] = Field(..., min_length=1, max_length=MAX_RECORDS)


class UpsertOut(Schema):
    created: int
    updated: int


def _out(batch: IngestBatch, already: bool = False) -> dict[str, Any]:
    return {
        "batch_id": batch.batch_id, "key": batch.key, "source": batch.source,
        "received": batch.received, "stored": batch.stored, "duplicates": batch.duplicates,
        "quarantined": batch.quarantined, "quarantine_reasons": batch.quarantine_reasons,
        "created_at": batch.created_at, "already_ingested": already,
    }


def _events_table(events: list[EventIn]) -> pa.Table:
    records: list[dict[str, Any] | None] = []
    for event in events:
        record = event.dict()
        # A JSON object is kept as compact, sorted JSON, as the file readers keep it.
        record["properties"] = text_of(record["properties"])
        records.append(record)
    # The position in the `events` list (from 0) names the row, as `events.3` would.
    return rows_table(records, list(range(len(records))), [""] * len(records)).drop_columns(
        ["problem"]
    )


@router.post(
    "/events", response={200: BatchOut, 201: BatchOut, **WRITE_ERRORS},
    summary="Send a batch of product-usage events",
)
def post_events(request: HttpRequest, payload: EventBatchIn) -> tuple[int, dict[str, Any]]:
    user = user_of(request)
    # One check (can_ingest asks can_write first); the refusal says which half failed.
    access.ingester(
        user, token_of(request),
        "Usage events come from integrations: send them as an admin or with a token that "
        "has the ingest scope." if permissions.can_write(user)
        else "Read-only users cannot send events.",
    )
    outcome = actions.ingest_api_batch(_events_table(payload.events), key=payload.key, user=user)
    if not outcome.already_ingested and outcome.batch.stored:
        # New usage changes metrics and scores: refresh them in the background, not nightly.
        queue_refresh()
    status = 200 if outcome.already_ingested else 201
    return status, _out(outcome.batch, outcome.already_ingested)


@router.get("/batches", response=list[BatchOut], summary="List ingested batches")
@paginate(Pagination)
def list_batches(request: HttpRequest) -> QuerySet[IngestBatch]:
    return IngestBatch.objects.order_by("-created_at", "-id")


@router.get("/batches/{batch_id}", response={200: BatchOut, **READ_ERRORS})
def get_batch(request: HttpRequest, batch_id: Key) -> IngestBatch:
    return get_object_or_404(IngestBatch, batch_id=batch_id)


def _require_accounts(user: User, kind: str, items: list[Any]) -> None:
    """Refuse the whole request if one item is on, or would move an existing record from,
    an account the user may not change."""
    model = feedback.KINDS[kind][1]
    named = {item.account for item in items}
    external_ids = {item.external_id for item in items}
    mine = access.editable_accounts(user)
    # External id to primary key of each account the request may not touch.
    refused = dict(
        Account.objects.filter(external_id__in=named).exclude(pk__in=mine)
        .values_list("external_id", "pk")
    ) | dict(
        model.objects.filter(external_id__in=external_ids).exclude(account__in=mine)
        .values_list("account__external_id", "account_id")
    )
    if refused:
        # The rule itself refuses the first of them, in a message that names them all.
        foreign = sorted(refused)
        access.editable_account(
            user, refused[foreign[0]],
            message=f"You may add {kind} only to accounts you own or work on, not to "
            f"{', '.join(foreign[:5])}{' …' if len(foreign) > 5 else ''}."
            if permissions.can_write(user) else f"Read-only users cannot send {kind}.",
        )


def _upsert(request: HttpRequest, kind: str, items: list[Any]) -> dict[str, int]:
    user = user_of(request)
    if not permissions.can_ingest(user, token_of(request)):
        _require_accounts(user, kind, items)
    rows = [(number, item.dict()) for number, item in enumerate(items)]
    for _, values in rows:
        values["contact_email"] = values.get("contact_email") or ""
    result = feedback.import_rows(kind, rows, user=user)
    if result.errors:
        raise ValidationError(
            {f"{kind}.{error.line}.{error.field}": error.message for error in result.errors}
        )
    if result.created or result.updated:
        queue_refresh()  # NPS and ticket measures read these
    return {"created": result.created, "updated": result.updated}


@router.post(
    "/tickets", response={200: UpsertOut, **WRITE_ERRORS},
    summary="Create or update support tickets by external id (all or none)",
)
def post_tickets(request: HttpRequest, payload: TicketsIn) -> dict[str, int]:
    return _upsert(request, "tickets", payload.tickets)


@router.post(
    "/surveys", response={200: UpsertOut, **WRITE_ERRORS},
    summary="Create or update NPS answers by external id (all or none)",
)
def post_surveys(request: HttpRequest, payload: SurveysIn) -> dict[str, int]:
    return _upsert(request, "surveys", payload.surveys)
