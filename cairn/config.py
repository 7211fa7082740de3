"""Typed readers for Cairn's environment variables.

Every setting an operator can change comes through here, so a bad value fails at start-up
with a message naming the variable, instead of surfacing later as a confusing error.
"""

from __future__ import annotations

import os
import zoneinfo
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}."
    )


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def envlist(name: str, default: list[str], *, allow_empty: bool = True) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items and not allow_empty:
        raise ImproperlyConfigured(f"{name} is set but lists nothing; give at least one value.")
    return items


def envchoice(name: str, default: str, choices: list[str]) -> str:
    raw = os.environ.get(name, default).strip()
    value = raw.upper() if all(c.isupper() for c in choices) else raw
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")
    return value


def envzone(name: str, default: str) -> str:
    """A time zone name; Django would otherwise fail later with a bare ValueError."""
    value = envstr(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone name such as UTC or Europe/Paris, not {value!r}."
        ) from None
    return value


def _check_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(
            f"{name} must be an address starting with http:// or https://, not {value!r}."
        )
    return value


def envurl(name: str, default: str) -> str:
    return _check_url(name, envstr(name) or default)


def envurls(name: str, default: list[str]) -> list[str]:
    """Absolute http(s) addresses, comma-separated."""
    return [_check_url(name, value) for value in envlist(name, default)]


def envemail(name: str, default: str) -> str:
    """An e-mail address, bare or with a display name ("Cairn <cairn@example.com>")."""
    value = envstr(name) or default
    _, address = parseaddr(value)
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        raise ImproperlyConfigured(
            f"{name} must be an e-mail address such as cairn@example.com, not {value!r}."
        )
    return value
