"""Portfolio and account pages; thin: parse, check permission, call an action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn import changes as history
from cairn import pages
from cairn.customers import actions, queries
from cairn.customers.forms import AccountForm, ContactForm, PortfolioFilter, SubscriptionForm
from cairn.customers.models import Account, Contact, Product, Subscription
from cairn.engagements.models import ActivityStatus, Engagement, EngagementActivity
from cairn.http import AuthedRequest, query_without_page
from cairn.people import access, permissions

PAGE_SIZE = 25


def portfolio(request: AuthedRequest) -> HttpResponse:
    form = PortfolioFilter(request.GET or None)
    # A stale or mistyped filter (an owner who left, say) is dropped on its own; the
    # others still apply.
    filters: dict[str, object] = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        filters = dict(form.cleaned_data)
    page = Paginator(queries.portfolio(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "accounts": page.object_list,
        "filtered": any(filters.values()) if filters else False,
        "querystring_without_page": query_without_page(request),
        "today": timezone.localdate(),
        "can_create": permissions.can_create_accounts(request.user),
    }
    template = "customers/_portfolio_rows.html" if request.htmx else "customers/portfolio.html"
    return render(request, template, context)


def account_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("owner", "parent"), pk=pk)
    contacts = account.contacts.select_related("reports_to")
    subscriptions = account.subscriptions.select_related("product")
    # A correlated count per engagement: a join over the whole checklist table lets
    # PostgreSQL pick a full scan once there are hundreds of thousands of items.
    open_items = (
        EngagementActivity.objects.filter(engagement=OuterRef("pk"), status=ActivityStatus.OPEN)
        .order_by()
        .values("engagement")
        .annotate(n=Count("id"))
        .values("n")
    )
    engagements = (
        account.engagements.select_related("owner", "current_phase")
        .annotate(open_activities=Coalesce(Subquery(open_items), 0))
        .order_by("status", "-start_date")
    )
    return render(
        request,
        "customers/account.html",
        {
            "account": account,
            "contacts": contacts,
            "subscriptions": subscriptions,
            "engagements": engagements,
            "children": account.children.only("id", "name"),
            "can_edit": permissions.can_edit_account(request.user, account),
            "can_start_engagement": permissions.can_write(request.user),
            "today": timezone.localdate(),
            # The timeline (feed, open tasks, entry form) and the metrics panel.
            **pages.context_for("account", request, account),
        },
    )


def account_create(request: AuthedRequest) -> HttpResponse:
    access.account_creator(request.user)
    form = AccountForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        account = actions.save_record(form.instance, by=request.user)
        messages.success(request, f"Account {account.name} created.")
        return redirect(account)
    return render(request, "customers/account_form.html", {"form": form, "account": None})


def account_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = access.editable_account(request.user, pk)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        actions.save_record(form.instance, by=request.user)
        messages.success(request, "Account saved.")
        return redirect(account)
    return render(request, "customers/account_form.html", {"form": form, "account": account})


@require_POST
def account_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    access.leader(request.user, "Only CS leaders delete accounts.")
    name = account.name
    actions.delete_record(account, by=request.user)
    messages.success(request, f"Account {name} deleted.")
    return redirect("portfolio")


HISTORY_ROWS = 150


def _named(record: Any, account: Account, products: dict[int, Product]) -> str:
    instance = record.instance
    if hasattr(instance, "account_id"):
        instance.account = account
    if hasattr(instance, "product_id"):
        product = products.get(instance.product_id)
        if product is None:
            return f"a deleted product for {account}"
        instance.product = product
    return str(instance)


def account_history(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who changed what and when on the account, its contacts, subscriptions, engagements.

    Each change is compared with the record before it in Python, from one query per model,
    so the page's query count does not grow with the history.
    """
    account = get_object_or_404(Account, pk=pk)
    rows: list[tuple[Any, str, Any]] = []
    for model, label in ((Account, "Account"), (Contact, "Contact"), (Subscription, "Subscription"),
                         (Engagement, "Engagement")):
        scope = {"id": pk} if model is Account else {"account_id": pk}
        records = list(
            model.history.filter(**scope)  # type: ignore[attr-defined]
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous = None
        for record in records:
            same = previous is not None and previous.id == record.id
            rows.append((record, label, previous if same else None))
            previous = record
    rows.sort(key=lambda row: row[0].history_date, reverse=True)
    rows = rows[:HISTORY_ROWS]
    described = history.describe((record, previous) for record, _, previous in rows)
    # Each row is named from what the page already holds (the account, the products read
    # once) rather than by a query per row for its account and product.
    products = Product.objects.in_bulk(
        {record.product_id for record, label, _ in rows if label == "Subscription"}
    )
    changes = [
        {"record": record, "label": label, "name": _named(record, account, products),
         "changes": words}
        for (record, label, _), words in zip(rows, described, strict=True)
    ]
    return render(request, "customers/history.html", {"account": account, "changes": changes})


def _child_form(
    request: AuthedRequest,
    account: Account,
    form_class: type[ContactForm] | type[SubscriptionForm],
    instance: Contact | Subscription | None,
    noun: str,
) -> HttpResponse:
    """The form for a contact or subscription of `account`, which the caller has fetched
    and checked as one the user may change."""
    form = form_class(request.POST or None, instance=instance, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                record = form.save(commit=False)
                actions.save_record(record, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{noun.capitalize()} saved.")
            return redirect(account)
    return render(
        request,
        "customers/child_form.html",
        {"form": form, "account": account, "noun": noun, "instance": instance},
    )


def contact_create(request: AuthedRequest, pk: int) -> HttpResponse:
    account = access.editable_account(request.user, pk)
    return _child_form(request, account, ContactForm, None, "contact")


def contact_edit(request: AuthedRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = access.account_item(
        request.user, Contact.objects.select_related("account"), pk=contact_pk, account=pk
    )
    return _child_form(request, contact.account, ContactForm, contact, "contact")


def subscription_create(request: AuthedRequest, pk: int) -> HttpResponse:
    account = access.editable_account(request.user, pk)
    return _child_form(request, account, SubscriptionForm, None, "subscription")


def subscription_edit(request: AuthedRequest, pk: int, sub_pk: int) -> HttpResponse:
    sub = access.account_item(
        request.user, Subscription.objects.select_related("account"), pk=sub_pk, account=pk
    )
    return _child_form(request, sub.account, SubscriptionForm, sub, "subscription")


@require_POST
def contact_delete(request: AuthedRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = access.account_item(
        request.user, Contact.objects.select_related("account"), pk=contact_pk, account=pk
    )
    actions.delete_record(contact, by=request.user)
    messages.success(request, f"Contact {contact.full_name} removed.")
    return redirect(contact.account)


def org_chart(request: AuthedRequest, pk: int) -> HttpResponse:
    """Contacts as a reporting tree, grouped by department at the leaves."""
    account = get_object_or_404(Account, pk=pk)
    contacts = list(account.contacts.all())
    children: dict[int | None, list[Contact]] = {}
    known = {c.pk for c in contacts}
    for contact in contacts:
        parent = contact.reports_to_id if contact.reports_to_id in known else None
        children.setdefault(parent, []).append(contact)

    def branch(parent: int | None) -> list[dict[str, object]]:
        return [{"contact": c, "reports": branch(c.pk)} for c in children.get(parent, [])]

    return render(request, "customers/org_chart.html", {"account": account, "tree": branch(None)})
