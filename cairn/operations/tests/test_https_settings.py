"""HTTPS and login-throttling settings as an operator sets them: CAIRN_* variables read by a fresh
`cairn` process (settings are read once per process), shown by `cairn diffsettings`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cairn.operations.tests.test_configuration import cairn

SECURITY = [
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
]


def settings_of(tmp_path: Path, **env: str) -> dict[str, str]:
    """The settings that differ from Django's defaults, as `cairn diffsettings` prints them."""
    result = cairn("diffsettings", tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    pairs = (line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)
    return {name: value.removesuffix("  ###") for name, value in pairs}


def security_of(tmp_path: Path, **env: str) -> dict[str, str]:
    found = settings_of(tmp_path, **env)
    return {name: found[name] for name in SECURITY if name in found}


def test_the_embedded_mode_sets_no_https_setting(tmp_path: Path) -> None:
    assert security_of(tmp_path) == {}


def test_behind_an_https_proxy_cairn_trusts_its_header_sends_hsts_redirects_and_secures_cookies(
    tmp_path: Path,
) -> None:
    assert security_of(tmp_path, CAIRN_BEHIND_HTTPS_PROXY="true") == {
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_SSL_REDIRECT": "True",
    }


def test_secure_cookies_alone_turn_on_hsts_but_trust_no_proxy_header(tmp_path: Path) -> None:
    assert security_of(tmp_path, CAIRN_SECURE_COOKIES="true") == {
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_HSTS_SECONDS": "31536000",
    }


def test_hsts_time_and_the_redirect_are_the_operators_choice(tmp_path: Path) -> None:
    chosen = security_of(
        tmp_path, CAIRN_BEHIND_HTTPS_PROXY="true", CAIRN_HSTS_SECONDS="3600",
        CAIRN_SSL_REDIRECT="false",
    )

    assert chosen["SECURE_HSTS_SECONDS"] == "3600"
    assert "SECURE_SSL_REDIRECT" not in chosen


def test_the_login_limit_and_cool_off_are_the_operators_choice(tmp_path: Path) -> None:
    found = settings_of(
        tmp_path, CAIRN_LOGIN_FAILURE_LIMIT="3", CAIRN_LOGIN_COOLOFF_MINUTES="60"
    )

    assert found["AXES_FAILURE_LIMIT"] == "3"
    assert found["AXES_COOLOFF_TIME"] == "datetime.timedelta(seconds=3600)"
    assert found["AXES_LOCKOUT_PARAMETERS"] == "['username', 'ip_address']"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CAIRN_SSL_REDIRECT": "true"},
         "CAIRN_SSL_REDIRECT needs CAIRN_BEHIND_HTTPS_PROXY=true"),
        ({"CAIRN_BEHIND_HTTPS_PROXY": "maybe"}, "CAIRN_BEHIND_HTTPS_PROXY must be true or false"),
        ({"CAIRN_HSTS_SECONDS": "a year"}, "CAIRN_HSTS_SECONDS must be a whole number"),
        ({"CAIRN_LOGIN_FAILURE_LIMIT": "0"}, "CAIRN_LOGIN_FAILURE_LIMIT must be at least 1"),
        ({"CAIRN_LOGIN_COOLOFF_MINUTES": "0"}, "CAIRN_LOGIN_COOLOFF_MINUTES must be at least 1"),
    ],
)
def test_a_bad_https_or_login_value_is_a_configuration_error_naming_it(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = cairn("check", tmp_path=tmp_path, **env)

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"cairn: configuration error: {message}"), result.stderr


@pytest.mark.django_db
def test_behind_the_proxy_https_answers_carry_hsts_and_plain_http_is_redirected(
    settings: Any,
) -> None:
    # The values CAIRN_BEHIND_HTTPS_PROXY=true gives (tested above), in this process.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = True

    over_https = Client(HTTP_X_FORWARDED_PROTO="https").get("/login/")
    over_http = Client(HTTP_X_FORWARDED_PROTO="http").get("/login/")

    assert over_https.status_code == 200
    assert over_https["Strict-Transport-Security"] == "max-age=31536000"
    assert over_http.status_code == 301
    assert over_http["Location"] == "https://testserver/login/"
