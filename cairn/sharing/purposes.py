"""What a customer link asks of its reader: the registry of purposes.

Each app that needs a customer's answer on a document registers a purpose once, from its
AppConfig.ready(): proposals ask for acceptance, onboarding for the final sign-off. The
sharing app stores only the purpose's key on a link and looks the rest up here, so it never
imports the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cairn.documents.models import DocumentVersion
    from cairn.sharing.models import SharedLink


@dataclass(frozen=True)
class Purpose:
    """One kind of customer answer.

    `label` names it for the CS team ("Proposal acceptance"); `document_label` names what the
    customer reads ("engagement proposal"); `accept_label` is the button ("Accept", "Sign
    off"). `refusal` says why a document version cannot be sent for this purpose ("" when it
    can): an answer changes what the purpose's app records, so a link may only carry the
    document that answer is about (the proposal purpose only the engagement's proposal). It
    is asked when a link is made and again when it is answered. `decline_label` names the
    other button ("Decline", "Dispute") and `decline_intro` says what to write there;
    `accepted_word` and `declined_word` say what the answer did ("accepted", "confirmed").
    `on_response`, if given, runs
    after the answer is stored, inside the same transaction: if it raises, the answer is not
    recorded and the link stays open.
    """

    key: str
    label: str
    refusal: Callable[[DocumentVersion], str]
    document_label: str = "document"
    accept_label: str = "Accept"
    decline_label: str = "Decline"
    decline_intro: str = "Tell us what should change; we will come back with a new version."
    accepted_word: str = "accepted"
    declined_word: str = "declined"
    on_response: Callable[[SharedLink], None] | None = None


_PURPOSES: dict[str, Purpose] = {}


def register(purpose: Purpose) -> None:
    """Add a purpose; registering again under the same key replaces it (app reloads)."""
    _PURPOSES[purpose.key] = purpose


def get(key: str) -> Purpose | None:
    return _PURPOSES.get(key)


def label(key: str) -> str:
    purpose = _PURPOSES.get(key)
    return purpose.label if purpose else key.replace("-", " ").capitalize()


def all_purposes() -> list[Purpose]:
    return sorted(_PURPOSES.values(), key=lambda p: p.label)
