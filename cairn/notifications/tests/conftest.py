"""What the notification tests start from: the root conftest's personas (Alice leads, Carol
owns Acme, Dave owns nothing, Rita reads, Adam administers) and the built-in e-mail templates
as a fresh database has them once something needs them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail as django_mail
from django.test import Client

from cairn.notifications import actions
from cairn.people.models import ApiToken, User


@pytest.fixture(autouse=True)
def templates(db: Any) -> None:
    actions.ensure_templates()


@pytest.fixture
def sent(mailoutbox: list[Any]) -> list[Any]:
    """The e-mails sent during the test (Django's in-memory backend)."""
    return mailoutbox


def only_email(outbox: list[Any]) -> django_mail.EmailMultiAlternatives:
    assert len(outbox) == 1, [m.subject for m in outbox]
    message = outbox[0]
    assert isinstance(message, django_mail.EmailMultiAlternatives)
    return message


def html_of(message: django_mail.EmailMultiAlternatives) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(content)


@pytest.fixture
def api() -> Callable[[User], Client]:
    """An API client sending the person's own token, as a script would."""

    def make(user: User) -> Client:
        _, key = ApiToken.issue(user, "tests")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make
