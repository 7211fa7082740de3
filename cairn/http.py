"""Request types for views behind the login (every view but the login page and the API)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from cairn.people.models import User


class AuthedRequest(HttpRequest):
    """A request that passed the login middleware: its user is a real, active User."""

    user: User
    htmx: HtmxDetails
