"""API schemas of the proposal."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from cairn.sharing.schemas import SharedLinkOut
from cairn.validation import DocumentText, Note


class VersionStatusOut(Schema):
    id: int
    number: int
    created_at: dt.datetime
    comment: str
    is_current: bool
    status: str = Field(
        description="draft, sent, accepted, declined or needs_new_acceptance (edited after an "
        "earlier version was accepted)."
    )
    links: list[SharedLinkOut]


class ProposalOut(Schema):
    engagement_id: int
    document_id: int | None
    services: str
    current_version: int | None
    accepted_version: int | None
    body: str = Field(description="Markdown of the current version.")
    versions: list[VersionStatusOut]


class ProposalRevisedOut(ProposalOut):
    withdrawn_links: list[SharedLinkOut] = Field(
        description="Open links to older versions that this new version withdrew (revoked), "
        "so the customer cannot accept a text that changed since."
    )
    withdrawn_note: str = Field(description="The same, said for the CSM; empty when none.")


class EditIn(Schema):
    body: DocumentText
    base_version: int = Field(description="The version you edited; a newer one gives 409.")
    comment: Note = ""


class ServicesIn(Schema):
    services: Note


class SendIn(Schema):
    contact: int
    days: int | None = None
    message: Note = ""
    send_email: bool = False


class EditConflictOut(Schema):
    detail: str
    current_version: int
