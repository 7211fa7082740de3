"""A bad CAIRN_* value stops the `cairn` command with a message naming the variable (exit 2).

Run as a real process: settings are read once per process, so only a fresh one shows what
an operator sees.
"""

# ruff: noqa: S603 (the tests start the cairn command itself)

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def cairn(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    clean["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "cairn", *args], env=clean, capture_output=True, text=True,
        timeout=60, check=False,
    )


BAD_VALUES = [
    ("CAIRN_DEBUG", "maybe", "CAIRN_DEBUG must be true or false"),
    ("CAIRN_SECURE_COOKIES", "perhaps", "CAIRN_SECURE_COOKIES must be true or false"),
    ("CAIRN_EMAIL_USE_TLS", "sometimes", "CAIRN_EMAIL_USE_TLS must be true or false"),
    ("CAIRN_EMAIL_PORT", "smtp", "CAIRN_EMAIL_PORT must be a whole number"),
    ("CAIRN_EMAIL_PORT", "0", "CAIRN_EMAIL_PORT must be at least 1"),
    ("CAIRN_UPLOAD_MAX_MB", "lots", "CAIRN_UPLOAD_MAX_MB must be a whole number"),
    ("CAIRN_UPLOAD_MAX_MB", "0", "CAIRN_UPLOAD_MAX_MB must be at least 1"),
    ("CAIRN_SECRET_KEY", "too-short", "CAIRN_SECRET_KEY must be at least 32 characters"),
    ("CAIRN_DATABASE_URL", "mysql://cairn@db/cairn", "CAIRN_DATABASE_URL must point to Postgre"),
    ("CAIRN_DATABASE_URL", "not a url", "CAIRN_DATABASE_URL is not a database URL"),
    ("CAIRN_TIME_ZONE", "Mars/Olympus", "CAIRN_TIME_ZONE must be a time zone name"),
    ("CAIRN_LOG_LEVEL", "loud", "CAIRN_LOG_LEVEL must be one of DEBUG, INFO"),
    ("CAIRN_SITE_URL", "cairn.example.com", "CAIRN_SITE_URL must be an address starting with"),
    ("CAIRN_CSRF_TRUSTED_ORIGINS", "https://ok.example,cairn.example",
     "CAIRN_CSRF_TRUSTED_ORIGINS must be an address starting with"),
    ("CAIRN_EMAIL_FROM", "cairn", "CAIRN_EMAIL_FROM must be an e-mail address"),
    ("CAIRN_ALLOWED_HOSTS", " , ", "CAIRN_ALLOWED_HOSTS is set but lists nothing"),
]


@pytest.mark.parametrize(("variable", "value", "message"), BAD_VALUES)
def test_a_bad_value_is_a_configuration_error_naming_the_variable(
    variable: str, value: str, message: str, tmp_path: Path
) -> None:
    result = cairn("check", tmp_path=tmp_path, **{variable: value})

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"cairn: configuration error: {message}"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_directory_that_cannot_be_created_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    result = cairn("check", tmp_path=tmp_path, CAIRN_DATA_DIR=str(blocker / "cairn"))

    assert result.returncode == 2
    assert "cairn: configuration error: CAIRN_DATA_DIR" in result.stderr
    assert "cannot be created" in result.stderr


def test_the_configuration_error_also_stops_the_installed_cairn_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "cairn"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    clean.update(CAIRN_DATA_DIR=str(tmp_path), CAIRN_DEBUG="maybe")

    result = subprocess.run(
        [str(script), "demo", "--no-serve"], env=clean, capture_output=True, text=True,
        timeout=60, check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "cairn: configuration error: CAIRN_DEBUG must be true or false (1/0, yes/no, on/off), "
        "not 'maybe'."
    )


def test_good_values_pass_the_checks(tmp_path: Path) -> None:
    result = cairn(
        "check", tmp_path=tmp_path, CAIRN_DEBUG="yes", CAIRN_TIME_ZONE="Europe/Paris",
        CAIRN_LOG_LEVEL="warning", CAIRN_SITE_URL="https://cs.example.com",
        CAIRN_CSRF_TRUSTED_ORIGINS="https://cs.example.com", CAIRN_EMAIL_PORT="25",
        CAIRN_EMAIL_FROM="Cairn <cairn@example.com>", CAIRN_SECRET_KEY="k" * 40,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_mode_keeps_its_secret_key_private_in_the_data_directory(
    tmp_path: Path,
) -> None:
    result = cairn("check", tmp_path=tmp_path)

    key_file = tmp_path / "data" / "secret_key"
    assert result.returncode == 0, result.stderr
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]

    result = cairn(
        "migrate", tmp_path=tmp_path,
        CAIRN_DATABASE_URL=f"postgres://cairn@127.0.0.1:{closed_port}/cairn",
    )

    assert result.returncode == 1
    assert result.stderr.startswith("cairn: database error (cairn): connection failed")
    assert "Traceback" not in result.stderr
