"""Merge fields in the text a rule writes: `{{ account }}` becomes the account's name.

Only the names below exist, each filled with a plain string, so a rule's text can print a
value and nothing else: no attribute lookups, no filters, no template tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MERGE_FIELDS: dict[str, str] = {
    "account": "The account's name",
    "owner": "The account owner's name",
    "rule": "The rule's name",
    "reason": "Why the rule fired, in words",
    "event_on": "The day the situation arose",
    "arr": "The account's ARR",
    "score": "The account's health score",
    "light": "The account's health light",
    "renewal_date": "The account's next renewal date",
    "phase": "The engagement's current phase",
}

_FIELD = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def unknown_fields(text: str) -> list[str]:
    """The merge fields `text` names that do not exist."""
    return sorted({name for name in _FIELD.findall(text) if name not in MERGE_FIELDS})


def render(text: str, values: Mapping[str, str]) -> str:
    return _FIELD.sub(lambda match: values.get(match.group(1), ""), text)
