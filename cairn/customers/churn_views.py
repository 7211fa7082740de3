"""The churn definition page: everyone reads what counts as churn, with the grace period in
force, the statuses and the downgrades of the last 12 months; a leader sets the grace period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cairn.customers.actions import POLICY_REFUSAL, save_policy
from cairn.customers.churn import ChurnBook, downgrades
from cairn.customers.models import GRACE_DAYS_MAX, Account, ChurnPolicy
from cairn.forms import add_errors
from cairn.http import AuthedRequest
from cairn.people import access, permissions

# The downgrades listed on the page; the rest are counted.
SHOWN_DOWNGRADES = 100
HISTORY_SHOWN = 10

_GRACE_MESSAGE = f"Enter a whole number of days from 0 to {GRACE_DAYS_MAX}."


class GraceForm(forms.Form):
    grace_days = forms.IntegerField(
        label="Grace period (days)", min_value=0, max_value=GRACE_DAYS_MAX,
        help_text="How late a renewal may start and still be a renewal, not churn.",
        error_messages={
            "invalid": _GRACE_MESSAGE, "min_value": _GRACE_MESSAGE, "max_value": _GRACE_MESSAGE,
            "required": _GRACE_MESSAGE,
        },
    )


@dataclass(frozen=True)
class Example:
    """The rule on a real calendar, with the grace period in force: a subscription `ended`;
    a paying one in force by `renewal_by` carries it on, and on that day it is decided."""

    ended: dt.date
    renewal_by: dt.date


@dataclass(frozen=True)
class YearFigures:
    marked: int
    lapsed: int
    undecided: int

    @property
    def churned(self) -> int:
        return self.marked + self.lapsed


def churn_definition(request: AuthedRequest) -> HttpResponse:
    """What counts as churn: everyone reads it; a leader sets the grace period (POST)."""
    current = ChurnPolicy.current()
    form = GraceForm(request.POST or None, initial={"grace_days": current.grace_days})
    if request.method == "POST":
        access.leader(request.user, POLICY_REFUSAL)
        if form.is_valid():
            try:
                save_policy(form.cleaned_data["grace_days"], by=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Grace period saved: every churn figure now uses it.")
                return redirect("churn_definition")
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    found = downgrades(year_ago, today, grace_days=current.grace_days)
    context: dict[str, Any] = {
        "policy": current,
        "form": form,
        "can_edit": permissions.is_leader(request.user) and permissions.can_write(request.user),
        "example": _example(today.year - 1, current.grace_days),
        "figures": _figures(year_ago, today, current.grace_days),
        "downgrades": found[:SHOWN_DOWNGRADES],
        "more_downgrades": max(0, len(found) - SHOWN_DOWNGRADES),
        "since": year_ago,
        "changes": list(
            ChurnPolicy.history.select_related("history_user")  # type: ignore[attr-defined]
            .order_by("-history_date", "-history_id")[:HISTORY_SHOWN]
        ),
    }
    return render(request, "customers/churn_definition.html", context,
                  status=400 if form.errors else 200)


def _example(year: int, grace: int) -> Example:
    ended = dt.date(year, 3, 31)
    return Example(ended, ended + dt.timedelta(days=1 + grace))


def _figures(since: dt.date, today: dt.date, grace: int) -> YearFigures:
    """The book's churn over the last 12 months, and the ends still undecided today."""
    ids = np.fromiter(Account.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
    book = ChurnBook(ids, as_of=today, grace_days=grace)
    counts = book.counts(since, today)
    return YearFigures(counts["marked"], counts["lapsed"], len(book.undecided()))
