"""API clients for the personas: each sends its own personal token, as a script would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cairn.people.models import ApiToken, User


def bearer(user: User) -> Client:
    _, key = ApiToken.issue(user, "tests")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def api_adam(adam: User) -> Client:
    return bearer(adam)


@pytest.fixture
def api_alice(alice: User) -> Client:
    return bearer(alice)


@pytest.fixture
def api_carol(carol: User) -> Client:
    return bearer(carol)


@pytest.fixture
def api_dave(dave: User) -> Client:
    return bearer(dave)


@pytest.fixture
def api_rita(rita: User) -> Client:
    return bearer(rita)


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Callable[[str], Client]:
    """Look a persona's API client up by name, for parametrized tests."""
    return lambda name: request.getfixturevalue(f"api_{name}")
