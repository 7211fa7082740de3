"""Notification pages: the inbox with its count in the header, each person's choices per
kind, the unsubscribe link of an e-mail, and the e-mail templates leaders edit (with a
preview and their history). Thin: the actions own the writes, the queries the reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.forms import add_errors
from cairn.http import AuthedRequest, query_without_page
from cairn.notifications import actions, defaults, mail, queries
from cairn.notifications.actions import TEMPLATE_REFUSAL
from cairn.notifications.forms import PreferencesForm, TemplateForm
from cairn.notifications.kinds import delivery_label
from cairn.notifications.models import EmailTemplate, Notification
from cairn.notifications.rendering import Rendered, plain_context, render_email
from cairn.people import access, permissions
from cairn.people.models import User

PER_PAGE = 25


def _page_number(value: str) -> str:
    return value if value.isascii() and value.isdigit() and len(value) < 10 else ""


def inbox(request: AuthedRequest) -> HttpResponse:
    """The person's notifications, unread first, a page at a time."""
    page = Paginator(queries.inbox(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page_obj": page, "notifications": list(page.object_list),
        "unread": queries.unread_count(request.user),
        "querystring_without_page": query_without_page(request),
    })


@require_GET
def count(request: AuthedRequest) -> HttpResponse:
    """The header's inbox link, with the number of unread notifications: loaded by htmx after
    the page, so no page pays a query for it."""
    return render(request, "notifications/_count.html", {"unread": queries.unread_count(request.user)})


def _back(request: AuthedRequest) -> HttpResponse:
    page = _page_number(request.POST.get("page", ""))
    return redirect(reverse("notifications") + (f"?page={page}" if page else ""))


@require_GET
def open_notification(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (the inbox when it links
    nowhere). Only the person's own: another's is not found."""
    item = get_object_or_404(Notification, pk=pk, recipient=request.user.pk)
    actions.mark_read(request.user, [item.pk])
    if item.link and url_has_allowed_host_and_scheme(item.link, allowed_hosts=None):
        return redirect(item.link)
    return redirect("notifications")


@require_POST
def mark_read(request: AuthedRequest) -> HttpResponse:
    """Mark the person's notifications named in the form read (others' are left alone)."""
    ids = [int(v) for v in request.POST.getlist("id") if v.isascii() and v.isdigit() and len(v) < 10]
    marked = actions.mark_read(request.user, ids)
    if marked:
        messages.success(request, "Marked read.")
    return _back(request)


@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    marked = actions.mark_all_read(request.user)
    messages.success(request, f"{marked:,} notification{'s' if marked != 1 else ''} marked read."
                     if marked else "Nothing was unread.")
    return redirect("notifications")


def preferences(request: AuthedRequest) -> HttpResponse:
    """A select per kind: at once, in the daily digest, or off."""
    choices = queries.preferences(request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        actions.set_preferences(request.user, dict(form.cleaned_data))
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {
        "form": form, "choices": choices, "has_email": bool(request.user.email),
    }, status=400 if form.errors else 200)


# --- Unsubscribe (public: the link in an e-mail) ---------------------------------------------


@login_not_required
@csrf_exempt  # the token is the secret; mail programs post to it with one click (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST switches that kind of e-mail off. A link that was changed or
    cut short says so."""
    found = mail.read_token(token)
    user = User.objects.filter(pk=found.user_pk).first() if found else None
    if found is None or user is None:
        return render(request, "notifications/unsubscribe.html", {"bad": True}, status=400)
    context: dict[str, Any] = {"kind": found.kind_label, "token": token, "email": user.email}
    if request.method == "POST":
        actions.unsubscribe(user.pk, found.kind)
        return render(request, "notifications/unsubscribe.html", {**context, "done": True})
    current = next((c for c in queries.preferences(user) if c.kind == found.kind), None)
    context["current"] = delivery_label(found.kind, current.delivery) if current else ""
    return render(request, "notifications/unsubscribe.html", context)


# --- E-mail templates ------------------------------------------------------------------------


def _can_edit(request: AuthedRequest) -> bool:
    """Whether to show the edit button: the rule of access.leader, which guards the edit."""
    return permissions.is_leader(request.user) and permissions.can_write(request.user)


def templates(request: AuthedRequest) -> HttpResponse:
    """The e-mail templates Cairn sends; leaders edit them, everyone reads them."""
    found = list(EmailTemplate.objects.select_related("updated_by"))
    if len(found) < len(defaults.BUILT_IN) and actions.ensure_templates():
        found = list(EmailTemplate.objects.select_related("updated_by"))
    context = {"templates": found, "can_edit": _can_edit(request)}
    return render(request, "notifications/templates.html", context)


def _preview(template: EmailTemplate, parts: Any = None) -> Rendered | str:
    """The template rendered with its sample values, or what went wrong."""
    try:
        return render_email(parts or template, template.key, plain_context(defaults.sample(template.key)))
    except Exception as exc:  # the built-in text failing would be Cairn's bug: say so, no 500
        return str(exc)


def template(request: AuthedRequest, pk: int) -> HttpResponse:
    """One template: its text, a preview from sample values, and who changed what when."""
    item = get_object_or_404(EmailTemplate.objects.select_related("updated_by"), pk=pk)
    return render(request, "notifications/template.html", {
        "template": item, "preview": _preview(item), "history": queries.template_history(item),
        "can_edit": _can_edit(request),
    })


def template_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit a template; "Preview" renders the text as typed without saving it."""
    user = access.leader(request.user, TEMPLATE_REFUSAL)
    item = get_object_or_404(EmailTemplate, pk=pk)
    form = TemplateForm(request.POST if request.method == "POST" else None, instance=item)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(item, form.instance)
        else:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                if changes:
                    actions.update_template(item, changes, by=user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"{item.name} saved." if changes else "Nothing was changed.")
                return redirect(item)
    return render(request, "notifications/template_form.html", {
        "form": form, "template": item, "preview": preview, "sample": defaults.sample(item.key),
    }, status=400 if form.errors else 200)
