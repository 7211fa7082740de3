"""Views; thin: parse, check permission, call an action, render.

Secrets (a generated password, a new token's key) travel to the next page in the session
and are removed as they are shown, so they appear exactly once and never in a URL.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cairn.changes import in_sequence as changes_in_sequence
from cairn.people import access, actions, permissions, throttle
from cairn.people.forms import ProfileForm, TokenForm, UserCreateForm, UserEditForm
from cairn.people.models import ApiToken, User

# Session keys, not secrets.
_NEW_PASSWORD = "people.new_password"  # noqa: S105
_NEW_TOKEN = "people.new_token"  # noqa: S105

USERS_REFUSAL = "Only admins manage users."


def _me(request: HttpRequest) -> User:
    # Every view here sits behind the login middleware.
    return cast(User, request.user)


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def users(request: HttpRequest) -> HttpResponse:
    access.admin(request.user, USERS_REFUSAL)
    people = User.objects.annotate(token_count=Count("api_tokens")).order_by(
        "-is_active", "first_name", "last_name", "username"
    )
    return render(
        request,
        "people/users.html",
        {
            "people": people,
            "new_password": request.session.pop(_NEW_PASSWORD, None),
            "lockouts": throttle.lockouts(),
            "cooloff_minutes": throttle.cooloff_minutes(),
        },
    )


def user_create(request: HttpRequest) -> HttpResponse:
    access.admin(request.user, USERS_REFUSAL)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            user, password = actions.create_user(
                data, password=form.cleaned_data["password"] or None, by=_me(request)
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not form.cleaned_data["password"]:
                request.session[_NEW_PASSWORD] = {"username": user.username, "password": password}
            messages.success(request, f"{user} can now log in as {user.username}.")
            return redirect("users")
    return render(request, "people/user_form.html", {"form": form, "person": None})


def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.admin(request.user, USERS_REFUSAL)
    person = get_object_or_404(User, pk=pk)
    form = UserEditForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_user(person, form.cleaned_data, by=_me(request))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Saved {person}.")
            return redirect("users")
    history = person.history  # type: ignore[attr-defined]
    records = list(history.select_related("history_user").order_by("history_date", "history_id"))
    described = changes_in_sequence(records, fields=AUDITED_FIELDS)
    changes = [
        {"record": record, "changes": words}
        for i, (record, words) in enumerate(zip(records, described, strict=True))
        if i == 0 or words
    ]
    return render(
        request, "people/user_form.html",
        {"form": form, "person": person, "changes": changes[::-1]},
    )


AUDITED_FIELDS = ["role", "is_active", "email", "first_name", "last_name", "title"]


@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    access.admin(request.user, USERS_REFUSAL)
    person = get_object_or_404(User, pk=pk)
    try:
        actions.deactivate_user(person, by=_me(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{person} can no longer log in; their work stays theirs.")
    return redirect("users")


@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    access.admin(request.user, USERS_REFUSAL)
    person = get_object_or_404(User, pk=pk)
    actions.reactivate_user(person, by=_me(request))
    messages.success(request, f"{person} can log in again.")
    return redirect("users")


def _profile_page(
    request: HttpRequest,
    *,
    profile_form: ProfileForm | None = None,
    password_form: PasswordChangeForm | None = None,
    token_form: TokenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _me(request)
    context = {
        "profile_form": profile_form or ProfileForm(instance=user),
        "password_form": password_form or PasswordChangeForm(user),
        "token_form": token_form or TokenForm(may_ingest=_may_ingest(request)),
        "tokens": ApiToken.objects.filter(user=user),
        "new_token": request.session.pop(_NEW_TOKEN, None),
    }
    return render(request, "people/profile.html", context, status=status)


def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _profile_page(request)
    # Bind a copy so a failed validation does not change the user shown in the top bar.
    user = User.objects.get(pk=_me(request).pk)
    form = ProfileForm(request.POST, instance=user)
    if form.is_valid():
        actions.update_profile(user, form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return _profile_page(request, profile_form=form, status=400)


@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(_me(request), request.POST)
    if form.is_valid():
        user = form.save()
        # Keep this session signed in; other sessions end with the old password.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed.")
        return redirect("profile")
    return _profile_page(request, password_form=form, status=400)


def _may_ingest(request: HttpRequest) -> bool:
    return permissions.can_issue_ingest_tokens(request.user)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    # Read-only people get tokens too: the API lets them read, like the UI.
    form = TokenForm(request.POST, may_ingest=_may_ingest(request))
    if form.is_valid():
        try:
            token, key = actions.issue_token(
                _me(request), form.cleaned_data["name"],
                ingest=form.cleaned_data.get("ingest", False),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[_NEW_TOKEN] = {"name": token.name, "key": key}
            return redirect("profile")
    return _profile_page(request, token_form=form, status=400)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens are found: someone else's id is simply not there (404).
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.revoke_token(token)
    messages.success(request, f"Token “{token.name}” is revoked; clients using it are refused.")
    return redirect("profile")
