"""Time pages: book hours on an engagement, and the team's report across engagements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.http import AuthedRequest
from cairn.onboarding import timesheets
from cairn.onboarding.forms import TimeEntryForm, TimeFilterForm, add_errors
from cairn.onboarding.models import TimeEntry
from cairn.onboarding.views import _context, editable, engagement_of
from cairn.people import access

PAGE_SIZE = 25
OWN_ENTRIES = "You change your own time entries; a leader corrects others'."


def _filters(form: TimeFilterForm, **fixed: Any) -> timesheets.Filters:
    data = form.cleaned_data if form.is_valid() else {}
    user = data.get("user")
    return timesheets.Filters(
        date_from=data.get("date_from"), date_to=data.get("date_to"),
        user_id=user.pk if user else None, phase_key=data.get("phase") or "", **fixed,
    )


def _querystring(query: QueryDict) -> str:
    rest = query.copy()
    rest.pop("page", None)
    encoded = rest.urlencode()
    return f"{encoded}&" if encoded else ""


def time(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """The engagement's time: book hours (for those who work on it), totals and entries."""
    # Anyone reads the page; booking (a POST) needs the right to change the engagement.
    engagement = (
        editable(request, engagement_pk) if request.method == "POST" else engagement_of(engagement_pk)
    )
    context = _context(request, engagement, "time")
    form = TimeEntryForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            entry = timesheets.log_time(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc, TimeEntryForm.ALIASES)
        else:
            messages.success(request, f"{entry.hours.normalize():f} h booked on {entry.date:%d %b %Y}.")
            return redirect("onboarding_time", engagement.pk)
    filter_form = TimeFilterForm(request.GET or None)
    filters = _filters(filter_form, engagement_id=engagement.pk)
    page = Paginator(timesheets.entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context.update({
        "form": form, "filter_form": filter_form, "totals": timesheets.totals(filters),
        "page_obj": page, "entries": page.object_list,
        "querystring_without_page": _querystring(request.GET),
    })
    return render(request, "onboarding/time.html", context, status=400 if form.errors else 200)


def _entry(request: AuthedRequest, engagement_pk: int, entry_pk: int) -> TimeEntry:
    return access.item(
        request.user, TimeEntry.objects.select_related("engagement__account", "user"),
        timesheets.can_change, OWN_ENTRIES, pk=entry_pk, engagement_id=engagement_pk,
    )


def time_edit(request: AuthedRequest, engagement_pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, engagement_pk, entry_pk)
    engagement = entry.engagement
    form = TimeEntryForm(request.POST or None, instance=entry, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            timesheets.log_time(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc, TimeEntryForm.ALIASES)
        else:
            messages.success(request, "Time entry saved.")
            return redirect("onboarding_time", engagement.pk)
    return render(request, "onboarding/form.html", _context(
        request, engagement, "time", form=form, heading=f"Time of {entry.user} on {entry.date:%d %b %Y}",
        submit="Save time entry",
        delete_url=reverse("onboarding_time_delete", args=[engagement.pk, entry.pk]),
    ), status=400 if form.errors else 200)


@require_POST
def time_delete(request: AuthedRequest, engagement_pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, engagement_pk, entry_pk)
    try:
        timesheets.delete_time(entry, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Time entry removed.")
    return redirect("onboarding_time", engagement_pk)


def time_report(request: AuthedRequest) -> HttpResponse:
    """Hours per CSM, per engagement and per phase across the book, for a date range."""
    form = TimeFilterForm(request.GET or None)
    filters = _filters(form)
    page = Paginator(timesheets.entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    totals = timesheets.totals(filters)
    # Every engagement of the book can have time: its totals are paged in the database.
    per_engagement = Paginator(timesheets.engagement_hours(filters), PAGE_SIZE).get_page(
        request.GET.get("engagements")
    )
    return render(request, "onboarding/time_report.html", {
        "filter_form": form, "totals": totals, "per_engagement": per_engagement, "page_obj": page,
        "entries": page.object_list, "querystring_without_page": _querystring(request.GET),
    })
