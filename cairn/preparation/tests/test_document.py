"""The engagement strategy and roadmap, generated into the central repository."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cairn.documents import actions as documents
from cairn.documents.models import Document, DocumentType
from cairn.engagements.models import Engagement
from cairn.preparation import actions
from cairn.preparation.models import Fact, StrategyElement

pytestmark = pytest.mark.django_db


def test_generating_writes_a_versioned_document_and_again_adds_a_version(
    as_carol: Any, engagement: Engagement, carol: Any
) -> None:
    actions.save_item(Fact(engagement=engagement, area="initiative", source="customer",
                           statement="The COO sponsors the initiative", confidence="validated"), by=carol)
    actions.raise_question(engagement, "Who signs off the budget?", by=carol)
    actions.save_item(StrategyElement(account=engagement.account, kind="vision",
                                      title="Energy-neutral by 2035"), by=carol)
    url = reverse("preparation_document", args=[engagement.pk])
    preview = as_carol.get(url).content.decode()
    assert "The COO sponsors the initiative" in preview
    response = as_carol.post(url)
    document = Document.objects.get(engagement=engagement)
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.doc_type == DocumentType.ENGAGEMENT_STRATEGY
    assert document.phase is not None and document.phase.key == "preparation"
    body = document.current_version.body
    for text in ("## What we know", "The COO sponsors the initiative", "- [ ] Who signs off the budget?",
                 "Energy-neutral by 2035", "## Roadmap", "1. **Preparation** (current)"):
        assert text in body

    # The CSM edits it in the repository; generating again keeps that edit as a version.
    documents.update_written(document, documents.Details(document.title, document.doc_type, document.phase),
                             body + "\nMy own paragraph.", base_version=1, by=carol)
    as_carol.post(url)
    document.refresh_from_db()
    assert Document.objects.filter(engagement=engagement).count() == 1
    assert document.current_version.number == 3
    assert "My own paragraph." in document.versions.get(number=2).body


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_others_read_the_preview_but_cannot_generate(
    persona: str, request: pytest.FixtureRequest, engagement: Engagement
) -> None:
    client = request.getfixturevalue(persona)
    url = reverse("preparation_document", args=[engagement.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Generate" not in page.content.decode()
    assert client.post(url).status_code == 403
    assert not Document.objects.exists()


def test_the_preparation_tools_are_on_the_engagement_page(
    as_carol: Any, engagement: Engagement
) -> None:
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    for name in ("preparation_dossier", "preparation_organization", "preparation_strategy",
                 "preparation_document"):
        assert reverse(name, args=[engagement.pk]) in page


def test_a_strategy_written_by_hand_becomes_the_one_generation_versions(
    engagement: Engagement, carol: Any
) -> None:
    written = documents.create_written(
        engagement, documents.Details("Our strategy", DocumentType.ENGAGEMENT_STRATEGY), "Draft",
        by=carol,
    )
    link = actions.generate_strategy_document(engagement, by=carol)
    written.refresh_from_db()
    assert link.document == written and written.current_version.number == 2
    assert Document.objects.filter(engagement=engagement).count() == 1


def test_the_document_carries_the_stakeholder_management_plan(
    engagement: Engagement, carol: Any
) -> None:
    from cairn.commitment.actions import save_stakeholder
    from cairn.commitment.models import Stakeholder
    from cairn.customers.models import Contact

    ines = Contact.objects.create(account=engagement.account, first_name="Ines", last_name="Roy")
    save_stakeholder(Stakeholder(engagement=engagement), {
        "contact": ines, "role": "Executive sponsor", "power": 9, "interest": 8,
        "strategy": "Monthly one-to-one on the energy numbers"}, by=carol)
    link = actions.generate_strategy_document(engagement, by=carol)
    body = link.document.current_version.body
    assert "## Stakeholder management" in body
    assert "Ines Roy | Executive sponsor" in body and "Monthly one-to-one" in body
