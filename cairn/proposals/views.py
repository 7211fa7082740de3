"""The proposal page of an engagement: generate, edit, export, send, and each version's status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cairn.documents.actions import EditConflict
from cairn.documents.rendering import render_markdown
from cairn.engagements.models import Engagement
from cairn.forms import form_errors_text
from cairn.http import AuthedRequest
from cairn.pdf import pdf_response
from cairn.people import access, permissions
from cairn.proposals import actions, export
from cairn.proposals.forms import EditForm, ServicesForm
from cairn.proposals.queries import current_status, version_rows
from cairn.sharing.forms import SendForm
from cairn.sharing.views import link_created


def _engagements() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("account", "owner", "playbook_version")


def _engagement(pk: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=pk)


def _editable(request: AuthedRequest, engagement_pk: int) -> Engagement:
    return access.editable_engagement(
        request.user, engagement_pk, _engagements(),
        message="You may read this proposal but not change it.",
    )


def _page(
    request: AuthedRequest, engagement: Engagement, *, edit_form: EditForm | None = None,
    services_form: ServicesForm | None = None, send_form: SendForm | None = None, status: int = 200,
) -> HttpResponse:
    proposal = actions.proposal_of(engagement)
    rows = version_rows(proposal)
    current = rows[0].version if rows else None
    context: dict[str, Any] = {
        "engagement": engagement,
        "proposal": proposal,
        "rows": rows,
        "current": current,
        "current_status": current_status(rows),
        "body_html": render_markdown(current.body) if current else "",
        "can_edit": permissions.can_edit_engagement(request.user, engagement) and not engagement.is_closed,
        "edit_form": edit_form or EditForm(
            initial={"body": current.body, "base_version": current.number} if current else {}
        ),
        "services_form": services_form or ServicesForm(initial={"services": proposal.services}),
        "send_form": send_form or SendForm(engagement=engagement),
        "next": request.get_full_path(),
    }
    return render(request, "proposals/proposal.html", context, status=status)


def proposal(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    return _page(request, _engagement(engagement_pk))


@require_POST
def proposal_generate(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _editable(request, engagement_pk)
    try:
        revision = actions.generate(engagement, by=request.user)
    except (ValidationError, EditConflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, f"Proposal written from the engagement as version {revision.version.number}."
        )
        _tell_withdrawn(request, revision)
    return redirect("proposal", engagement.pk)


def _tell_withdrawn(request: AuthedRequest, revision: actions.Revision) -> None:
    if revision.withdrawn:
        messages.warning(request, revision.withdrawn_note())


@require_POST
def proposal_edit(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _editable(request, engagement_pk)
    form = EditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revision = actions.edit(
                engagement, data["body"], base_version=data["base_version"], by=request.user,
                comment=data["comment"],
            )
        except EditConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved as version {revision.version.number}.")
            _tell_withdrawn(request, revision)
            return redirect("proposal", engagement.pk)
    return _page(request, engagement, edit_form=form)


@require_POST
def proposal_services(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _editable(request, engagement_pk)
    form = ServicesForm(request.POST)
    if form.is_valid():
        try:
            actions.set_services(engagement, form.cleaned_data["services"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Services saved. Generate the proposal again to use them.")
            return redirect("proposal", engagement.pk)
    return _page(request, engagement, services_form=form)


@require_POST
def proposal_send(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _editable(request, engagement_pk)
    form = SendForm(request.POST, engagement=engagement)
    if form.is_valid():
        data = form.cleaned_data
        try:
            new = actions.send(
                engagement, data["contact"], by=request.user, days=data["days"],
                message=data["message"], send_email=data["send_email"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            return link_created(
                request, new, back_url=reverse("proposal", args=[engagement.pk]),
                emailed=data["send_email"],
            )
    messages.error(request, form_errors_text(form))
    return _page(request, engagement, send_form=form, status=400)


@require_GET
def proposal_pdf(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _engagement(engagement_pk)
    proposal = actions.proposal_of(engagement)
    number = request.GET.get("version", "")
    rows = version_rows(proposal)
    row = next((r for r in rows if not number.isdigit() or r.version.number == int(number)), None)
    if row is None:
        raise Http404("There is no such version of the proposal.")
    return pdf_response(export.proposal_pdf(engagement, proposal, row), export.filename(engagement, row))
