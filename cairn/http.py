"""Request types for views behind the login (every view but the login page and the API), and
the client address every app records."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from cairn.people.models import User


class AuthedRequest(HttpRequest):
    """A request that passed the login middleware: its user is a real, active User."""

    user: User
    htmx: HtmxDetails


def client_address(meta: dict[str, str]) -> str | None:
    """The client's network address (a customer answering a link, a person logging in):
    REMOTE_ADDR, or, behind trusted proxies, the address the outermost trusted proxy saw
    (X-Forwarded-For read from the right, never the left, which the client writes itself)."""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    candidate = meta.get("REMOTE_ADDR", "")
    forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if trusted > 0 and forwarded:
        candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without its page, ending in "&" when not empty: the
    pagination links add `page=N` to it, so the next page keeps the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""
