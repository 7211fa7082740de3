"""Customer link pages. The public ones need no account (the token in the URL is the key);
the CS team's (revoke) need a login like every other page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cairn.documents.rendering import render_markdown
from cairn.http import AuthedRequest, client_address
from cairn.pdf import pdf_response, render_pdf
from cairn.people import access
from cairn.sharing import actions, purposes
from cairn.sharing.forms import AcceptForm, DeclineForm
from cairn.sharing.models import LinkState, SharedLink


def _private(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Keep the token in the URL from leaking: no Referer to other sites the document links
    to (same-origin still sends it, and Origin, which the CSRF check of the answer forms
    needs), no caches, no search engines."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _closed(
    request: HttpRequest, link: SharedLink | None, state: str, token: str = ""
) -> HttpResponse:
    """The page of a link that takes no answer. An answered link, until it expires, offers
    the read-only copy of the version answered (`token` is needed to link to it)."""
    status = 404 if link is None else 410
    context = {
        "link": link, "state": state or "forged", "now": timezone.now(), "token": token,
        "readable": bool(token) and link is not None and link.can_read(),
    }
    return render(request, "sharing/closed.html", context, status=status)


def _page(
    request: HttpRequest, link: SharedLink, token: str, *, read_only: bool = False,
    accept_form: AcceptForm | None = None, decline_form: DeclineForm | None = None,
) -> HttpResponse:
    """The version to read: with the two answer forms while the link is open, without them
    (`read_only`) once it was answered."""
    version = link.version
    assert version is not None  # callers check can_read(), which needs the version
    context = {
        "link": link,
        "token": token,
        "read_only": read_only,
        "purpose": purposes.get(link.purpose),
        "document": version.document,
        "version": version,
        "body_html": render_markdown(version.body) if not version.file else "",
        "accept_form": accept_form or AcceptForm(),
        "decline_form": decline_form or DeclineForm(),
        "opened": "decline" if decline_form is not None and decline_form.errors else "accept",
    }
    return render(request, "sharing/shared.html", context)


@login_not_required
@require_GET
@_private
def shared_link(request: HttpRequest, token: str) -> HttpResponse:
    link = actions.find_link(token)
    if link is None:
        return _closed(request, None, "forged")
    state = link.state()
    if state != LinkState.OPEN:
        return _closed(request, link, state, token)
    return _page(request, link, token)


@login_not_required
@require_GET
@_private
def shared_read(request: HttpRequest, token: str) -> HttpResponse:
    """The read-only copy of the version a customer answered, while the link lasts."""
    link = actions.find_link(token)
    if link is None:
        return _closed(request, None, "forged")
    state = link.state()
    if state == LinkState.OPEN:
        return redirect("shared_link", token)
    if not link.can_read():
        return _closed(request, link, state, token)
    return _page(request, link, token, read_only=True)


@login_not_required
@require_POST
@_private
def shared_answer(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    link = actions.find_link(token)
    if link is None:
        return _closed(request, None, "forged")
    accept = answer == "accept"
    form: AcceptForm | DeclineForm = AcceptForm(request.POST) if accept else DeclineForm(request.POST)
    if not form.is_valid():
        if link.state() != LinkState.OPEN:
            return _closed(request, link, link.state(), token)
        return _page(request, link, token, **{f"{answer}_form": form})  # type: ignore[arg-type]
    try:
        actions.respond(
            link, accept=accept, typed_name=form.cleaned_data.get("typed_name", ""),
            comment=form.cleaned_data.get("comment", ""),
            ip_address=client_address(request.META),  # type: ignore[arg-type]
            user_agent=request.headers.get("User-Agent", ""),
        )
    except actions.LinkClosed as exc:
        return _closed(request, exc.link, exc.state, token)
    except ValidationError as exc:
        # A refusal of the whole link (its content changed, its purpose no longer fits) has
        # no field; it is shown above the form.
        fielded = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, errors in fielded.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, link, token, **{f"{answer}_form": form})  # type: ignore[arg-type]
    context = {
        "link": link, "purpose": purposes.get(link.purpose), "token": token,
        "readable": link.can_read(),
    }
    return render(request, "sharing/answered.html", context)


@login_not_required
@require_GET
@_private
def shared_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The frozen version as a file: a written document as a PDF, an uploaded one as stored.
    An answered link still serves it, until the link expires."""
    link = actions.find_link(token)
    if link is None:
        return _closed(request, None, "forged")
    if not link.can_read():
        return _closed(request, link, link.state(), token)
    return version_file(link)


def version_file(link: SharedLink) -> HttpResponseBase:
    version = link.version
    assert version is not None
    if version.file:
        try:
            handle = version.file.open("rb")
        except FileNotFoundError:
            return HttpResponse("The file is missing from the data directory.", status=410)
        response = FileResponse(
            handle, as_attachment=True, filename=version.filename or "file",
            content_type=version.content_type or "application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
    kind = purposes.get(link.purpose)
    pdf = render_pdf(
        "sharing/document_pdf.html",
        {
            "title": link.document_title, "account": link.engagement.account.name,
            "subtitle": link.engagement.initiative,
            "kicker": kind.document_label.capitalize() if kind else "Document",
            "version_label": f"Version {link.version_number}", "date": version.created_at,
            "prepared_by": link.created_by.get_full_name() if link.created_by else "",
            "body_html": render_markdown(version.body),
        },
    )
    return pdf_response(pdf, f"{link.document_title} v{link.version_number}")


@require_POST
def link_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    link = access.engagement_item(request.user, SharedLink.objects.select_related("engagement"), pk=pk)
    try:
        actions.revoke(link, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The link to {link.recipient_name} no longer works.")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(link.engagement)


def link_created(
    request: HttpRequest, new: actions.NewLink, *, back_url: str, emailed: bool = False
) -> HttpResponse:
    """The page that shows a new link's address, the one time it can be shown.

    Apps that send documents (proposals, onboarding) render it right after create_link.
    """
    link = new.link
    kind = purposes.get(link.purpose)
    what = kind.document_label if kind else "document"
    mail_body = (
        f"Hello {link.recipient_name},\n\nPlease read the {what} “{link.document_title}” and "
        f"give your answer here:\n{new.url}\n\nThe link works once and expires on "
        f"{link.expires_at:%d %B %Y}.\n"
    )
    response = render(
        request, "sharing/link_created.html",
        {
            "link": link, "url": new.url, "back_url": back_url, "emailed": emailed,
            "subject": f"For your review: {link.document_title}", "mail_body": mail_body,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
