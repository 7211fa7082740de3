"""What the server console shows for a request: one line for a refusal, the whole traceback for
a server error (settings.LOGGING, cairn.logs)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from cairn.urls import urlpatterns as cairn_urlpatterns

pytestmark = pytest.mark.django_db


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something Cairn must fix")


# Cairn's routes and one that fails, for the server-error test (pytest.mark.urls).
urlpatterns = [*cairn_urlpatterns, path("broken/", broken)]


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The server console: the stream of the console handler settings.LOGGING puts on the root
    logger (pytest's own handlers there are subclasses, and left alone)."""
    handler = next(
        h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler
    )
    shown = io.StringIO()
    # Swapped in place, not with setStream(): that flushes the old stream first, which a
    # pytest-xdist worker may already have closed.
    previous, handler.stream = handler.stream, shown
    try:
        yield shown
    finally:
        handler.stream = previous


def test_a_refused_request_prints_one_line_not_a_traceback(
    console: io.StringIO, as_dave: Client
) -> None:
    response = as_dave.get(reverse("users"))

    assert response.status_code == 403
    assert console.getvalue() == "Forbidden (Permission denied): /people/users/\n"


def test_a_request_for_another_host_prints_one_line(console: io.StringIO) -> None:
    response = Client(HTTP_HOST="cairn.attacker.example").get("/login/")

    assert response.status_code == 400
    lines = console.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Invalid HTTP_HOST header: 'cairn.attacker.example'.")


def test_a_missing_page_prints_one_line(console: io.StringIO, as_carol: Client) -> None:
    response = as_carol.get("/no/such/page/")

    assert response.status_code == 404
    assert console.getvalue() == "Not Found: /no/such/page/\n"


@pytest.mark.urls(__name__)
def test_a_server_error_keeps_its_traceback(console: io.StringIO, carol: object) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(carol)  # type: ignore[arg-type]

    response = client.get("/broken/")

    assert response.status_code == 500
    shown = console.getvalue()
    assert shown.startswith("Internal Server Error: /broken/\nTraceback (most recent call last):")
    assert "RuntimeError: something Cairn must fix" in shown
