"""Notifications in the API: one's own inbox (filtered, marked read), one's own choices per
kind, and the e-mail templates with their history.

The same rules as the pages: everyone reads and marks their own notifications and sets their
own choices (read-only users too: it changes nothing but their inbox); everyone reads the
templates, CS leaders change them. Writes go through cairn.notifications.actions.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, user_of
from cairn.changes import MISSING
from cairn.notifications import actions, defaults, queries
from cairn.notifications.actions import TEMPLATE_REFUSAL
from cairn.notifications.models import EmailTemplate, Notification
from cairn.notifications.schemas import (
    NotificationFilter,
    NotificationMarked,
    NotificationOut,
    NotificationPreferenceOut,
    NotificationPreferencesIn,
    NotificationReadIn,
    NotificationTemplateHistoryOut,
    NotificationTemplateOut,
    NotificationTemplatePatch,
)
from cairn.people import access
from cairn.resources import tagged

router = Router(tags=["notifications"])

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _shown(value: str) -> str:
    return "" if value == MISSING else value


# --- One's own inbox -------------------------------------------------------------------------


@router.get("/", response=list[NotificationOut], summary="List your notifications, unread first")
@paginate(Pagination)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> QuerySet[Notification]:
    found = queries.inbox(user_of(request))
    if filters.unread is not None:
        found = found.filter(read_at__isnull=filters.unread)
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    return found


@router.post("/read", response={200: NotificationMarked, **WRITE_ERRORS},
             summary="Mark some of your notifications read")
def mark_read(request: HttpRequest, payload: NotificationReadIn) -> dict[str, int]:
    return {"marked": actions.mark_read(user_of(request), payload.ids)}


@router.post("/read-all", response={200: NotificationMarked, **WRITE_ERRORS},
             summary="Mark all your notifications read")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    return {"marked": actions.mark_all_read(user_of(request))}


@router.get("/preferences", response=list[NotificationPreferenceOut],
            summary="Your delivery of each kind: at once, in the daily digest, or off")
def get_preferences(request: HttpRequest) -> list[Any]:
    return queries.preferences(user_of(request))


@router.put("/preferences", response={200: list[NotificationPreferenceOut], **WRITE_ERRORS},
            summary="Set your delivery of some kinds; the others keep theirs")
def set_preferences(request: HttpRequest, payload: NotificationPreferencesIn) -> list[Any]:
    user = user_of(request)
    actions.set_preferences(user, payload.model_dump(exclude_none=True))
    return queries.preferences(user)


# --- E-mail templates ------------------------------------------------------------------------


def _templates() -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.order_by("name", "key")


@router.get("/templates", response=list[NotificationTemplateOut], summary="List the e-mail templates")
def list_templates(request: HttpRequest) -> list[EmailTemplate]:
    found = list(_templates())
    if len(found) < len(defaults.BUILT_IN) and actions.ensure_templates():
        found = list(_templates())
    return found


@router.get("/templates/{int:template_id}", response={200: NotificationTemplateOut, **READ_ERRORS},
            summary="Read an e-mail template")
def get_template(request: HttpRequest, template_id: int) -> EmailTemplate:
    return get_object_or_404(_templates(), pk=template_id)


@router.patch("/templates/{int:template_id}", response={200: NotificationTemplateOut, **WRITE_ERRORS},
              summary="Change an e-mail template's subject, HTML or text (CS leaders)",
              description="A template that does not compile, uses a tag or filter e-mails may not use, "
                          "or loses its unsubscribe link is a 400 naming the field and the line.")
def update_template(
    request: HttpRequest, template_id: int, payload: NotificationTemplatePatch
) -> EmailTemplate:
    user = access.leader(user_of(request), TEMPLATE_REFUSAL)
    template = get_object_or_404(EmailTemplate, pk=template_id)
    changes = payload.model_dump(exclude_none=True)
    return tagged(EmailTemplate, lambda: actions.update_template(template, changes, by=user))  # type: ignore[no-any-return]


@router.get("/templates/{int:template_id}/history",
            response={200: list[NotificationTemplateHistoryOut], **READ_ERRORS},
            summary="Who changed an e-mail template when, and what, the newest first")
def template_history(request: HttpRequest, template_id: int) -> list[dict[str, Any]]:
    template = get_object_or_404(EmailTemplate, pk=template_id)
    return [
        {
            "date": row["record"].history_date, "user": row["record"].history_user_id,
            "user_name": str(row["record"].history_user) if row["record"].history_user else None,
            "type": HISTORY_TYPES.get(row["record"].history_type, "changed"),
            "changes": [
                {"field": c.field, "old": _shown(c.old), "new": _shown(c.new)} for c in row["changes"]
            ],
        }
        for row in queries.template_history(template)
    ]
