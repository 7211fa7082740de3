"""The e-mails themselves: unsubscribe tokens, the values every e-mail to a person carries,
the messages (plain text with an HTML alternative) and sending them through Django's mail
backend (the console on the demo, SMTP as CAIRN_EMAIL_* configure it)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse

from cairn.notifications.kinds import Kind, label_of
from cairn.notifications.rendering import Plain, Rendered

logger = logging.getLogger(__name__)

SALT = "cairn.notifications.unsubscribe"
TOKEN_CHARS = 200


@dataclass(frozen=True)
class Unsubscribe:
    user_pk: int
    kind: str

    @property
    def kind_label(self) -> str:
        return label_of(self.kind)


def unsubscribe_token(user_pk: int, kind: str) -> str:
    """A token naming the person and the kind, signed with the site's secret: whoever holds
    the e-mail may stop that kind of e-mail, and nothing else."""
    return signing.dumps([user_pk, kind], salt=SALT)


def read_token(token: str) -> Unsubscribe | None:
    """What a token names; None for a token that is tampered with, truncated or not ours."""
    if not token or len(token) > TOKEN_CHARS:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError):
        return None
    if (
        not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
        or isinstance(data[0], bool) or data[1] not in Kind.values
    ):
        return None
    return Unsubscribe(data[0], data[1])


def absolute(path: str) -> str:
    """A path of this site as a link an e-mail can carry."""
    if path.startswith("/") and not path.startswith("//"):
        return f"{settings.SITE_URL}{path}"
    return path


def unsubscribe_url(user_pk: int, kind: str) -> str:
    return absolute(reverse("notification_unsubscribe", args=[unsubscribe_token(user_pk, kind)]))


def person_values(user: Any, kind: str) -> dict[str, Plain]:
    """What every e-mail to a person of Cairn can print besides its own values."""
    return {
        "recipient": str(user),
        "unsubscribe_url": unsubscribe_url(user.pk, kind),
        "preferences_url": absolute(reverse("notification_preferences")),
        "kind": label_of(kind),
    }


def to_person(user: Any, kind: str, rendered: Rendered, unsubscribe: str) -> EmailMultiAlternatives:
    """An e-mail to a person of Cairn: the List-Unsubscribe header lets their mail program
    offer the same link (RFC 8058: one click, by POST)."""
    message = EmailMultiAlternatives(
        rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def to_contact(address: str, rendered: Rendered, reply_to: str = "") -> EmailMultiAlternatives:
    """An e-mail to a customer's contact; their answer goes to the account's owner."""
    message = EmailMultiAlternatives(
        rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [address],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def send(messages: Sequence[EmailMultiAlternatives]) -> list[bool]:
    """Send each message over one connection; whether each went. A failure is logged and
    the others still go: a bad address must not hold up everyone's e-mail."""
    if not messages:
        return []
    sent = []
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception("Could not connect to the mail server; %d e-mails not sent", len(messages))
        return [False] * len(messages)
    try:
        for message in messages:
            try:
                message.connection = connection
                sent.append(bool(message.send()))
            except Exception:
                logger.exception("An e-mail to %s could not be sent", ", ".join(message.to))
                sent.append(False)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("Closing the mail connection failed")
    return sent
