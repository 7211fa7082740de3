"""Shared fixtures: the people of a small CS team, and a customer they work on.

Personas, not anonymous users: `alice` leads the team, `carol` is the CSM who owns Acme,
`dave` is a CSM with no part in Acme, `rita` may only read, `adam` administers Cairn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # PBKDF2 is slow on purpose (about a third of a second a user on a small CI machine);
    # tests create several personas each, and need correct hashing, not slow hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with nothing cached (the home page keeps a snapshot of the book)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_query_log() -> None:
    """Each test counts its queries from an empty log.

    A connection keeps its last 9,000 captured queries across tests; once that log is full,
    its length no longer grows and Django's CaptureQueriesContext (and pytest-django's query
    assertions) would count every block as 0 queries, so "the same count for 2 and 20 rows"
    would pass for nothing.
    """
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.queries_log.clear()


@pytest.fixture(autouse=True)
def _own_analytics_dir(request, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each test its own analytics store: the database rolls back after a test, files do
    not, and a score history file left by one test would be another's history.

    A test on the loaded demo reads the demo's store, which belongs to its module."""
    if "loaded_demo" in request.fixturenames:
        settings.ANALYTICS_DIR = request.getfixturevalue("loaded_demo").analytics_dir
    else:
        settings.ANALYTICS_DIR = tmp_path / "analytics"


@dataclasses.dataclass(frozen=True)
class LoadedDemo:
    output: str
    analytics_dir: Path
    # When the load began: no row of the demo's story should carry a later timestamp.
    started: dt.datetime


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LoadedDemo]:  # type: ignore[no-untyped-def]
    """The whole demo, loaded once for a module's tests and rolled back after the last.

    Loading it takes several seconds (a year of usage, metrics and scores), and most tests of
    it only read it. Each test runs in a savepoint inside this load, so what a test changes is
    undone before the next one. A module that uses it should use it in every test: a test that
    does not ask for it still runs inside the load.
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    analytics_dir = tmp_path_factory.mktemp("demo") / "analytics"
    with django_db_blocker.unblock(), override_settings(ANALYTICS_DIR=analytics_dir):
        load = transaction.atomic()
        load.__enter__()
        try:
            out = io.StringIO()
            started = timezone.now()
            call_command("demo", "--no-serve", stdout=out)
            yield LoadedDemo(out.getvalue(), analytics_dir, started)
        finally:
            transaction.set_rollback(True)
            load.__exit__(None, None, None)


def _user(django_user_model, username: str, role: str, first: str, last: str):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username=username, password=PASSWORD, role=role, first_name=first, last_name=last,
        email=f"{username}@cairn.test",
    )


@pytest.fixture
def adam(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "adam", "admin", "Adam", "Admin")


@pytest.fixture
def alice(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "alice", "leader", "Alice", "Leader")


@pytest.fixture
def carol(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "carol", "csm", "Carol", "Owner")


@pytest.fixture
def dave(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "dave", "csm", "Dave", "Outsider")


@pytest.fixture
def rita(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "rita", "readonly", "Rita", "Reader")


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_adam(adam) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(adam)


@pytest.fixture
def as_alice(alice) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(alice)


@pytest.fixture
def as_carol(carol) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(carol)


@pytest.fixture
def as_dave(dave) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(dave)


@pytest.fixture
def as_rita(rita) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(rita)


@pytest.fixture
def acme(carol):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Account

    return Account.objects.create(
        name="Acme Manufacturing", industry="Manufacturing", region="EMEA", segment="enterprise",
        owner=carol, website="https://acme.example",
    )


@pytest.fixture
def playbook_version(db):  # type: ignore[no-untyped-def]
    from cairn.playbooks.actions import default_version

    return default_version()


@pytest.fixture
def engagement(acme, carol, playbook_version):  # type: ignore[no-untyped-def]
    from cairn.engagements.actions import EngagementData, start_engagement

    return start_engagement(
        acme,
        EngagementData(
            initiative="Energy use down 20 %", owner=carol, start_date=dt.date(2026, 9, 1),
            challenge="Energy costs doubled", solution="Cairn Energy Monitor, 400 seats",
        ),
        by=carol,
        version=playbook_version,
    )
