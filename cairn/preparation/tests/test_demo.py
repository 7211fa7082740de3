"""The demo shows every preparation tool filled in."""

from __future__ import annotations

import pytest

from cairn.documents.models import DocumentType
from cairn.engagements.models import Engagement
from cairn.operations import demo_data
from cairn.preparation import queries
from cairn.preparation.models import StrategyDocument

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_preparation_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only this app's part of the demo is under test here; cairn/operations loads it all.
    for app in ("commitment", "proposals", "onboarding", "adoption"):
        monkeypatch.setattr(f"cairn.{app}.demo.load", lambda *args: None)
    demo_data.load()
    halvorsen = Engagement.objects.get(account__name="Halvorsen Maritime")
    data = queries.dossier(halvorsen)
    assert len(data["facts"]) >= 8 and data["open_questions"] and data["answered_questions"]
    assert data["meetings"][0].attendees.count() == 4
    assert halvorsen.value_chain.filter(impact="direct").exists()
    assert halvorsen.capabilities.filter(level="low", changed=True).exists()
    chain = queries.strategy_chain(halvorsen)
    assert chain.paths and chain.contributions
    assert [e.kind for e in chain.paths[0]["path"]][-1] == "vision"
    assert queries.effective_pestle(halvorsen.account).drivers
    document = StrategyDocument.objects.get(engagement=halvorsen).document
    assert document.doc_type == DocumentType.ENGAGEMENT_STRATEGY
    assert "Weekly fuel review on every vessel" in document.current_version.body

    renewables = Engagement.objects.get(account__name="Brightwater Renewables")
    parent = Engagement.objects.get(account__name="Brightwater Utilities")
    origins = {d.origin for d in queries.effective_pestle(renewables.account).drivers}
    assert origins == {"shared", "replaced", "own"}
    assert {d.origin for d in queries.effective_pestle(parent.account).drivers} == {"shared"}
