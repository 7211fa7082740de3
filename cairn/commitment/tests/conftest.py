"""Customer people for the phase 2 tools: Acme's contacts, and a helper to place stakeholders."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def contacts(acme):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Contact

    names = [
        ("Olga", "Berg", "Chief Operating Officer"),
        ("Piet", "Jansen", "Energy Manager"),
        ("Rosa", "Klein", "Plant Manager"),
        ("Sven", "Lund", "IT Director"),
    ]
    return [
        Contact.objects.create(account=acme, first_name=first, last_name=last, title=title)
        for first, last, title in names
    ]


@pytest.fixture
def stakeholder(engagement, contacts, carol):  # type: ignore[no-untyped-def]
    """A function adding a stakeholder through the action, as the pages do."""
    from cairn.commitment import actions
    from cairn.commitment.models import Stakeholder

    def make(contact: Any = None, **fields: Any) -> Stakeholder:
        changes: dict[str, Any] = {"contact": contact, **fields}
        return actions.save_stakeholder(Stakeholder(engagement=engagement), changes, by=carol)

    return make
