"""REST endpoints for customer links: make one (its URL is in that answer only), list an
engagement's links, revoke one. Customers answer through the link's page, not the API."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.customers.models import Contact
from cairn.documents.models import DocumentVersion
from cairn.engagements.models import Engagement
from cairn.people import access
from cairn.sharing import actions, purposes
from cairn.sharing.models import SharedLink
from cairn.sharing.queries import links_of
from cairn.sharing.schemas import (
    PurposeOut,
    SharedLinkCreated,
    SharedLinkFilter,
    SharedLinkIn,
    SharedLinkOut,
)

router = Router(tags=["sharing"])

_DENIED = "You may not send or revoke customer links on this engagement."


@router.get("/purposes", response=list[PurposeOut], summary="What customer links can ask for")
def list_purposes(request: HttpRequest) -> list[purposes.Purpose]:
    return purposes.all_purposes()


@router.get("/", response={200: list[SharedLinkOut], **READ_ERRORS},
            summary="List the customer links of an engagement")
@paginate(Pagination)
def list_links(request: HttpRequest, filters: Query[SharedLinkFilter]) -> QuerySet[SharedLink]:
    engagement = get_object_or_404(Engagement, pk=filters.engagement)
    return links_of(engagement)


@router.get("/{int:link_id}", response={200: SharedLinkOut, **READ_ERRORS})
def get_link(request: HttpRequest, link_id: int) -> SharedLink:
    return get_object_or_404(links_of_all(), pk=link_id)


def links_of_all() -> QuerySet[SharedLink]:
    return SharedLink.objects.select_related("created_by", "version")


@router.post("/", response={201: SharedLinkCreated, **WRITE_ERRORS},
             summary="Send a document version to a customer contact")
def create_link(request: HttpRequest, payload: SharedLinkIn) -> tuple[int, SharedLink]:
    user = user_of(request)
    engagement = access.editable_engagement(
        user, payload.engagement, message=_DENIED, field="engagement"
    )
    version = related(DocumentVersion, payload.version, "version")
    contact = related(Contact, payload.contact, "contact")
    new = actions.create_link(
        engagement, version, purpose=payload.purpose, contact=contact, by=user,
        days=payload.days, message=payload.message, send_email=payload.send_email,
    )
    link = links_of_all().get(pk=new.link.pk)
    link.url = new.url  # type: ignore[attr-defined]  # in this answer only
    return 201, link


@router.post("/{int:link_id}/revoke", response={200: SharedLinkOut, **WRITE_ERRORS},
             summary="Withdraw a link before the customer answers")
def revoke_link(request: HttpRequest, link_id: int) -> SharedLink:
    user = user_of(request)
    link = access.engagement_item(
        user, SharedLink.objects.select_related("engagement"), message=_DENIED, pk=link_id
    )
    actions.revoke(link, by=user)
    return links_of_all().get(pk=link.pk)
