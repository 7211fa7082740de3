"""Documents on carol's Acme engagement, made through the actions the views use."""

from __future__ import annotations

import pytest

from cairn.documents import actions
from cairn.documents.models import Document


@pytest.fixture
def first_phase(engagement):  # type: ignore[no-untyped-def]
    return engagement.current_phase


@pytest.fixture
def written(engagement, carol, first_phase) -> Document:  # type: ignore[no-untyped-def]
    return actions.create_written(
        engagement,
        actions.Details(title="Handover from sales", doc_type="handover_notes", phase=first_phase),
        "# Handover\n\nThe sponsor is **Maria**. Budget approved for 400 seats.",
        by=carol,
    )
