"""The admin's webhook pages: the endpoints with their last delivery, one endpoint with its
secret and delivery log, a delivery with each attempt, the history of changes; adding,
editing, switching, deleting an endpoint, rotating its secret, a test delivery and a replay.
The events page documents what receivers get, for anyone who builds one. Thin: the actions
own the writes, the queries the reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cairn.forms import add_errors
from cairn.http import AuthedRequest, query_without_page
from cairn.people import access
from cairn.people.models import User
from cairn.webhooks import actions, events, queries, sender
from cairn.webhooks.actions import REFUSAL
from cairn.webhooks.forms import EndpointForm
from cairn.webhooks.models import MAX_ATTEMPTS, Delivery, Endpoint, Status

PER_PAGE = 25


def _admin(request: AuthedRequest) -> User:
    return access.admin(request.user, REFUSAL)


def _endpoint(request: AuthedRequest, pk: int) -> Endpoint:
    _admin(request)
    return get_object_or_404(Endpoint.objects.select_related("created_by"), pk=pk)


def _posted(request: AuthedRequest) -> Any:
    return request.POST if request.method == "POST" else None


def endpoints(request: AuthedRequest) -> HttpResponse:
    _admin(request)
    return render(request, "webhooks/endpoints.html", {"endpoints": queries.endpoint_rows()})


def endpoint_create(request: AuthedRequest) -> HttpResponse:
    user = _admin(request)
    form = EndpointForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = actions.create_endpoint(form.instance, by=user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{endpoint.name} added. Give its receiver the secret below.")
            return redirect(endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None},
                  status=400 if form.errors else 200)


def endpoint(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _endpoint(request, pk)
    page = Paginator(queries.log(item), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "webhooks/endpoint.html", {
        "endpoint": item, "page_obj": page, "max_attempts": MAX_ATTEMPTS,
        "querystring_without_page": query_without_page(request),
    })


def endpoint_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _endpoint(request, pk)
    form = EndpointForm(_posted(request), instance=item)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            actions.update_endpoint(item, changes, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{item.name} saved.")
            return redirect("webhook_endpoint", pk=item.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": item},
                  status=400 if form.errors else 200)


@require_POST
def endpoint_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _endpoint(request, pk)
    actions.delete_endpoint(item, by=request.user)
    messages.success(request, f"{item.name} deleted, with its delivery log. Its history stays.")
    return redirect("webhooks")


@require_POST
def endpoint_rotate(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _endpoint(request, pk)
    actions.rotate_secret(item, by=request.user)
    messages.success(
        request, f"New secret for {item.name}: give it to the receiver; the old one no longer signs."
    )
    return redirect("webhook_endpoint", pk=item.pk)


@require_POST
def endpoint_ping(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _endpoint(request, pk)
    try:
        delivery = actions.ping(item, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("webhook_endpoint", pk=item.pk)
    messages.success(
        request, "Test delivery queued: the worker sends it within seconds. Reload to see the answer."
    )
    return redirect(delivery)


def _delivery(request: AuthedRequest, pk: int) -> Delivery:
    _admin(request)
    return get_object_or_404(queries.deliveries(), pk=pk)


def delivery(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _delivery(request, pk)
    return render(request, "webhooks/delivery.html", {
        "delivery": item, "endpoint": item.endpoint, "attempts": queries.attempts(item),
        "replays": queries.replays(item), "body": queries.body(item),
        "max_attempts": MAX_ATTEMPTS,
        "can_replay": item.endpoint.active and item.status != Status.PENDING,
    })


@require_POST
def delivery_replay(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _delivery(request, pk)
    try:
        again = actions.replay(item, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(item)
    messages.success(request, "Replay queued as a new delivery: the worker sends it within seconds.")
    return redirect(again)


def history(request: AuthedRequest) -> HttpResponse:
    """Who changed which endpoint, when and how; one endpoint's with ?endpoint=<id>."""
    _admin(request)
    chosen = request.GET.get("endpoint", "")
    endpoint_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    rows = queries.history(endpoint_id)
    named = rows[0].endpoint_name if endpoint_id is not None and rows else None
    return render(request, "webhooks/history.html", {
        "rows": rows, "endpoint_id": endpoint_id, "endpoint_name": named,
    })


def event_kinds(request: AuthedRequest) -> HttpResponse:
    """What receivers get: the envelope, the headers, the signature and each event's schema
    with an example. For anyone building a receiver, so for everyone logged in."""
    kinds = [
        {"kind": kind, "schema": queries.pretty(kind.schema()),
         "example": queries.pretty(events.example_envelope(kind))}
        for kind in events.EVENTS.values()
    ]
    return render(request, "webhooks/events.html", {
        "kinds": kinds, "backoff": queries.backoff_words(), "max_attempts": MAX_ATTEMPTS,
        "timeout": sender.TIMEOUT_SECONDS, "user_agent": sender.USER_AGENT,
    })
