"""Who may change which document. Built on cairn.people.permissions, never on roles."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from cairn.documents.models import Document
from cairn.engagements.models import Engagement
from cairn.people import permissions
from cairn.people.models import User


def can_edit_document(user: User | AnonymousUser, document: Document) -> bool:
    if document.is_template:
        # A template is shared by the whole team: its author looks after it, leaders curate.
        if not permissions.can_write(user):
            return False
        return permissions.is_leader(user) or document.created_by_id == user.pk
    assert document.engagement is not None
    return permissions.can_edit_engagement(user, document.engagement)


def can_add_documents(user: User | AnonymousUser, engagement: Engagement) -> bool:
    return permissions.can_edit_engagement(user, engagement)


def can_save_as_template(user: User | AnonymousUser, document: Document) -> bool:
    if document.is_template or document.engagement is None:
        return False
    return permissions.can_edit_engagement(user, document.engagement)
