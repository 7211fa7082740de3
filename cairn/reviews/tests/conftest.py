"""What the business review tests start from: Carol's account Acme (the root conftest's
`carol`, `acme`, `engagement`) with a customer contact, and a quarterly review programme of
Acme with Carol and that contact attending.

`review` is a draft of the programme prepared for a fixed date, on Acme's engagement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

# A fixed meeting day: the period it covers is the quarter before it.
REVIEW_DAY = dt.date(2026, 12, 1)


@pytest.fixture
def contact(acme: Any) -> Any:
    from cairn.customers.models import Contact

    return Contact.objects.create(
        account=acme, first_name="Maria", last_name="Jensen", title="COO", email="maria@acme.example",
    )


@pytest.fixture
def program(acme: Any, carol: Any, contact: Any) -> Any:
    from cairn.reviews import actions
    from cairn.reviews.models import Format, Kind, Program

    return actions.create_program(Program(
        account=acme, kind=Kind.QBR, purpose="Show the energy saved and agree the next quarter.",
        cadence_months=3, duration_minutes=60, format=Format.VIDEO, next_date=REVIEW_DAY,
    ), ours=[carol], theirs=[contact], by=carol)


@pytest.fixture
def review(program: Any, engagement: Any, carol: Any) -> Any:
    from cairn.reviews import actions

    return actions.prepare_review(program, actions.Prepare(date=REVIEW_DAY, engagement=engagement), by=carol)
