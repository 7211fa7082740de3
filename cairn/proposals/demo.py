"""Demo content for this app's tools; called by cairn.operations.demo_data.load."""

from __future__ import annotations

import datetime as dt

from cairn.engagements.models import Engagement
from cairn.people.models import User


def load(engagements: dict[str, Engagement], users: dict[str, User], today: dt.date) -> None:
    """Fill this app's tools for the demo engagements (keyed by demo account key)."""
