"""Login throttling. django-axes counts failed logins (settings.AXES_*); this module says what
a lockout means to the person locked out, and lets an admin see and lift lockouts.

A lockout is kept by user name and by address, each on its own: too many failures for one user
name (from anywhere) lock that name, too many from one address (whatever names) lock that
address. It ends once nobody has failed for the cool-off time, or when an admin lifts it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cairn.http import client_address as address_of

logger = logging.getLogger(__name__)


def cooloff() -> dt.timedelta:
    cooloff_time: dt.timedelta = settings.AXES_COOLOFF_TIME
    return cooloff_time


def cooloff_minutes() -> int:
    return int(cooloff().total_seconds() // 60)


def client_address(request: HttpRequest) -> str | None:
    """The address axes counts failures for: the same one customer links record, so the
    trusted-proxy rule (CAIRN_TRUSTED_PROXY_COUNT) is read in one place."""
    return address_of(request.META)  # the same rule as customer links


def locked_out_page(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page again, saying why the login was refused and when to try again.

    axes calls this instead of the login view's own answer whenever it refused a login, the
    right password included, so the page looks the same whatever was typed.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out": True,
        "cooloff_minutes": cooloff_minutes(),
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


@dataclasses.dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "address"
    value: str
    failures: int
    until: dt.datetime


def lockouts() -> list[Lockout]:
    """The user names and addresses locked out now, in two queries whatever their number."""
    since = timezone.now() - cooloff()
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    for kind, field in (("username", "username"), ("address", "ip_address")):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by(field)
        )
        found += [
            Lockout(kind, row[field], row["failures"], row["last"] + cooloff()) for row in rows
        ]
    return found


def lift(*, username: str = "", address: str = "", by: str) -> int:
    """Forget the failed logins of one user name or one address, ending its lockout.

    Returns how many attempt records were removed (0: it was not locked out). `by` names who
    lifted it, for the server log.
    """
    if bool(username) == bool(address):
        raise ValueError("Lift the lockout of one user name or one address.")
    if username:
        removed = reset(username=username)
        logger.info("Login lockout of user name %r lifted by %s.", username, by)
    else:
        removed = reset(ip=address)
        logger.info("Login lockout of address %s lifted by %s.", address, by)
    return removed
