"""Reads of customer links, for the pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from cairn.engagements.models import Engagement
from cairn.sharing.models import SharedLink


def links_of(engagement: Engagement) -> QuerySet[SharedLink]:
    return SharedLink.objects.filter(engagement=engagement).select_related(
        "created_by", "revoked_by", "version"
    )


def links_of_document(document_id: int) -> QuerySet[SharedLink]:
    return SharedLink.objects.filter(version__document_id=document_id).select_related(
        "created_by", "revoked_by", "version"
    )
