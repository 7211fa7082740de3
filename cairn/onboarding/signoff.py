"""The customer's final sign-off of onboarding, through a cairn.sharing customer link.

The CSM writes a sign-off summary from the finished plan into the central repository and
sends that exact version through a secure link; when the customer stakeholder accepts it,
the plan is marked signed off and the phase's "signed off by the customer" output is
delivered with the summary as its document. There is no second link mechanism here: the
purpose registered below is all onboarding adds to cairn.sharing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cairn.customers.models import Contact
from cairn.documents import actions as documents
from cairn.documents.models import Document, DocumentType, DocumentVersion
from cairn.engagements.actions import set_output
from cairn.engagements.models import EngagementOutput
from cairn.http import AuthedRequest
from cairn.onboarding import reports
from cairn.onboarding.actions import ensure_editable, onboarding_phase
from cairn.onboarding.forms import add_errors
from cairn.onboarding.models import OnboardingPlan, PlanActivity
from cairn.people.models import User
from cairn.sharing import actions as sharing
from cairn.sharing import purposes
from cairn.sharing.forms import SendForm
from cairn.sharing.models import Response, SharedLink
from cairn.sharing.queries import links_of_document

PURPOSE = "onboarding-signoff"


def register() -> None:
    purposes.register(purposes.Purpose(
        key=PURPOSE, label="Onboarding sign-off", document_label="onboarding sign-off",
        accept_label="Sign off", refusal=refusal, on_response=on_response,
    ))


def refusal(version: DocumentVersion) -> str:
    """A sign-off link carries only the plan's sign-off summary: its answer signs the plan."""
    engagement_id = version.document.engagement_id
    plan = OnboardingPlan.objects.filter(engagement_id=engagement_id).first() if engagement_id else None
    if plan is None or plan.signoff_document_id != version.document_id:
        return "only the onboarding plan's sign-off summary can be sent for sign-off."
    return ""


def _check_finished(plan: OnboardingPlan) -> None:
    """Onboarding ends when all its activities are done (the framework's phase output)."""
    activities = list(PlanActivity.objects.filter(phase__plan=plan).only("name", "status"))
    if not activities:
        raise ValidationError("The plan has no activities yet: there is nothing to sign off.")
    still_open = [a.name for a in activities if not a.is_done]
    if still_open:
        more = f" and {len(still_open) - 3} more" if len(still_open) > 3 else ""
        raise ValidationError(
            f"Finish or remove the open activities first: {', '.join(still_open[:3])}{more}."
        )


@transaction.atomic
def send_for_signoff(
    plan: OnboardingPlan,
    *,
    contact: Contact | None,
    by: User,
    days: int | None = None,
    message: str = "",
    send_email: bool = False,
) -> sharing.NewLink:
    """Write the sign-off summary (a new version if one exists) and send it by a link.

    Links sent for an earlier version are revoked: only the newest summary can be signed.
    """
    ensure_editable(plan)
    _check_finished(plan)
    engagement = plan.engagement
    details = documents.Details(
        title=f"Onboarding sign-off: {engagement.initiative}"[:200], doc_type=DocumentType.REPORT,
        phase=onboarding_phase(engagement),
    )
    body = reports.signoff_markdown(plan)
    existing = (
        Document.objects.filter(pk=plan.signoff_document_id or 0).select_related("current_version").first()
    )
    if existing is not None and existing.current_version is not None:
        documents.update_written(
            existing, details, body, base_version=existing.current_version.number, by=by,
            comment="Sign-off summary written again",
        )
        sharing.revoke_open_links(existing.pk, by=by, purpose=PURPOSE)
        document = existing
    else:
        document = documents.create_written(engagement, details, body, by=by, comment="Sign-off summary")
        plan.signoff_document = document
        plan.save(update_fields=["signoff_document", "updated_at"])
    document.refresh_from_db(fields=["current_version"])
    assert document.current_version is not None
    return sharing.create_link(
        engagement, document.current_version, purpose=PURPOSE, contact=contact, by=by, days=days,
        message=message, send_email=send_email,
    )


def on_response(link: SharedLink) -> None:
    """An accepted sign-off closes onboarding: the plan is signed off, the output delivered."""
    if link.response != Response.ACCEPTED or link.version is None:
        return
    plan = OnboardingPlan.objects.select_for_update().filter(engagement_id=link.engagement_id).first()
    if plan is None or plan.is_signed_off or link.version.document_id != plan.signoff_document_id:
        return
    plan.signed_off_at = link.used_at
    plan.signed_off_by = link.typed_name
    plan._history_user = link.created_by  # type: ignore[attr-defined]
    plan.save(update_fields=["signed_off_at", "signed_off_by", "updated_at"])
    output = EngagementOutput.objects.filter(
        engagement_id=link.engagement_id, output__phase__key="onboarding", output__required=True,
        delivered=False,
    ).select_related("engagement__account", "output").first()
    if output is not None and link.created_by is not None:
        set_output(
            output, by=link.created_by, delivered=True, document_id=plan.signoff_document_id,
            note=f"Signed off by {link.typed_name} through a customer link.",
        )


def page_context(plan: OnboardingPlan) -> dict[str, Any]:
    links = list(links_of_document(plan.signoff_document_id)[:10]) if plan.signoff_document_id else []
    return {"signoff_links": links}


def request_signoff(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """Send the sign-off summary to a customer stakeholder; the link is shown once."""
    from cairn.onboarding.views import _context, _plan, editable
    from cairn.sharing.views import link_created

    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    form = SendForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = send_for_signoff(
                plan, contact=data["contact"], by=request.user, days=data["days"],
                message=data["message"], send_email=data["send_email"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return link_created(request, new, back_url=plan.get_absolute_url(), emailed=data["send_email"])
    if request.method == "GET" and plan.is_signed_off:
        messages.info(request, f"{plan.signed_off_by} signed the onboarding off already.")
        return redirect(plan)
    try:
        _check_finished(plan)
        blocker = ""
    except ValidationError as exc:
        blocker = " ".join(exc.messages)
    return render(request, "onboarding/signoff.html", _context(
        request, engagement, "plan", plan=plan, form=form, blocker=blocker,
        preview=reports.signoff_markdown(plan),
    ), status=400 if form.errors else 200)
