"""Fetch and check in one call: the lookup of the object a request names *is* the check.

A view or endpoint that changes something asks for it here instead of calling
get_object_or_404 and then permissions.require, so a new one cannot fetch and forget to
check. Each helper answers the object, raises Http404 when there is none, and
PermissionDenied (403) when the user may not change it.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cairn.people import permissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cairn.customers.models import Account
    from cairn.engagements.models import Engagement
    from cairn.people.models import ApiToken, User

M = TypeVar("M", bound=models.Model)

ENGAGEMENT_REFUSAL = "You may not change this engagement: you neither own it nor work on it."
ACCOUNT_REFUSAL = "You may not change this account: you neither own it nor work on it."
TASK_REFUSAL = "You may not change this task."
WRITER_REFUSAL = "Read-only users cannot change anything."
LEADER_REFUSAL = "Only CS leaders may do this."
ADMIN_REFUSAL = "Only admins may do this."


def _allowed(user: User | AnonymousUser, allowed: bool, message: str) -> User:
    permissions.require(allowed, message)
    return cast("User", user)


def writer(user: User | AnonymousUser, message: str = WRITER_REFUSAL) -> User:
    """The user, if they may change anything at all (not read-only)."""
    return _allowed(user, permissions.can_write(user), message)


def leader(user: User | AnonymousUser, message: str = LEADER_REFUSAL) -> User:
    """The user, if a CS leader (or admin) who may write: playbooks, scorecards, the book."""
    return _allowed(user, permissions.is_leader(user) and permissions.can_write(user), message)


def admin(user: User | AnonymousUser, message: str = ADMIN_REFUSAL) -> User:
    """The user, if an admin: people and their access."""
    return _allowed(user, permissions.can_manage_users(user), message)


def account_creator(user: User | AnonymousUser, message: str = WRITER_REFUSAL) -> User:
    """The user, if they may add accounts to the book."""
    return _allowed(user, permissions.can_create_accounts(user), message)


def ingester(
    user: User | AnonymousUser, token: ApiToken | None, message: str
) -> User:
    """The user, if the request may send usage data for every account (an admin, or a
    token with the ingest scope)."""
    return _allowed(user, permissions.can_ingest(user, token), message)


def engagement_starter(
    user: User | AnonymousUser, account: Account, owner: User, team: list[User], message: str,
) -> User:
    """The user, if they may start an engagement on `account` led by `owner` with `team`."""
    return _allowed(user, permissions.can_start_engagement(user, account, owner, team), message)


def _fetch(queryset: QuerySet[M] | type[M], field: str | None, lookup: dict[str, Any]) -> M:
    """The object, or 404; or, when a request body named it in `field`, a refusal of that
    field (400), since the path itself was right."""
    if field is None:
        return get_object_or_404(queryset, **lookup)
    manager = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    obj = manager.filter(**lookup).first()
    if obj is None:
        name = manager.model._meta.verbose_name
        raise ValidationError({field: f"There is no {name} with id {lookup.get('pk')}."})
    return obj


def _checked(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M], field: str | None,
    lookup: dict[str, Any], via: str, rule: Callable[[Any, Any], bool], message: str,
) -> M:
    """Fetch the object, reach what the rule judges through the dotted attribute `via`
    (empty: the object itself), and refuse unless the rule allows the user."""
    obj = _fetch(queryset, field, lookup)
    permissions.require(rule(user, attrgetter(via)(obj) if via else obj), message)
    return obj


def engagement_item(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M], *, via: str = "engagement",
    message: str = ENGAGEMENT_REFUSAL, field: str | None = None, **lookup: Any,
) -> M:
    """The object `lookup` names, if the user may change the engagement it belongs to
    (reached by the dotted attribute `via`; empty for an engagement itself). `field` names
    the body field that gave the id, for a 400 rather than a 404 when there is none."""
    return _checked(user, queryset, field, lookup, via, permissions.can_edit_engagement, message)


def account_item(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M], *, via: str = "account",
    message: str = ACCOUNT_REFUSAL, field: str | None = None, **lookup: Any,
) -> M:
    """The object `lookup` names, if the user may change the account it belongs to."""
    return _checked(user, queryset, field, lookup, via, permissions.can_edit_account, message)


def task_item(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M], *, via: str = "",
    message: str = TASK_REFUSAL, field: str | None = None, **lookup: Any,
) -> M:
    """The object `lookup` names, if the user may work the task it is (or belongs to)."""
    return _checked(user, queryset, field, lookup, via, permissions.can_change_task, message)


def item(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M],
    rule: Callable[[User | AnonymousUser, M], bool], message: str, *,
    field: str | None = None, **lookup: Any,
) -> M:
    """The object `lookup` names, if `rule(user, object)` allows the change: for records
    with a rule of their own (a template is its author's or a leader's)."""
    return _checked(user, queryset, field, lookup, "", rule, message)


def editable_engagement(
    user: User | AnonymousUser, pk: int, queryset: QuerySet[Engagement] | None = None,
    message: str = ENGAGEMENT_REFUSAL, field: str | None = None,
) -> Engagement:
    from cairn.engagements.models import Engagement

    source = queryset if queryset is not None else Engagement
    return engagement_item(user, source, via="", message=message, field=field, pk=pk)


def editable_account(
    user: User | AnonymousUser, pk: int, queryset: QuerySet[Account] | None = None,
    message: str = ACCOUNT_REFUSAL, field: str | None = None,
) -> Account:
    from cairn.customers.models import Account

    source = queryset if queryset is not None else Account
    return account_item(user, source, via="", message=message, field=field, pk=pk)


def editable_accounts(user: User | AnonymousUser) -> QuerySet[Account]:
    """Every account the user may change: the rule of permissions.can_edit_account as a
    query, for checking many at once."""
    from cairn.customers.models import Account

    if not permissions.can_write(user):
        return Account.objects.none()
    if permissions.is_leader(user):
        return Account.objects.all()
    mine = Q(owner=user.pk) | Q(engagements__owner=user.pk) | Q(engagements__team=user.pk)
    return Account.objects.filter(pk__in=Account.objects.filter(mine).values("pk"))
