"""What `cairn demo` tells the person who ran it, with and without serving.

Loading the demo itself is tested in test_demo_command.py and test_demo.py; here the loader
answers "already loaded" so only the command's own words are under test.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cairn.operations import demo_data
from cairn.operations.demo_content import DEMO_USERNAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _already_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_data, "load", lambda: False)


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_demo_no_serve_says_how_to_serve_instead_of_open() -> None:
    output = demo()

    assert "Open " not in output
    assert "Serve it   cairn serve\n" in output
    assert "then open  http://127.0.0.1:8000/" in output
    assert f"Log in as  {DEMO_USERNAME} /" in output


def test_demo_no_serve_names_the_host_and_port_it_was_given() -> None:
    output = demo("--host", "0.0.0.0", "--port", "9000")  # noqa: S104

    assert "Serve it   cairn serve --host 0.0.0.0 --port 9000\n" in output
    assert "then open  http://127.0.0.1:9000/" in output
