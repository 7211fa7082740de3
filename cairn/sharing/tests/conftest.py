"""A written document of Acme's engagement, a customer contact to send it to, and a purpose."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.documents.models import DocumentType, DocumentVersion
from cairn.sharing import purposes
from cairn.sharing.models import SharedLink

ANSWERS: list[tuple[int, str]] = []


def _remember(link: SharedLink) -> None:
    ANSWERS.append((link.pk, link.response))


def _plans_only(version: DocumentVersion) -> str:
    """The test purpose signs success plans (proposal documents) and nothing else."""
    if version.document.doc_type != DocumentType.PROPOSAL:
        return "only a success plan can be sent for sign-off."
    return ""


purposes.register(
    purposes.Purpose(
        key="test-signoff", label="Test sign-off", document_label="test plan",
        accept_label="Sign off", refusal=_plans_only, on_response=_remember,
    )
)


@pytest.fixture
def answers() -> list[tuple[int, str]]:
    ANSWERS.clear()
    return ANSWERS


@pytest.fixture
def maria(acme: Any) -> Any:
    from cairn.customers.models import Contact

    return Contact.objects.create(
        account=acme, first_name="Maria", last_name="Jensen", title="COO",
        email="maria@acme.example",
    )


@pytest.fixture
def plan(engagement: Any, carol: Any) -> Any:
    from cairn.documents.actions import Details, create_written
    from cairn.documents.models import DocumentType

    return create_written(
        engagement, Details("Success plan", DocumentType.PROPOSAL),
        "# Success plan\n\n| Outcome | Target |\n|---|---|\n| Energy use | -20 % |\n",
        by=carol,
    )


@pytest.fixture
def sent(engagement: Any, plan: Any, maria: Any, carol: Any) -> Any:
    """A link to the plan's first version, sent to Maria: (NewLink)."""
    from cairn.sharing.actions import create_link

    return create_link(
        engagement, plan.current_version, purpose="test-signoff", contact=maria, by=carol,
        message="Here is the plan we discussed.",
    )
