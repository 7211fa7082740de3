"""Fetch and check in one call: the lookup of the object a request names *is* the check.

A view or endpoint that changes something asks for it here instead of calling
get_object_or_404 and then permissions.require, so a new one cannot fetch and forget to
check. Each helper answers the object, raises Http404 when there is none, and
PermissionDenied (403) when the user may not change it.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cairn.people import permissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cairn.customers.models import Account
    from cairn.engagements.models import Engagement
    from cairn.people.models import User

M = TypeVar("M", bound=models.Model)

ENGAGEMENT_REFUSAL = "You may not change this engagement: you neither own it nor work on it."
ACCOUNT_REFUSAL = "You may not change this account: you neither own it nor work on it."


def engagement_item(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M], *, via: str = "engagement",
    message: str = ENGAGEMENT_REFUSAL, **lookup: Any,
) -> M:
    """The object `lookup` names, if the user may change the engagement it belongs to
    (reached by the dotted attribute `via`; empty for an engagement itself)."""
    obj = get_object_or_404(queryset, **lookup)
    engagement = cast("Engagement", attrgetter(via)(obj) if via else obj)
    permissions.require(permissions.can_edit_engagement(user, engagement), message)
    return obj


def account_item(
    user: User | AnonymousUser, queryset: QuerySet[M] | type[M], *, via: str = "account",
    message: str = ACCOUNT_REFUSAL, **lookup: Any,
) -> M:
    """The object `lookup` names, if the user may change the account it belongs to."""
    obj = get_object_or_404(queryset, **lookup)
    account = cast("Account", attrgetter(via)(obj) if via else obj)
    permissions.require(permissions.can_edit_account(user, account), message)
    return obj


def editable_engagement(
    user: User | AnonymousUser, pk: int, queryset: QuerySet[Engagement] | None = None,
    message: str = ENGAGEMENT_REFUSAL,
) -> Engagement:
    from cairn.engagements.models import Engagement

    source = queryset if queryset is not None else Engagement
    return engagement_item(user, source, via="", message=message, pk=pk)


def editable_account(
    user: User | AnonymousUser, pk: int, queryset: QuerySet[Account] | None = None,
    message: str = ACCOUNT_REFUSAL,
) -> Account:
    from cairn.customers.models import Account

    source = queryset if queryset is not None else Account
    return account_item(user, source, via="", message=message, pk=pk)


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
