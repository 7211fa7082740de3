"""The customer's organization: org chart (editable in place), value chain, capability map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.customers import actions as customers
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.http import AuthedRequest
from cairn.people import access, permissions
from cairn.preparation import actions, queries
from cairn.preparation.forms import CapabilityForm, FunctionForm, PlacementForm
from cairn.preparation.models import Capability, ChainKind, Level, ValueChainFunction
from cairn.preparation.views import (
    add_errors,
    deleted,
    edit_flags,
    editable_engagement_of,
    engagement_of,
    form_page,
)


def _url(engagement: Engagement, anchor: str = "") -> str:
    return reverse("preparation_organization", args=[engagement.pk]) + (
        f"#{anchor}" if anchor else ""
    )


def _chart_context(
    request: AuthedRequest, engagement: Engagement, forms: dict[int, PlacementForm] | None = None
) -> dict[str, Any]:
    chart, contacts = queries.account_org_chart(engagement.account)
    forms = forms or {}
    can_place = permissions.can_edit_account(request.user, engagement.account)
    rows = []
    if can_place:
        for contact in contacts:
            form = forms.get(contact.pk) or PlacementForm(instance=contact)
            # One query for every row's manager list, not one per row.
            form.fields["reports_to"].choices = [("", "— nobody here —")] + [  # type: ignore[attr-defined]
                (c.pk, f"{c.full_name}{f', {c.title}' if c.title else ''}")
                for c in contacts if c.pk != contact.pk
            ]
            rows.append({"contact": contact, "form": form})
    return {
        "engagement": engagement, "chart": chart, "contacts": contacts, "rows": rows,
        "can_place": can_place,
        "departments": sorted({c.department for c in contacts if c.department}, key=str.lower),
    }


def organization(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    chain = queries.value_chain(engagement)
    context = {
        **_chart_context(request, engagement),
        **edit_flags(request, engagement),
        "tool": "organization",
        "primary": chain["primary"],
        "support": chain["support"],
        "capabilities": queries.capability_map(engagement),
        "function_form": FunctionForm(initial={"kind": ChainKind.PRIMARY}),
        "levels": Level,
    }
    return render(request, "preparation/organization.html", context)


def place_contact(request: AuthedRequest, engagement_pk: int, contact_pk: int) -> HttpResponse:
    """Change a contact's manager and department from the chart; the chart redraws.

    The change goes through the customers app's save, so its reporting-loop check and
    the contact's history apply as on the contact form.
    """
    engagement = access.account_item(
        request.user, queries.engagements_with_products(), pk=engagement_pk,
        message="You may not change this customer's contacts: you do not look after the account.",
    )
    contact = get_object_or_404(Contact, pk=contact_pk, account=engagement.account_id)
    if request.method != "POST":
        return redirect(_url(engagement, f"place-{contact.pk}"))
    form = PlacementForm(request.POST, instance=contact)
    ok = False
    if form.is_valid():
        try:
            customers.save_record(form.instance, by=request.user)
            ok = True
        except ValidationError as exc:
            add_errors(form, exc)
    if request.htmx:
        context = _chart_context(request, engagement, {} if ok else {contact.pk: form})
        context["saved"] = contact.full_name if ok else ""
        context["editing"] = True  # the panel stays open for the next change
        # htmx swaps only successful answers: the refusal comes back as the chart with the
        # error beside the row, so the person sees it where they typed.
        return render(request, "preparation/_org_chart.html", context)
    if ok:
        messages.success(request, f"{contact.full_name} placed in the chart.")
    else:
        messages.error(request, " ".join(f"{e}" for errs in form.errors.values() for e in errs))
    return redirect(_url(engagement, "org-chart"))


def function_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    function = (
        get_object_or_404(ValueChainFunction, pk=pk, engagement=engagement) if pk
        else ValueChainFunction(engagement=engagement)
    )
    form = FunctionForm(request.POST or None, instance=function)
    return form_page(
        request, engagement, form, title="Value chain function", back=_url(engagement, "value-chain"),
        save=lambda: actions.add_function(form.instance, by=request.user),
        delete_url=reverse("preparation_function_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Primary functions create value in order, left to right; support functions serve "
              "them all.",
        saved="Function saved.",
    )


@require_POST
def function_move(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    function = get_object_or_404(ValueChainFunction, pk=pk, engagement=engagement)
    try:
        actions.move_function(function, up=request.POST.get("direction") == "up", by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_url(engagement, "value-chain"))


@require_POST
def function_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    function = get_object_or_404(ValueChainFunction, pk=pk, engagement=engagement)
    return deleted(
        request, _url(engagement, "value-chain"), "Function",
        lambda: actions.delete_item(function, by=request.user),
    )


@require_POST
def value_chain_start(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    try:
        actions.start_value_chain(engagement, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Value chain started: rename the functions and mark the impact.")
    return redirect(_url(engagement, "value-chain"))


def capability_form(
    request: AuthedRequest, engagement_pk: int, pk: int | None = None
) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    capability = (
        get_object_or_404(Capability, pk=pk, engagement=engagement) if pk
        else Capability(engagement=engagement)
    )
    initial: dict[str, object] | None = None
    if not pk and request.GET.get("level") in Level.values:
        initial = {"level": request.GET["level"]}
    if not pk and request.GET.get("parent", "").isdigit():
        parent = Capability.objects.filter(pk=request.GET["parent"], engagement=engagement).first()
        if parent is not None:
            below = Level.MID if parent.level == Level.HIGH else Level.LOW
            initial = {"parent": parent.pk, "level": below}
    form = CapabilityForm(
        request.POST or None, instance=capability, engagement=engagement, initial=initial
    )
    return form_page(
        request, engagement, form, title="Business capability",
        back=_url(engagement, "capabilities"),
        save=lambda: actions.save_item(form.instance, by=request.user),
        delete_url=reverse("preparation_capability_delete", args=[engagement.pk, pk]) if pk else "",
        intro="High level (e.g. Sales) › mid level (Order taking) › low level (Taking custom "
              "orders for product A). Only low-level capabilities record people, process, tools, "
              "inputs, outputs, changes and improvement flags.",
        saved="Capability saved.",
    )


@require_POST
def capability_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    capability = get_object_or_404(Capability, pk=pk, engagement=engagement)
    return deleted(
        request, _url(engagement, "capabilities"), "Capability",
        lambda: actions.delete_item(capability, by=request.user),
    )
