"""One way to write an API resource: the list, read, create, change and delete of one record kind.

Each app calls `resource` with its router, the record's model, its schemas and the two domain
functions that write (`save`, `delete`), so every app's CRUD endpoints check permission,
refuse bad input and answer the same way. Endpoints that are not CRUD stay hand-written.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

import inspect
from collections.abc import Callable, Collection
from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, user_of
from cairn.engagements.models import Engagement
from cairn.people import access
from cairn.people.models import User

# save(record, changes, user) writes the record and returns it; `changes` are the payload fields
# left for it (the `extras`, or all of them when the helper does not set fields itself).
Saver = Callable[[Any, dict[str, Any], User], Any]
Deleter = Callable[[Any, Engagement, User], Any]

OPERATIONS = frozenset({"list", "get", "create", "update", "delete"})


def tagged(model: type[models.Model], write: Callable[[], Any]) -> Any:
    """Run a write; a refusal names its model, so constraint errors name their field."""
    try:
        return write()
    except ValidationError as exc:
        exc.model = model  # type: ignore[attr-defined]
        raise


def engagements() -> QuerySet[Engagement]:
    """Engagements as the API reads and checks them: with what their permission and
    their answers need."""
    return Engagement.objects.select_related("account", "owner", "current_phase")


def engagement_or_404(engagement_id: int) -> Engagement:
    """The engagement an API path names, to read (everyone logged in reads everything)."""
    return get_object_or_404(engagements(), pk=engagement_id)


def editable_engagement(request: HttpRequest, engagement_id: int) -> tuple[Engagement, User]:
    """The engagement an API path names and the caller, who must be allowed to change it."""
    user = user_of(request)
    return access.editable_engagement(user, engagement_id, engagements()), user


def _item_param(view: Callable[..., Any], name: str) -> Callable[..., Any]:
    """The view with its `item_id` path parameter called `name`, as the path declares it.

    ninja reads a view's parameters from its signature, so the published name is the one
    the signature shows; the view itself keeps calling it `item_id`.
    """
    if name == "item_id":
        return view

    def renamed(request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["item_id"] = kwargs.pop(name)
        return view(request, **kwargs)

    signature = inspect.signature(view)
    renamed.__signature__ = signature.replace(parameters=[  # type: ignore[attr-defined]
        p.replace(name=name) if p.name == "item_id" else p for p in signature.parameters.values()
    ])
    renamed.__name__ = view.__name__
    renamed.__module__ = view.__module__
    return renamed


def resource(
    router: Router,
    prefix: str,
    path: str,
    model: type[models.Model],
    *,
    out: Any,
    create: Any,
    patch: Any,
    queryset: Callable[[], QuerySet[Any]],
    via: str = "engagement",
    save: Saver,
    delete: Deleter,
    parent: tuple[str, type[models.Model]] = ("engagement", Engagement),
    relations: dict[str, type[models.Model]] | None = None,
    extras: frozenset[str] = frozenset(),
    set_fields: bool = True,
    nested: bool = False,
    parent_of: Callable[[Engagement], models.Model] | None = None,
    item_path: str | None = None,
    item_param: str = "item_id",
    only: Collection[str] = OPERATIONS,
    summaries: dict[str, str] | None = None,
    may_change: Callable[[Any, Any], bool] | None = None,
    refusal: str = access.ENGAGEMENT_REFUSAL,
) -> None:
    """Register list, read, create, change and delete for one record kind on `router`.

    Paths are `/{path}` and `/{path}/{id}`. `via` is the dotted path from a record to the
    engagement whose editors may change it ("engagement", "kpi.engagement"): every write
    fetches the record and checks it in one call. Operation ids are `{prefix}_list_{path}`,
    then `{prefix}_get_{noun}` and so on, the noun being `item_param` without `_id` (the
    path when it is plain `item_id`). By default the list filters by an optional
    `engagement` query parameter and the create payload names its parent; `nested` puts
    list and create under `/engagements/{engagement_id}/{path}` instead, the engagement
    being the parent (or `parent_of(engagement)`, such as its plan). `item_path` puts read,
    change and delete under `/{item_path}/{id}` rather than `/{path}/{id}`. `extras` are
    payload fields handed to `save` rather than set on the record; with `set_fields=False`
    the helper sets none and `save` gets them all.
    `only` registers a subset of the five operations. `may_change(user, record)` replaces
    the engagement's rule for change and delete where a record has its own (time entries:
    one's own, or a leader), refused with `refusal`.
    """
    label = str(model._meta.verbose_name)
    name = path.replace("-", "_").replace("/", "_")
    relations = relations or {}
    parent_name, _ = parent
    summary = {
        "list": f"List {model._meta.verbose_name_plural}", "get": f"Read a {label}",
        "create": f"Add a {label}", "update": f"Change a {label}", "delete": f"Remove a {label}",
        **(summaries or {}),
    }
    noun = name if item_param == "item_id" else item_param.removesuffix("_id")
    operation_id = {op: f"{prefix}_{op}_{noun}" for op in OPERATIONS} | {"list": f"{prefix}_list_{name}"}
    engagement_lookup = via.replace(".", "__") + "_id"
    collection = f"/engagements/{{int:engagement_id}}/{path}" if nested else f"/{path}"
    item = f"/{item_path or path}/{{int:{item_param}}}"

    def changes(instance: Any, data: dict[str, Any]) -> dict[str, Any]:
        if not set_fields:
            return data
        extra = {k: data.pop(k) for k in extras if k in data}
        apply(instance, data, relations)
        return extra

    def changeable(user: User, item_id: int) -> Any:
        if may_change is not None:
            return access.item(user, queryset(), may_change, refusal, pk=item_id)
        return access.engagement_item(user, queryset(), via=via, message=refusal, pk=item_id)

    def written(instance: Any, data: dict[str, Any], user: User) -> Any:
        saved = tagged(model, lambda: save(instance, data, user))
        return queryset().get(pk=saved.pk)

    if "list" in only and nested:
        @router.get(collection, response=list[out], summary=summary["list"],
                    operation_id=operation_id["list"])
        @paginate(Pagination)
        def list_nested(request: HttpRequest, engagement_id: int) -> QuerySet[Any]:
            return queryset().filter(**{engagement_lookup: engagement_or_404(engagement_id).pk})

    if "list" in only and not nested:
        @router.get(collection, response=list[out], summary=summary["list"],
                    operation_id=operation_id["list"])
        @paginate(Pagination)
        def list_items(
            request: HttpRequest,
            engagement: int | None = Query(None, description="Only this engagement's."),  # type: ignore[assignment]
        ) -> QuerySet[Any]:
            items = queryset()
            if engagement is not None:
                items = items.filter(**{engagement_lookup: engagement})
            return items

    if "get" in only:
        def get_item(request: HttpRequest, item_id: int) -> Any:
            return get_object_or_404(queryset(), pk=item_id)

        router.get(item, response={200: out, **READ_ERRORS}, summary=summary["get"],
                   operation_id=operation_id["get"])(_item_param(get_item, item_param))

    if "create" in only and nested:
        @router.post(collection, response={201: out, **WRITE_ERRORS}, summary=summary["create"],
                     operation_id=operation_id["create"])
        def create_nested(request: HttpRequest, engagement_id: int, payload: create) -> Any:  # type: ignore[valid-type]
            engagement, user = editable_engagement(request, engagement_id)
            instance = model(**{parent_name: parent_of(engagement) if parent_of else engagement})
            data = changes(instance, payload.model_dump(exclude_unset=True))
            return 201, written(instance, data, user)

    if "create" in only and not nested:
        @router.post(collection, response={201: out, **WRITE_ERRORS}, summary=summary["create"],
                     operation_id=operation_id["create"])
        def create_item(request: HttpRequest, payload: create) -> Any:  # type: ignore[valid-type]
            data = payload.model_dump(exclude_unset=True)
            # The parent is fetched and checked in one call, before the payload's other ids
            # are looked up: a refused caller learns nothing of engagements it may not change.
            owner = access.engagement_item(
                user_of(request), parent[1], via=via.partition(".")[2], field=parent_name,
                pk=data.pop(parent_name),
            )
            user = user_of(request)
            instance = model(**{parent_name: owner})
            data = changes(instance, data)
            return 201, written(instance, data, user)

    if "update" in only:
        def update_item(request: HttpRequest, item_id: int, payload: patch) -> Any:  # type: ignore[valid-type]
            user = user_of(request)
            instance = changeable(user, item_id)
            data = changes(instance, payload.model_dump(exclude_unset=True))
            return written(instance, data, user)

        router.patch(item, response={200: out, **WRITE_ERRORS}, summary=summary["update"],
                     operation_id=operation_id["update"])(_item_param(update_item, item_param))

    if "delete" in only:
        def delete_item(request: HttpRequest, item_id: int) -> Any:
            user = user_of(request)
            instance = changeable(user, item_id)
            delete(instance, attrgetter(via)(instance), user)
            return 204, None

        router.delete(item, response={204: None, **WRITE_ERRORS}, summary=summary["delete"],
                      operation_id=operation_id["delete"])(_item_param(delete_item, item_param))
