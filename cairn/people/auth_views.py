"""Getting back in: password reset by e-mail, and an admin lifting a login lockout.

The reset pages are Django's own views (tokens, expiry, single use) in Cairn's pages; they are
open without a login, since whoever needs them cannot log in.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cairn.fields import NAME
from cairn.people import access, throttle


class _PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        # Links point to the address people use (CAIRN_SITE_URL), never to whatever host name
        # the request came in with.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        # Whoever set the new password read the account's e-mail: a lockout of their user name,
        # often the very reason they are here, ends with it.
        throttle.lift(username=form.user.get_username(), by="password reset by e-mail")
        return response


password_reset = login_not_required(_PasswordResetView.as_view())
password_reset_done = login_not_required(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = login_not_required(_PasswordResetConfirmView.as_view())
password_reset_complete = login_not_required(auth_views.PasswordResetCompleteView.as_view())


@require_POST
def lift_lockout(request: HttpRequest) -> HttpResponse:
    access.admin(request.user, "Only admins lift login lockouts.")
    username = request.POST.get("username", "").strip()
    address = request.POST.get("address", "").strip()
    if bool(username) == bool(address):
        messages.error(request, "Choose one user name or one address to lift the lockout of.")
        return redirect("users")
    # Only what a lockout can name: a NUL would be refused by PostgreSQL as a server error.
    if "\x00" in username or len(username) > NAME or (address and not _is_address(address)):
        messages.error(request, "That is not a user name or an address Cairn can have locked out.")
        return redirect("users")
    removed = throttle.lift(username=username, address=address, by=request.user.get_username())
    if removed:
        messages.success(request, f"{username or address} may try to log in again.")
    else:
        messages.info(request, f"{username or address} was not locked out: nothing to lift.")
    return redirect("users")


def _is_address(text: str) -> bool:
    """An IP address, as axes records it (PostgreSQL's inet type refuses anything else)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
