"""Who may change what. Every view and API endpoint asks these functions, never the role.

Everyone in the CS organization may read everything. A CSM changes the accounts and
engagements they own or work on; leaders change everything, playbooks included; admins also
manage users; read-only users change nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cairn.customers.models import Account
    from cairn.engagements.models import Engagement
    from cairn.people.models import ApiToken, User
    from cairn.timeline.models import Task


def _active(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_leader(user: User | AnonymousUser) -> bool:
    return _active(user) and user.is_leader  # type: ignore[union-attr]


def can_write(user: User | AnonymousUser) -> bool:
    """May this user change anything at all?"""
    return _active(user) and not user.is_readonly  # type: ignore[union-attr]


def can_create_accounts(user: User | AnonymousUser) -> bool:
    return can_write(user)


def can_edit_account(user: User | AnonymousUser, account: Account) -> bool:
    if not can_write(user):
        return False
    if is_leader(user):
        return True
    if account.owner_id == user.pk:
        return True
    # A CSM working on one of the account's engagements looks after the account too.
    return account.engagements.filter(member_filter(user)).exists()


def can_edit_engagement(user: User | AnonymousUser, engagement: Engagement) -> bool:
    if not can_write(user):
        return False
    if is_leader(user) or engagement.owner_id == user.pk:
        return True
    return engagement.team.filter(pk=user.pk or 0).exists()


def can_start_engagement(
    user: User | AnonymousUser, account: Account, owner: User, team: list[User]
) -> bool:
    """Leaders start any engagement; a CSM starts one they lead or work on, for an
    account they already look after (so starting one cannot be a way into others' accounts)."""
    if is_leader(user):
        return True
    if not can_edit_account(user, account):
        return False
    return owner.pk == user.pk or any(member.pk == user.pk for member in team)


def can_change_task(user: User | AnonymousUser, task: Task) -> bool:
    """The assignee may always work their own task; otherwise the rule of the engagement
    or account it belongs to applies."""
    if not can_write(user):
        return False
    if task.assignee_id == user.pk:
        return True
    if task.engagement is not None:
        return can_edit_engagement(user, task.engagement)
    return can_edit_account(user, task.account)


def can_edit_playbooks(user: User | AnonymousUser) -> bool:
    return is_leader(user)


def can_issue_ingest_tokens(user: User | AnonymousUser) -> bool:
    """Integrations are set up by the people who answer for the whole book."""
    return can_write(user) and is_leader(user)


def can_ingest(user: User | AnonymousUser, token: ApiToken | None = None) -> bool:
    """May this request send usage events, tickets and NPS answers for any account?

    These come from integrations (the product, the support desk), not from a CSM's work on
    an account: an admin sends them, or a token with the ingest scope whose user may still
    issue one. A CSM adds tickets and answers only to accounts they may edit.
    """
    if not can_write(user):
        return False
    if user.is_admin:  # type: ignore[union-attr]
        return True
    return (
        token is not None and token.ingest and token.user_id == user.pk
        and can_issue_ingest_tokens(user)
    )


def can_manage_users(user: User | AnonymousUser) -> bool:
    return _active(user) and user.is_admin  # type: ignore[union-attr]


def member_filter(user: User | AnonymousUser):  # type: ignore[no-untyped-def]
    from django.db.models import Q

    return Q(owner=user.pk) | Q(team=user.pk)


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)
