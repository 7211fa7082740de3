"""API schemas of notifications: one's own inbox and choices per kind, and the e-mail
templates. Every name starts with Notification: the OpenAPI document names each schema by its
class name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.notifications.kinds import label_of
from cairn.validation import Note, Title

NotificationKindValue = Literal["automation", "health_alert", "task_assigned", "webhook_failed"]
DeliveryValue = Literal["now", "digest", "off"]
DigestValue = Literal["digest", "off"]


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="automation, health_alert, task_assigned or webhook_failed.")
    kind_label: str
    title: str
    body: str
    link: str = Field(description="The page it is about, a path inside Cairn (empty for none).")
    account: int | None = Field(alias="account_id")
    account_name: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool
    email_state: str = Field(description="pending, sent, skipped or failed: whether it was e-mailed.")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return label_of(obj.kind)

    @staticmethod
    def resolve_account_name(obj: Any) -> str | None:
        return obj.account.name if obj.account_id else None


class NotificationFilter(Schema):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones.")
    kind: NotificationKindValue | None = None


class NotificationReadIn(Schema):
    ids: Annotated[list[int], MaxLen(100)] = Field(
        description="Your notifications to mark read; others' and unknown ids are left alone."
    )


class NotificationMarked(Schema):
    marked: int = Field(description="How many were unread and are now read.")


class NotificationPreferenceOut(Schema):
    kind: str
    label: str
    explained: str
    delivery: str = Field(description="now, digest or off (the digest kind: digest or off).")
    default: str


class NotificationPreferencesIn(Schema):
    """The kinds to set; kinds left out keep their setting."""

    automation: DeliveryValue | None = None
    health_alert: DeliveryValue | None = None
    task_assigned: DeliveryValue | None = None
    links: DeliveryValue | None = None
    digest: DigestValue | None = Field(None, description="The daily digest: sent every morning, or off.")
    webhook_failed: DeliveryValue | None = Field(None, description="Admins only.")


class NotificationTemplateOut(Schema):
    id: int
    key: str
    name: str
    description: str = Field(description="The merge fields it can print, one per line.")
    subject: str
    html: str
    text: str
    updated_at: dt.datetime
    updated_by: int | None = Field(alias="updated_by_id")


class NotificationTemplatePatch(Schema):
    subject: Title | None = Field(None, min_length=1)
    html: Note | None = Field(None, min_length=1)
    text: Note | None = Field(None, min_length=1)


class NotificationTemplateChange(Schema):
    field: str
    old: str
    new: str


class NotificationTemplateHistoryOut(Schema):
    date: dt.datetime
    user: int | None
    user_name: str | None
    type: str = Field(description="created, changed or deleted.")
    changes: list[NotificationTemplateChange]
