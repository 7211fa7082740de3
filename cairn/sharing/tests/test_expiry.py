"""A link that expires unanswered is noted once: a timeline entry dated when it expired, and
its sender told in the inbox; answered, revoked and live links are left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cairn.sharing.expiry import note_expired
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def test_an_expired_unanswered_link_is_noted_once_and_its_sender_told(sent: Any, carol: Any) -> None:
    from cairn.notifications.models import Notification

    link = sent.link
    later = link.expires_at + dt.timedelta(hours=1)

    first = note_expired(later)
    again = note_expired(later + dt.timedelta(days=1))

    assert (first, again) == ({"links_noted": 1}, {"links_noted": 0})
    entry = Entry.objects.get(kind=EntryKind.CUSTOMER_RESPONSE, title__contains="expired unanswered")
    assert entry.occurred_at == link.expires_at and entry.engagement == link.engagement
    told = Notification.objects.get(recipient=carol, kind="links")
    assert "Success plan" in told.title


def test_live_answered_and_revoked_links_are_left_alone(sent: Any, carol: Any) -> None:
    from cairn.sharing.actions import revoke

    revoke(sent.link, by=carol)

    assert note_expired(sent.link.expires_at + dt.timedelta(hours=1)) == {"links_noted": 0}
    assert note_expired(timezone.now()) == {"links_noted": 0}
