"""cairn.pages: what several apps add to one page is merged, and sections gather from all."""

from __future__ import annotations

from typing import Any

import pytest

from cairn import pages


@pytest.fixture
def home_providers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    registered: list[Any] = []
    monkeypatch.setitem(pages._PROVIDERS, "home", registered)
    return registered


def test_sections_from_two_providers_are_both_kept(home_providers: list[Any]) -> None:
    pages.provide("home", lambda request, user: {"home_sections": ["a.html"], "due": 1})
    pages.provide("home", lambda request, user: {"home_sections": ["b.html"], "late": 2})
    context = pages.context_for("home", None, None)  # type: ignore[arg-type]
    assert context == {"home_sections": ["a.html", "b.html"], "due": 1, "late": 2}


def test_a_page_that_takes_no_providers_is_refused() -> None:
    with pytest.raises(ValueError, match="No page 'nowhere'"):
        pages.provide("nowhere", lambda request, obj: {})
