"""Warnings other apps put on a document's edit page.

An app that attaches a meaning to a document (an approved outline, say) registers a function
from its AppConfig.ready(); the edit page shows what each returns, so the person editing in
the repository learns what a save means there. The documents app never imports those apps.
"""

from __future__ import annotations

from collections.abc import Callable

from cairn.documents.models import Document

EditNotice = Callable[[Document], str]

_NOTICES: list[EditNotice] = []


def register_edit_notice(notice: EditNotice) -> None:
    """`notice` returns a sentence for a document it has something to say about, else ""."""
    if notice not in _NOTICES:
        _NOTICES.append(notice)


def edit_notices(document: Document) -> list[str]:
    return [text for notice in _NOTICES if (text := notice(document))]
