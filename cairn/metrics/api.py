"""REST endpoints for metric definitions (CRUD for leaders) and an account's metric series."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

import datetime as dt
from typing import Annotated

from annotated_types import MaxLen
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, user_of
from cairn.customers.models import Account
from cairn.metrics import actions
from cairn.metrics.models import MetricDefinition
from cairn.metrics.queries import account_metrics
from cairn.people import access
from cairn.validation import NO_NUL, Key, Note

router = Router(tags=["metrics"])
Slug = Annotated[str, MaxLen(80), NO_NUL]  # a metric's slug, as MetricDefinition.slug
DEFINE_ONLY = "Only CS leaders and admins define metrics."


class MetricIn(Schema):
    slug: Slug
    name: Annotated[str, MaxLen(150), NO_NUL]
    kind: Key
    description: Note = ""
    event_type: Annotated[str, MaxLen(120), NO_NUL] = ""
    window_days: int = 28
    of: Key = "count"
    numerator: Slug = ""
    denominator: Slug = ""
    metrics: list[Slug] = []
    higher_is_better: bool = True
    active: bool = True


class MetricOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    kind: str
    event_type: str
    window_days: int
    params: dict[str, object]
    higher_is_better: bool
    active: bool


class Point(Schema):
    observed_on: dt.date
    value: float | None


class SeriesOut(Schema):
    metric: str
    name: str
    latest: float | None
    observed_on: dt.date | None
    series: list[Point]


@router.get("/definitions", response=list[MetricOut], summary="List metric definitions")
@paginate(Pagination)
def list_definitions(request: HttpRequest) -> QuerySet[MetricDefinition]:
    return MetricDefinition.objects.order_by("name", "pk")


@router.get("/definitions/{int:metric_id}", response={200: MetricOut, **READ_ERRORS})
def get_definition(request: HttpRequest, metric_id: int) -> MetricDefinition:
    return get_object_or_404(MetricDefinition, pk=metric_id)


@router.post("/definitions", response={201: MetricOut, **WRITE_ERRORS}, summary="Define a metric")
def create_definition(request: HttpRequest, payload: MetricIn) -> tuple[int, MetricDefinition]:
    user = user_of(request)
    access.leader(user, DEFINE_ONLY)
    return 201, actions.save_definition(None, payload.model_dump(), by=user)


@router.put("/definitions/{int:metric_id}", response={200: MetricOut, **WRITE_ERRORS})
def update_definition(request: HttpRequest, metric_id: int, payload: MetricIn) -> MetricDefinition:
    user = user_of(request)
    access.leader(user, DEFINE_ONLY)
    definition = get_object_or_404(MetricDefinition, pk=metric_id)
    return actions.save_definition(definition, payload.model_dump(), by=user)


@router.delete("/definitions/{int:metric_id}", response={204: None, **WRITE_ERRORS})
def delete_definition(request: HttpRequest, metric_id: int) -> tuple[int, None]:
    user = user_of(request)
    access.leader(user, DEFINE_ONLY)
    actions.delete_definition(get_object_or_404(MetricDefinition, pk=metric_id), by=user)
    return 204, None


@router.get("/accounts/{int:account_id}/series", response={200: list[SeriesOut], **READ_ERRORS},
            summary="An account's metrics: latest value and series over the grid")
def account_series(request: HttpRequest, account_id: int) -> list[dict[str, object]]:
    account = get_object_or_404(Account, pk=account_id)
    return [
        {
            "metric": m.definition.slug, "name": m.definition.name, "latest": m.value,
            "observed_on": m.observed_on,
            "series": [{"observed_on": d, "value": v} for d, v in m.series],
        }
        for m in account_metrics(account, with_series=True)
    ]
