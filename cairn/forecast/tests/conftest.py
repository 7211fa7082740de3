"""A small synthetic book with a trained forecast, made once per test module.

Making the book and training take seconds; the page and API tests only read it (or train once
more inside their own savepoint). Each test runs inside the module's transaction, which is
rolled back after the last, as conftest.loaded_demo does for the demo.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LEAD = 56


@dataclasses.dataclass(frozen=True)
class SmallBook:
    book: Any  # cairn.forecast.synthetic.Book
    model: Any  # cairn.forecast.models.ForecastModel
    analytics_dir: Path


@pytest.fixture(scope="module")
def small_book(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[SmallBook]:  # type: ignore[no-untyped-def]
    from django.db import transaction
    from django.test.utils import override_settings

    from cairn.forecast import actions
    from cairn.forecast.synthetic import make_book

    analytics_dir = tmp_path_factory.mktemp("forecast") / "analytics"
    with django_db_blocker.unblock(), override_settings(ANALYTICS_DIR=analytics_dir):
        load = transaction.atomic()
        load.__enter__()
        try:
            book = make_book(accounts=600, weeks=30, lead_days=LEAD)
            model = actions.train_model(lead_days=LEAD, as_of=book.as_of)
            yield SmallBook(book, model, analytics_dir)
        finally:
            transaction.set_rollback(True)
            load.__exit__(None, None, None)


@pytest.fixture
def forecast_book(small_book: SmallBook, settings: Any, _own_analytics_dir: None) -> SmallBook:
    """The module's book, its metric series readable by the test (training again reads them)."""
    settings.ANALYTICS_DIR = small_book.analytics_dir
    return small_book
