from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.permissions.world import World, build


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """Built once for a module and rolled back after its last test (as loaded_demo is);
    each test runs in a savepoint inside it, and each call in one more."""
    with django_db_blocker.unblock():
        load = transaction.atomic()
        load.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            load.__exit__(None, None, None)
