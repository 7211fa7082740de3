"""The value plan in the API: value items (with what their KPIs say was achieved and the
customer's answer), sending a statement for the customer's confirmation, changes and
challenges, value activities.

The same rules as the pages: everyone reads; who may change the engagement writes. Writes go
through cairn.value.actions and cairn.value.perception.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.adoption.models import Kpi
from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, related, user_of
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement, Outcome
from cairn.people import access
from cairn.people.models import User
from cairn.preparation.models import StrategyElement
from cairn.resources import tagged
from cairn.sharing.api import links_of_all
from cairn.sharing.schemas import SharedLinkCreated, SharedLinkOut
from cairn.value import actions, perception, queries
from cairn.value.models import ValueActivity, ValueChange, ValueItem
from cairn.value.schemas import (
    ValueActivityIn,
    ValueActivityOut,
    ValueActivityPatch,
    ValueChangeIn,
    ValueChangeOut,
    ValueChangePatch,
    ValueEngagementFilter,
    ValueItemIn,
    ValueItemOut,
    ValueItemPatch,
    ValueSendIn,
)

router = Router(tags=["value"])

ITEM_RELATIONS: dict[str, type[Model]] = {
    "outcome": Outcome, "element": StrategyElement, "measured_by_contact": Contact, "measured_by_user": User,
}
OWNER_RELATIONS: dict[str, type[Model]] = {"owner": User}


def _engagement(engagement_id: int) -> Engagement:
    return get_object_or_404(Engagement, pk=engagement_id)


def _kpis(ids: list[int]) -> list[Kpi]:
    found = {k.pk: k for k in Kpi.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"kpis": f"There is no KPI with id {missing[0]}."})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _item(item_id: int) -> ValueItem:
    item = get_object_or_404(queries.items(), pk=item_id)
    return queries.with_achieved([item])[0]


# --- Value items ------------------------------------------------------------------------------


@router.get("/items", response={200: list[ValueItemOut], **READ_ERRORS},
            summary="List an engagement's value items, promised first")
@paginate(Pagination)
def list_items(request: HttpRequest, filters: Query[ValueEngagementFilter]) -> QuerySet[ValueItem]:
    return queries.items_of(_engagement(filters.engagement))


@router.post("/items", response={201: ValueItemOut, **WRITE_ERRORS}, summary="Add a value item")
def create_item(request: HttpRequest, payload: ValueItemIn) -> tuple[int, ValueItem]:
    user = user_of(request)
    engagement = access.editable_engagement(user, payload.engagement, field="engagement")
    data = payload.model_dump(exclude={"engagement", "kpis"})
    item = apply(ValueItem(engagement=engagement), data, ITEM_RELATIONS)
    kpis = _kpis(payload.kpis)
    tagged(ValueItem, lambda: actions.save_item(item, by=user, kpis=kpis))
    return 201, _item(item.pk)


@router.get("/items/{int:item_id}", response={200: ValueItemOut, **READ_ERRORS}, summary="Read a value item")
def get_item(request: HttpRequest, item_id: int) -> ValueItem:
    return _item(item_id)


@router.patch("/items/{int:item_id}", response={200: ValueItemOut, **WRITE_ERRORS},
              summary="Change a value item")
def update_item(request: HttpRequest, item_id: int, payload: ValueItemPatch) -> ValueItem:
    user = user_of(request)
    item = access.engagement_item(user, ValueItem.objects.select_related("engagement"), pk=item_id)
    data = payload.model_dump(exclude_unset=True)
    ids = data.pop("kpis", None)
    kpis = _kpis(ids) if ids is not None else None
    apply(item, data, ITEM_RELATIONS)
    tagged(ValueItem, lambda: actions.save_item(item, by=user, kpis=kpis))
    return _item(item.pk)


@router.delete("/items/{int:item_id}", response={204: None, **WRITE_ERRORS}, summary="Remove a value item")
def delete_item(request: HttpRequest, item_id: int) -> tuple[int, None]:
    user = user_of(request)
    item = access.engagement_item(user, ValueItem.objects.select_related("engagement__account"), pk=item_id)
    actions.delete(item, by=user)
    return 204, None


@router.post("/items/{int:item_id}/send", response={201: SharedLinkCreated, **WRITE_ERRORS},
             summary="Send a value statement to a customer contact to confirm or dispute")
def send_item(request: HttpRequest, item_id: int, payload: ValueSendIn) -> tuple[int, Any]:
    """The answer holds the link's URL, this once; the contact answers on that page."""
    user = user_of(request)
    item = access.engagement_item(user, ValueItem.objects.select_related("engagement__account"), pk=item_id)
    contact = related(Contact, payload.contact, "contact")
    new = tagged(ValueItem, lambda: perception.send_statement(
        item, contact=contact, by=user, days=payload.days, message=payload.message,
        send_email=payload.send_email,
    ))
    link = links_of_all().get(pk=new.link.pk)
    link.url = new.url  # type: ignore[attr-defined]  # in this answer only
    return 201, link


