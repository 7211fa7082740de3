"""API schemas of customer links."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from cairn.people.schemas import UserRef
from cairn.sharing import purposes
from cairn.sharing.models import SharedLink
from cairn.validation import Key, Note

StateValue = Literal["open", "accepted", "declined", "expired", "revoked", "withdrawn"]
ResponseValue = Literal["", "accepted", "declined"]


class PurposeOut(Schema):
    key: str
    label: str
    document_label: str
    accept_label: str


class SharedLinkOut(Schema):
    id: int
    engagement_id: int
    document_id: int | None = Field(None, description="Null once the document was deleted.")
    version_id: int | None
    document_title: str
    version_number: int
    content_sha256: str = Field(description="SHA-256 of the version's content when sent.")
    purpose: str
    purpose_label: str
    contact_id: int | None
    recipient_name: str
    recipient_email: str
    message: str
    created_by: UserRef | None
    created_at: dt.datetime
    expires_at: dt.datetime
    state: StateValue
    used_at: dt.datetime | None
    response: ResponseValue
    typed_name: str
    comment: str
    ip_address: str | None
    user_agent: str
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_document_id(link: SharedLink) -> int | None:
        return link.version.document_id if link.version else None

    @staticmethod
    def resolve_purpose_label(link: SharedLink) -> str:
        return purposes.label(link.purpose)

    @staticmethod
    def resolve_state(link: SharedLink) -> str:
        return link.state()


class SharedLinkCreated(SharedLinkOut):
    url: str = Field(description="The link to give the customer. Shown this once; never again.")


class SharedLinkIn(Schema):
    engagement: int
    version: int = Field(description="Id of the document version to send (it stays frozen).")
    purpose: Key = Field(description="A registered purpose key, see /shared-links/purposes.")
    contact: int = Field(description="Id of the account's contact who should answer.")
    days: int | None = Field(None, description="Days until the link expires; 14 by default.")
    message: Note = ""
    send_email: bool = Field(False, description="Also e-mail the link to the contact.")


class SharedLinkFilter(Schema):
    engagement: int
