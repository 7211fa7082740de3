"""Changes to people and their API tokens. Each owns its transaction.

The one rule beyond permissions: Cairn always keeps at least one active admin, or nobody
could manage users any more.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.people import permissions
from cairn.people.models import ApiToken, Role, User


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _other_active_admins(user: User) -> bool:
    # Lock the admins' rows so two admins demoting each other at once cannot both pass.
    admins = User.objects.select_for_update().filter(is_active=True, role=Role.ADMIN)
    return admins.exclude(pk=user.pk).exists() or User.objects.filter(
        is_active=True, is_superuser=True
    ).exclude(pk=user.pk).exists()


def _check_last_admin(user: User, *, role: str, is_active: bool) -> None:
    was_admin = user.role == Role.ADMIN and user.is_active
    stays_admin = role == Role.ADMIN and is_active
    if not was_admin or stays_admin or _other_active_admins(user):
        return
    field = "role" if is_active else "is_active"
    raise ValidationError(
        {field: f"{user} is the last active admin. Make someone else an admin first."}
    )


@transaction.atomic
def create_user(data: dict[str, Any], *, password: str | None, by: User) -> tuple[User, str]:
    """Create a user; without a password, generate one. Returns the user and the password."""
    password = password or generate_password()
    user = User(**data)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user._history_user = by  # type: ignore[attr-defined]
    user.save()
    return user, password


@transaction.atomic
def update_user(user: User, data: dict[str, Any], *, by: User) -> User:
    """Change a user's name, e-mail, title, role or active flag."""
    current = User.objects.get(pk=user.pk)
    _check_last_admin(
        current,
        role=data.get("role", current.role),
        is_active=data.get("is_active", current.is_active),
    )
    for name, value in data.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user._history_user = by  # type: ignore[attr-defined]
    user.save()
    return user


def deactivate_user(user: User, *, by: User) -> User:
    """People are deactivated, never deleted: their name stays on what they did."""
    return update_user(user, {"is_active": False}, by=by)


def reactivate_user(user: User, *, by: User) -> User:
    return update_user(user, {"is_active": True}, by=by)


@transaction.atomic
def update_profile(user: User, data: dict[str, Any]) -> User:
    for name, value in data.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(data))
    return user


@transaction.atomic
def issue_token(user: User, name: str, *, ingest: bool = False) -> tuple[ApiToken, str]:
    """A new personal token; the key is returned here once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after where you will use it."})
    if ingest and not permissions.can_issue_ingest_tokens(user):
        raise ValidationError({"ingest": "Only admins and CS leaders make ingest tokens."})
    return ApiToken.issue(user, name, ingest=ingest)


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    token.delete()
