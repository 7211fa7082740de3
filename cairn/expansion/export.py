"""Opportunities as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse

from cairn.expansion.models import Opportunity

# A cell a spreadsheet would run as a formula starts with one of these (a tab or carriage
# return can hide one after it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Id", "Account", "Title", "Kind", "Stage", "Product", "Engagement", "Estimated ARR",
    "Spotted by", "Expected close", "Need confirmed by", "Sales owner", "Sales owner e-mail",
    "CRM reference", "Handed to Sales on", "Closed ARR", "Closed on", "Reason and notes",
    "Description",
]


def inert(value: object) -> str:
    """The text of a cell, with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def rows(opportunities: Iterable[Opportunity]) -> Iterable[list[str]]:
    yield HEADER
    for o in opportunities:
        yield [
            str(o.pk), inert(o.account.name), inert(o.title), o.get_kind_display(), o.get_stage_display(),
            inert(o.product.name if o.product else ""),
            inert(o.engagement.initiative if o.engagement else ""),
            _amount(o.amount), inert(o.spotted_by.get_full_name() if o.spotted_by else ""),
            o.expected_close.isoformat() if o.expected_close else "",
            inert(o.confirmed_by.full_name if o.confirmed_by else ""),
            inert(o.sales_owner_name), inert(o.sales_owner_email), inert(o.crm_reference),
            o.handed_on.isoformat() if o.handed_on else "", _amount(o.closed_amount),
            o.closed_on.isoformat() if o.closed_on else "", inert(o.close_reason), inert(o.description),
        ]


def opportunities_csv(opportunities: Iterable[Opportunity], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows(opportunities):
        writer.writerow(row)
    return response
