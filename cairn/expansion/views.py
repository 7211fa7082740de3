"""Expansion and advocacy pages: the opportunities with their pipeline and CSV export, one
opportunity spotted, handed to Sales and closed; the hand-off policy a leader keeps; the
advocacy asks and the promoters worth asking. Thin: the actions own the writes, the
queries the reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.customers.models import Account, Contact
from cairn.expansion import actions, export, queries
from cairn.expansion.actions import ASK_REFUSAL, CHANGE_REFUSAL, POLICY_REFUSAL
from cairn.expansion.forms import (
    AskForm,
    CloseForm,
    HandoffForm,
    OpportunityForm,
    PlanAskForm,
    PolicyForm,
    WorkForm,
)
from cairn.expansion.models import (
    AdvocacyAsk,
    AskStatus,
    HandoffPolicy,
    Kind,
    Opportunity,
    Stage,
)
from cairn.forms import add_errors
from cairn.http import AuthedRequest
from cairn.people import access, permissions
from cairn.people.models import User

PER_PAGE = 50


def _editable_ids(user: User) -> set[int]:
    """The accounts the user may change, for showing only the buttons they may press."""
    return set(access.editable_accounts(user).values_list("pk", flat=True))


def opportunities(request: AuthedRequest) -> HttpResponse:
    """Every opportunity, filtered, with the pipeline by stage of what the filters keep."""
    filters = queries.parse_filters(request.GET)
    found = queries.filtered(filters)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    editable = _editable_ids(request.user)
    return render(request, "expansion/opportunities.html", {
        "filters": filters, "totals": queries.totals(found), "page_obj": page,
        "opportunities": page.object_list, "editable": editable,
        "querystring_without_page": filters.querystring + "&" if filters.querystring else "",
        "stages": Stage.choices, "kinds": Kind.choices,
        "spotters": User.objects.filter(spotted_opportunities__isnull=False).distinct()
        .order_by("first_name", "last_name"),
        "accounts": Account.objects.filter(opportunities__isnull=False).distinct().order_by("name"),
    })


def opportunities_csv(request: AuthedRequest) -> HttpResponse:
    """The filtered list as CSV, for a spreadsheet or the CRM."""
    found = queries.filtered(queries.parse_filters(request.GET))
    name = f"opportunities-{timezone.localdate():%Y-%m-%d}.csv"
    return export.opportunities_csv(found.iterator(chunk_size=500), name)


def opportunity_create(request: AuthedRequest, account_pk: int) -> HttpResponse:
    account = access.editable_account(request.user, account_pk, message=CHANGE_REFUSAL)
    form = OpportunityForm(request.POST or None, instance=Opportunity(account=account), account=account)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.create_opportunity(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Opportunity “{item.title}” recorded.")
            return redirect(item)
    return render(request, "expansion/opportunity_form.html", {
        "form": form, "account": account, "opportunity": None,
    }, status=400 if form.errors else 200)


def _opportunities() -> QuerySet[Opportunity]:
    return queries.opportunities()


def _changeable(request: AuthedRequest, pk: int) -> Opportunity:
    return access.account_item(request.user, _opportunities(), message=CHANGE_REFUSAL, pk=pk)


def opportunity(request: AuthedRequest, pk: int) -> HttpResponse:
    """One opportunity: what it is, where Sales has it, its outcome and its history."""
    item = get_object_or_404(_opportunities(), pk=pk)
    can_change = item.is_open and permissions.can_edit_account(request.user, item.account)
    policy = HandoffPolicy.current()
    return render(request, "expansion/opportunity.html", {
        "opportunity": item, "history": queries.history(item), "can_change": can_change,
        "can_delete": permissions.can_edit_account(request.user, item.account),
        "policy": policy, "policy_refusals": _refusals(item, policy),
    })


def _refusals(item: Opportunity, policy: HandoffPolicy) -> dict[str, str]:
    return actions.policy_refusals(item, policy) if item.stage == Stage.IDENTIFIED else {}


def opportunity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable(request, pk)
    if request.method != "POST" and not item.is_open:
        messages.info(request, "It is closed: the opportunity cannot change any more.")
        return redirect(item)
    form = WorkForm(request.POST or None, instance=item, account=item.account)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            actions.update_opportunity(item, changes, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Opportunity saved.")
            return redirect(item)
    return render(request, "expansion/opportunity_form.html", {
        "form": form, "account": item.account, "opportunity": item,
    }, status=400 if form.errors else 200)


def opportunity_handoff(request: AuthedRequest, pk: int) -> HttpResponse:
    """Hand it to Sales: the policy is on the form, and the action enforces it."""
    item = _changeable(request, pk)
    if request.method != "POST" and item.stage != Stage.IDENTIFIED:
        messages.info(request, "It is no longer identified: it was handed over or closed already.")
        return redirect(item)
    form = HandoffForm(request.POST or None, opportunity=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.hand_off(item, actions.Handoff(
                sales_owner_name=data["sales_owner_name"], sales_owner_email=data["sales_owner_email"],
                crm_reference=data["crm_reference"], amount=data["amount"],
                confirmed_by=data["confirmed_by"], handed_on=data["handed_on"],
            ), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Handed to {item.sales_owner_name} in Sales.")
            return redirect(item)
    return render(request, "expansion/handoff.html", {
        "form": form, "opportunity": item, "policy": HandoffPolicy.current(),
    }, status=400 if form.errors else 200)


def opportunity_close(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable(request, pk)
    if request.method != "POST" and not item.is_open:
        messages.info(request, "Its outcome is already recorded.")
        return redirect(item)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.close(item, actions.Close(
                stage=data["stage"], closed_amount=data["closed_amount"], closed_on=data["closed_on"],
                reason=data["close_reason"],
            ), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Outcome recorded: {item.get_stage_display().lower()}.")
            return redirect(item)
    return render(request, "expansion/close.html", {"form": form, "opportunity": item},
                  status=400 if form.errors else 200)


@require_POST
def opportunity_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable(request, pk)
    account = item.account
    actions.delete_opportunity(item, by=request.user)
    messages.success(request, f"Opportunity “{item.title}” deleted.")
    return redirect(account)


def policy(request: AuthedRequest) -> HttpResponse:
    """The hand-off policy: everyone reads it, leaders set it."""
    current = HandoffPolicy.current()
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST":
        access.leader(request.user, POLICY_REFUSAL)
        if form.is_valid():
            try:
                actions.save_policy(form.instance, by=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Hand-off policy saved.")
                return redirect("handoff_policy")
    return render(request, "expansion/policy.html", {
        "policy": current, "form": form, "can_edit": permissions.is_leader(request.user)
        and permissions.can_write(request.user),
    }, status=400 if form.errors else 200)


def _ask_filters(params: Any) -> dict[str, Any]:
    status = params.get("status") or None
    return {
        "status": status if status in AskStatus.values else None,
        "account": queries._id(params.get("account")),
    }


def advocacy(request: AuthedRequest) -> HttpResponse:
    """The asks and their outcomes, and the promoters worth asking."""
    chosen = _ask_filters(request.GET)
    found = queries.asks()
    if chosen["status"]:
        found = found.filter(status=chosen["status"])
    if chosen["account"]:
        found = found.filter(contact__account=chosen["account"])
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    candidates = list(queries.candidates(timezone.localdate(), account=chosen["account"])[:PER_PAGE])
    querystring = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(request, "expansion/advocacy.html", {
        "page_obj": page, "asks": page.object_list, "candidates": candidates,
        "editable": _editable_ids(request.user), "chosen": chosen, "statuses": AskStatus.choices,
        "querystring_without_page": querystring + "&" if querystring else "",
        "resting_days": queries.RESTING_DAYS, "plan_form": PlanAskForm(),
    })


def ask_create(request: AuthedRequest, contact_pk: int) -> HttpResponse:
    """Plan or record an ask to a contact. A POST with only `kind` (a candidate's one click)
    plans it and goes back to where it came from."""
    contact = access.account_item(
        request.user, Contact.objects.select_related("account"), message=ASK_REFUSAL, pk=contact_pk
    )
    if request.method == "POST" and request.POST.get("quick"):
        quick = PlanAskForm(request.POST)
        if quick.is_valid():
            ask = actions.plan_ask(contact, by=request.user, kind=quick.cleaned_data["kind"])
            messages.success(request, f"{ask.get_kind_display()} with {contact} planned.")
            return redirect("advocacy")
        messages.error(request, "Kind: choose one of the kinds of ask.")
        return redirect("advocacy")
    form = AskForm(request.POST or None, instance=AdvocacyAsk(contact=contact))
    if request.method == "POST" and form.is_valid():
        try:
            ask = actions.create_ask(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{ask.get_kind_display()} with {contact} saved.")
            return redirect("advocacy")
    return render(request, "expansion/ask_form.html", {"form": form, "contact": contact, "ask": None},
                  status=400 if form.errors else 200)


def _changeable_ask(request: AuthedRequest, pk: int) -> AdvocacyAsk:
    return access.account_item(
        request.user, queries.asks(), via="contact.account", message=ASK_REFUSAL, pk=pk
    )


def ask_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    ask = _changeable_ask(request, pk)
    form = AskForm(request.POST or None, instance=ask)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            actions.update_ask(ask, changes, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Ask saved.")
            return redirect("advocacy")
    return render(request, "expansion/ask_form.html", {"form": form, "contact": ask.contact, "ask": ask},
                  status=400 if form.errors else 200)


@require_POST
def ask_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    ask = _changeable_ask(request, pk)
    actions.delete_ask(ask, by=request.user)
    messages.success(request, "Ask deleted.")
    return redirect("advocacy")