@router.get("/items/{int:item_id}/confirmation", response={200: list[SharedLinkOut], **READ_ERRORS},
            summary="The links a value statement was sent with, newest first, and their answers")
def item_confirmation(request: HttpRequest, item_id: int) -> list[Any]:
    """The answer recorded on the item is in the item's `perception`; here is each link."""
    item = get_object_or_404(ValueItem, pk=item_id)
    return perception.links_of(item)


# --- Changes and challenges -----------------------------------------------------------------


@router.get("/changes", response={200: list[ValueChangeOut], **READ_ERRORS},
            summary="List an engagement's changes and challenges, latest spotted first")
@paginate(Pagination)
def list_changes(request: HttpRequest, filters: Query[ValueEngagementFilter]) -> QuerySet[ValueChange]:
    return queries.changes_of(_engagement(filters.engagement))


@router.post("/changes", response={201: ValueChangeOut, **WRITE_ERRORS}, summary="Note a change or challenge")
def create_change(request: HttpRequest, payload: ValueChangeIn) -> tuple[int, ValueChange]:
    user = user_of(request)
    engagement = access.editable_engagement(user, payload.engagement, field="engagement")
    change = apply(
        ValueChange(engagement=engagement), payload.model_dump(exclude={"engagement"}), OWNER_RELATIONS
    )
    return 201, tagged(ValueChange, lambda: actions.save_change(change, by=user))


@router.get("/changes/{int:change_id}", response={200: ValueChangeOut, **READ_ERRORS},
            summary="Read a change")
def get_change(request: HttpRequest, change_id: int) -> ValueChange:
    return get_object_or_404(ValueChange, pk=change_id)


@router.patch("/changes/{int:change_id}", response={200: ValueChangeOut, **WRITE_ERRORS},
              summary="Change a change or challenge: its response, owner, status")
def update_change(request: HttpRequest, change_id: int, payload: ValueChangePatch) -> ValueChange:
    user = user_of(request)
    change = access.engagement_item(user, ValueChange.objects.select_related("engagement"), pk=change_id)
    apply(change, payload.model_dump(exclude_unset=True), OWNER_RELATIONS)
    return tagged(ValueChange, lambda: actions.save_change(change, by=user))


@router.delete("/changes/{int:change_id}", response={204: None, **WRITE_ERRORS}, summary="Remove a change")
def delete_change(request: HttpRequest, change_id: int) -> tuple[int, None]:
    user = user_of(request)
    change = access.engagement_item(
        user, ValueChange.objects.select_related("engagement__account"), pk=change_id
    )
    actions.delete(change, by=user)
    return 204, None


# --- Value activities -----------------------------------------------------------------------


@router.get("/activities", response={200: list[ValueActivityOut], **READ_ERRORS},
            summary="List an engagement's value activities, soonest due first")
@paginate(Pagination)
def list_activities(request: HttpRequest, filters: Query[ValueEngagementFilter]) -> QuerySet[ValueActivity]:
    return queries.activities_of(_engagement(filters.engagement))


@router.post("/activities", response={201: ValueActivityOut, **WRITE_ERRORS}, summary="Plan a value activity")
def create_activity(request: HttpRequest, payload: ValueActivityIn) -> tuple[int, ValueActivity]:
    user = user_of(request)
    engagement = access.editable_engagement(user, payload.engagement, field="engagement")
    activity = apply(
        ValueActivity(engagement=engagement), payload.model_dump(exclude={"engagement"}), OWNER_RELATIONS
    )
    return 201, tagged(ValueActivity, lambda: actions.save_activity(activity, by=user))


@router.get("/activities/{int:activity_id}", response={200: ValueActivityOut, **READ_ERRORS},
            summary="Read a value activity")
def get_activity(request: HttpRequest, activity_id: int) -> ValueActivity:
    return get_object_or_404(ValueActivity, pk=activity_id)


@router.patch("/activities/{int:activity_id}", response={200: ValueActivityOut, **WRITE_ERRORS},
              summary="Change a value activity: whether it happened, its owner, its date")
def update_activity(request: HttpRequest, activity_id: int, payload: ValueActivityPatch) -> ValueActivity:
    user = user_of(request)
    activity = access.engagement_item(
        user, ValueActivity.objects.select_related("engagement"), pk=activity_id
    )
    apply(activity, payload.model_dump(exclude_unset=True), OWNER_RELATIONS)
    return tagged(ValueActivity, lambda: actions.save_activity(activity, by=user))


@router.delete("/activities/{int:activity_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a value activity")
def delete_activity(request: HttpRequest, activity_id: int) -> tuple[int, None]:
    user = user_of(request)
    activity = access.engagement_item(
        user, ValueActivity.objects.select_related("engagement__account"), pk=activity_id
    )
    actions.delete(activity, by=user)
    return 204, None
