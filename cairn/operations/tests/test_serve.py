"""`cairn serve`: options checked up front, waitress serving pages and static files."""

# ruff: noqa: S603, S310, S104 (the tests start cairn serve and fetch from it on localhost)

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


class FakeProcess:
    started: list[list[str]] = []

    def __init__(self, args: list[str]) -> None:
        FakeProcess.started.append(args)
        self.stopped = False

    def terminate(self) -> None:
        self.stopped = True

    def wait(self, timeout: float) -> int:
        return 0


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The worker processes `serve` started, without starting any."""
    FakeProcess.started = []
    monkeypatch.setattr("cairn.operations.server.subprocess.Popen", FakeProcess)
    return FakeProcess.started


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, workers: list[list[str]]) -> list[dict[str, object]]:
    """What waitress was asked to serve, without opening a socket."""
    calls: list[dict[str, object]] = []

    def fake_serve(app: object, **options: object) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr("waitress.serve", fake_serve)
    return calls


def test_serve_starts_a_background_worker_unless_told_not_to(
    served: list[dict[str, object]], workers: list[list[str]]
) -> None:
    serve()
    assert workers == [[sys.executable, "-m", "cairn", "worker", "--no-reload"]]
    serve("--no-worker")
    assert len(workers) == 1


def serve(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("serve", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_hands_the_wsgi_application_to_waitress(served: list[dict[str, object]]) -> None:
    from cairn.wsgi import application

    output, _ = serve("--host", "127.0.0.1", "--port", "9001", "--threads", "4")

    from django.conf import settings

    assert served == [
        {"app": application, "host": "127.0.0.1", "port": 9001, "threads": 4, "ident": "Cairn",
         "max_request_body_size": settings.UPLOAD_MAX_BYTES + 1024 * 1024}
    ]
    assert "http://127.0.0.1:9001/" in output


def test_serve_listens_on_localhost_port_8000_by_default(served: list[dict[str, object]]) -> None:
    serve()

    assert (served[0]["host"], served[0]["port"], served[0]["threads"]) == ("127.0.0.1", 8000, 8)


def test_serve_says_where_the_data_lives_and_which_database_it_uses(
    served: list[dict[str, object]], settings
) -> None:  # type: ignore[no-untyped-def]
    output, _ = serve()

    assert f"Data directory: {settings.DATA_DIR}" in output
    assert "Database: " in output
    assert ("SQLite" in output) or ("PostgreSQL" in output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "http"], "argument --port: must be a whole number, not 'http'"),
        (["--port", "70000"], "argument --port: must be between 1 and 65535, not 70000"),
        (["--port", "0"], "argument --port: must be between 1 and 65535, not 0"),
        (["--threads", "0"], "argument --threads: must be between 1 and 256, not 0"),
        (["--threads", "many"], "argument --threads: must be a whole number"),
    ],
)
def test_serve_rejects_a_bad_option_naming_it(
    args: list[str], message: str, served: list[dict[str, object]]
) -> None:
    with pytest.raises(CommandError, match=message):
        serve(*args)

    assert served == []


def test_serve_warns_when_listening_for_host_names_it_will_refuse(
    served: list[dict[str, object]], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

    output, errors = serve("--host", "0.0.0.0")

    assert "CAIRN_ALLOWED_HOSTS" in errors
    assert "http://127.0.0.1:8000/" in output


def test_serve_explains_a_port_that_is_already_taken() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            serve("--port", str(port), "--no-worker")


def test_cairn_serve_answers_pages_and_static_files(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env["CAIRN_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "cairn", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        login = _get_when_up(f"http://127.0.0.1:{port}/login/")
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/cairn/cairn.css", timeout=5)
        assert login.status == 200
        assert b"Log in" in login.read()
        assert css.status == 200
        assert css.headers["Content-Type"].startswith("text/css")
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in output


def _get_when_up(url: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 20
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
