"""Fixtures for the playbook tests: the default playbook and a leader's draft of it."""

from __future__ import annotations

import pytest

from cairn.playbooks import actions
from cairn.playbooks.models import Phase, Playbook, PlaybookVersion


@pytest.fixture
def standard(playbook_version: PlaybookVersion) -> Playbook:
    """The default playbook as shipped (version 1, published)."""
    return playbook_version.playbook


@pytest.fixture
def draft(standard: Playbook) -> PlaybookVersion:
    return actions.start_draft(standard)


@pytest.fixture
def first_phase(draft: PlaybookVersion) -> Phase:
    return draft.phases.order_by("position").first()  # type: ignore[return-value]

