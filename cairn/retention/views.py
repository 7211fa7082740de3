"""Retention pages: the figures per month or quarter with their charts, the latest period
per segment and per CSM, and the figures as CSV. Everyone logged in reads them; the
filters are checked and a bad one answered with a message, never a 500."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cairn.customers.models import Segment
from cairn.http import AuthedRequest
from cairn.people.models import User
from cairn.retention import charts, queries

COLUMNS = [
    "Period", "Start", "End", "Cohort accounts", "Starting ARR", "Expansion", "Contraction",
    "Churned ARR", "Ending ARR", "GRR", "NRR", "Lost accounts", "Logo churn", "New accounts",
    "New ARR",
]


def _owners() -> list[User]:
    found = User.objects.filter(owned_accounts__isnull=False).distinct()
    return list(found.order_by("first_name", "last_name", "pk"))


def _filters(request: AuthedRequest, owners: list[User]) -> queries.Filters:
    filters = queries.parse_filters(request.GET)
    if filters.owner is not None and filters.owner not in {u.pk for u in owners}:
        raise ValidationError({"owner": "No CSM with this number owns accounts: choose one from the list."})
    return filters


def retention(request: AuthedRequest) -> HttpResponse:
    owners = _owners()
    context: dict[str, Any] = {
        "owners": owners, "segments": Segment.choices, "grains": queries.GRAINS.items(),
        "grain": "month", "segment": "", "owner": None, "errors": [],
    }
    try:
        filters = _filters(request, owners)
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "retention/retention.html", context, status=400)
    today = timezone.localdate()
    periods = queries.figures(filters.grain, queries.DEFAULT_PERIODS[filters.grain],
                              filters.segment, filters.owner, today)
    split = queries.breakdown(filters.grain, filters.segment, filters.owner, today)
    context.update({
        "grain": filters.grain, "segment": filters.segment or "", "owner": filters.owner,
        "grain_label": queries.GRAINS[filters.grain].lower(),
        "periods": periods, "latest": periods[-1], "breakdown": split,
        "trend": charts.trend(periods), "movement": charts.movement(periods),
        "query": request.GET.urlencode(),
    })
    return render(request, "retention/retention.html", context)


def _ratio(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.4f}"


def retention_csv(request: AuthedRequest) -> HttpResponse:
    """The per-period figures: money in the currency's units with cents, ratios as
    fractions with four decimals (0.9512 is 95.12 %)."""
    try:
        filters = _filters(request, _owners())
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    periods = queries.figures(filters.grain, queries.DEFAULT_PERIODS[filters.grain],
                              filters.segment, filters.owner, timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="retention-{filters.grain}.csv"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    for p in periods:
        writer.writerow([
            p.label, p.start.isoformat(), p.end.isoformat(), p.cohort_logos, p.start_arr,
            p.expansion, p.contraction, p.churned_arr, p.end_arr, _ratio(p.grr), _ratio(p.nrr),
            p.lost_logos, _ratio(p.logo_churn), p.new_logos, p.new_arr,
        ])
    return response
