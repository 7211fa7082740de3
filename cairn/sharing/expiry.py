"""Links that expire unanswered: noted once on the engagement's timeline, and their sender
told, by the daily job (cairn.sharing.apps). A proposal nobody answered is news a CSM needs:
the customer may never have seen it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.sharing.models import SharedLink
from cairn.timeline import actions as timeline
from cairn.timeline.models import EntryKind

BATCH = 500


def _unnoted(now: dt.datetime) -> Any:
    return SharedLink.objects.filter(
        expires_at__lte=now, used_at__isnull=True, revoked_at__isnull=True, expiry_noted_at__isnull=True,
    )


def note_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Note every link that expired unanswered since the last run. Each is claimed by setting
    its mark in the same UPDATE that finds it unmarked, so two workers note it once."""
    from cairn.notifications.actions import notify

    now = now or timezone.now()
    noted = 0
    while True:
        with transaction.atomic():
            batch = list(_unnoted(now).select_related("engagement__account", "created_by")
                         .order_by("expires_at", "pk")[:BATCH])
            if not batch:
                break
            claimed = SharedLink.objects.filter(
                pk__in=[link.pk for link in batch], expiry_noted_at__isnull=True
            ).update(expiry_noted_at=now)
            if claimed != len(batch):  # another worker took some: start again from what is left
                transaction.set_rollback(True)
                continue
            for link in batch:
                engagement = link.engagement
                title = f"“{link.document_title}” to {link.recipient_name} expired unanswered"
                url = engagement.get_absolute_url()
                timeline.record(engagement.account, EntryKind.CUSTOMER_RESPONSE, title, engagement=engagement,
                                occurred_at=link.expires_at, link=url)
                if link.created_by is not None:
                    notify([link.created_by], "links", title=title, link=url, account=engagement.account,
                           body=f"Sent {link.created_at:%d %b %Y}, it expired {link.expires_at:%d %b %Y} "
                           "without an answer. Send a new link if they still need to answer.")
            noted += len(batch)
    return {"links_noted": noted}
