"""Serving Cairn with waitress, shared by `cairn serve` and `cairn demo`."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

from django.conf import settings
from django.core.management.base import CommandError, CommandParser, OutputWrapper

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def port_number(raw: str) -> int:
    """argparse type for --port: a whole number from 1 to 65535."""
    try:
        port = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {raw!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 1 and 65535, not {port}")
    return port


def thread_count(raw: str) -> int:
    try:
        threads = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {raw!r}") from None
    if not 1 <= threads <= 256:
        raise argparse.ArgumentTypeError(f"must be between 1 and 256, not {threads}")
    return threads


def add_server_arguments(parser: CommandParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
    parser.add_argument("--port", type=port_number, default=8000, help="Port to listen on.")
    parser.add_argument(
        "--threads", type=thread_count, default=8, help="Requests served at the same time."
    )
    parser.add_argument(
        "--no-worker", action="store_false", dest="worker",
        help="Do not start a background worker beside the server (run `cairn worker` instead).",
    )


def database_description() -> str:
    db = settings.DATABASES["default"]
    engine = str(db["ENGINE"])
    if engine.endswith("sqlite3"):
        return f"SQLite, {db['NAME']}"
    # Never print the password that may sit in CAIRN_DATABASE_URL.
    where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
    return f"PostgreSQL, database {db['NAME']!r} on {where} as {db.get('USER') or 'default user'}"


def describe(out: OutputWrapper) -> None:
    out.write(f"Data directory: {settings.DATA_DIR} (uploaded files in {settings.MEDIA_ROOT})\n")
    out.write(f"Database: {database_description()}\n")


def warnings_for(host: str) -> list[str]:
    notes = []
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if "postgresql" in engine and not os.environ.get("CAIRN_SECRET_KEY", "").strip():
        notes.append(
            "CAIRN_SECRET_KEY is not set: the key is kept in the data directory of this machine, "
            "so a second server on the same database would not accept this one's sessions."
        )
    allowed = set(settings.ALLOWED_HOSTS)
    if host not in LOOPBACK and "*" not in allowed and host not in allowed:
        notes.append(
            f"Listening on {host}, but CAIRN_ALLOWED_HOSTS is {','.join(sorted(allowed))}: "
            "requests for any other host name are refused. Add the name people will use."
        )
    return notes


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


@contextlib.contextmanager
def background_worker(enabled: bool) -> Iterator[None]:
    """A `cairn worker` process for the life of the server, so one command runs everything."""
    if not enabled:
        yield
        return
    process = subprocess.Popen([sys.executable, "-m", "cairn", "worker", "--no-reload"])
    # A service manager stops the server with SIGTERM; turn it into an orderly exit so the
    # worker below is stopped too instead of left running on its own.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(host: str, port: int, threads: int) -> None:
    """Run waitress in the foreground until interrupted."""
    from django.conf import settings
    from waitress import serve as waitress_serve

    from cairn.wsgi import application

    # The server refuses a request body larger than the biggest upload (plus room for the
    # form around it) before reading it, instead of spooling a huge file to disk first.
    body_limit = settings.UPLOAD_MAX_BYTES + 1024 * 1024
    try:
        waitress_serve(
            application, host=host, port=port, threads=threads, ident="Cairn",
            max_request_body_size=body_limit,
        )
    except OSError as exc:
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from exc
