"""Renewals pages: what comes up and the ARR at risk, one renewal worked to its outcome, and
the churn reasons a leader keeps. Thin: the actions own the writes, the queries the reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.forms import add_errors
from cairn.http import AuthedRequest, query_without_page
from cairn.people import access, permissions
from cairn.people.models import User
from cairn.renewals import actions, queries
from cairn.renewals.actions import CHANGE_REFUSAL, REASONS_REFUSAL
from cairn.renewals.forms import OutcomeForm, ReasonForm, RenewalForm
from cairn.renewals.models import OPEN_STAGES, ChurnReason, Renewal

PER_PAGE = 50


def _int(value: str | None, allowed: tuple[int, ...] | None = None) -> int | None:
    if not value or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    number = int(value)
    return number if allowed is None or number in allowed else None


def renewals(request: AuthedRequest) -> HttpResponse:
    """Open renewals coming up in 30, 90 or 180 days (overdue ones first), with their ARR and
    the ARR at risk: red or amber health."""
    today = timezone.localdate()
    days = _int(request.GET.get("days"), queries.WINDOWS) or 90
    owner = _int(request.GET.get("owner"))
    risky = request.GET.get("risk") == "1"
    stage = request.GET.get("stage") if request.GET.get("stage") in OPEN_STAGES else ""
    rows = queries.upcoming(today, days, owner=owner, risky=risky)
    if stage:
        rows = rows.filter(stage=stage)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for renewal in page.object_list:
        renewal.at_risk = queries.at_risk(renewal)  # type: ignore[attr-defined]
        renewal.days_left = (renewal.renewal_date - today).days  # type: ignore[attr-defined]
        renewal.days_overdue = -renewal.days_left  # type: ignore[attr-defined]
    return render(request, "renewals/renewals.html", {
        "windows": queries.windows(today, owner=owner), "days": days, "owner": owner, "risky": risky,
        "stage": stage, "stages": [(s.value, s.label) for s in OPEN_STAGES],
        "owners": User.objects.filter(renewals__isnull=False).distinct().order_by("first_name", "last_name"),
        "page_obj": page, "renewals": page.object_list,
        "querystring_without_page": query_without_page(request),
    })


def _changeable(request: AuthedRequest, pk: int) -> Renewal:
    return access.account_item(request.user, queries.renewals(), message=CHANGE_REFUSAL, pk=pk)


def renewal(request: AuthedRequest, pk: int) -> HttpResponse:
    """One renewal: what it covers, the account's health and risks; its owner works it and
    records the outcome."""
    if request.method == "POST":
        item = _changeable(request, pk)
    else:
        item = get_object_or_404(queries.renewals(), pk=pk)
    form = RenewalForm(request.POST or None, instance=item, prefix="work")
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_renewal(
                item, {name: form.cleaned_data[name] for name in form.changed_data}, by=request.user
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Renewal saved.")
            return redirect(item)
    return _page(request, item, form, OutcomeForm(prefix="outcome"))


def _page(request: AuthedRequest, item: Renewal, form: RenewalForm, outcome: OutcomeForm) -> HttpResponse:
    item.at_risk = queries.at_risk(item)  # type: ignore[attr-defined]
    status = 400 if form.errors or outcome.errors else 200
    return render(request, "renewals/renewal.html", {
        "renewal": item, "form": form, "outcome_form": outcome,
        "subscriptions": item.subscriptions.select_related("product").order_by("product__name", "pk"),
        "can_change": item.is_open and permissions.can_edit_account(request.user, item.account),
    }, status=status)


@require_POST
def renewal_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable(request, pk)
    form = OutcomeForm(request.POST, prefix="outcome")
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_outcome(item, actions.Outcome(
                stage=data["stage"], final_amount=data["final_amount"], reason=data["reason"],
                reason_text=data["reason_text"], closed_on=data["closed_on"],
                term_months=data["term_months"],
            ), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            item.refresh_from_db()
            messages.success(request, f"Outcome recorded: {item.get_stage_display().lower()}.")
            return redirect(item)
    return _page(request, item, RenewalForm(instance=item, prefix="work"), form)


def reasons(request: AuthedRequest) -> HttpResponse:
    """The churn reasons; a leader adds, renames and retires them."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        access.leader(request.user, REASONS_REFUSAL)
        if form.is_valid():
            try:
                actions.save_reason(form.instance, by=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"Reason “{form.instance.name}” added.")
                return redirect("churn_reasons")
    return render(request, "renewals/reasons.html", {
        "reasons": ChurnReason.objects.order_by("position", "name"), "form": form,
        "can_edit": permissions.is_leader(request.user),
    }, status=400 if form.errors else 200)


def reason_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    access.leader(request.user, REASONS_REFUSAL)
    reason = get_object_or_404(ChurnReason, pk=pk)
    form = ReasonForm(request.POST or None, instance=reason)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_reason(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Reason “{reason.name}” saved.")
            return redirect("churn_reasons")
    return render(request, "renewals/reason_form.html", {"form": form, "reason": reason},
                  status=400 if form.errors else 200)


@require_POST
def reason_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    access.leader(request.user, REASONS_REFUSAL)
    reason = get_object_or_404(ChurnReason, pk=pk)
    try:
        actions.delete_reason(reason, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Reason “{reason.name}” deleted.")
    return redirect("churn_reasons")
