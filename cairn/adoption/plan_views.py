"""The adoption plan pages: outline, the key stakeholder's approval, the detailed plan, and
the roadmap for the workforce (a page and a PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.adoption import actions, approval, queries, writing
from cairn.adoption.forms import ApprovalForm, RoadmapStepForm, RoadmapSummaryForm, SectionsForm
from cairn.adoption.models import AdoptionPlan, RoadmapStep
from cairn.adoption.views import (
    _tool_form,
    add_errors,
    context,
    delete_view,
    editable_engagement_of,
    engagement_of,
    error_text,
    page_of,
)
from cairn.documents.actions import EditConflict
from cairn.documents.models import Document
from cairn.documents.rendering import render_markdown
from cairn.engagements.models import Engagement
from cairn.http import AuthedRequest
from cairn.pdf import pdf_response, render_pdf
from cairn.sharing.forms import SendForm
from cairn.sharing.queries import links_of_document
from cairn.sharing.views import link_created


def _plan_url(engagement: Engagement) -> str:
    return reverse("adoption_plan", args=[engagement.pk])


def _html(document: Document | None) -> str:
    if document is None or document.current_version is None:
        return ""
    return render_markdown(document.current_version.body)


def plan(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    current = queries.plan_of(engagement)
    outline = current.outline if current else None
    detailed = current.detailed if current else None
    summary = current.roadmap_summary if current else ""
    steps = page_of(request, engagement.roadmap_steps.all(), "steps")
    return render(
        request, "adoption/plan.html",
        context(
            request, engagement, "plan", plan=current, stage=current.stage if current else "none",
            outline_html=_html(outline), detailed_html=_html(detailed),
            approval_form=ApprovalForm(engagement=engagement, initial={"approved_on": timezone.localdate()}),
            summary_form=RoadmapSummaryForm(initial={"roadmap_summary": summary}),
            steps=steps,
            links=list(links_of_document(outline.pk)[:10]) if outline else [],
            next=_plan_url(engagement),
        ),
    )


def _sections_page(request: AuthedRequest, engagement: Engagement, *, detailed: bool) -> HttpResponse:
    current = queries.plan_of(engagement) or AdoptionPlan(engagement=engagement)
    document = current.detailed if detailed else current.outline
    title = "Adoption plan (detailed)" if detailed else "Adoption plan (outline)"
    if document is not None and document.current_version is not None:
        body, base = document.current_version.body, document.current_version.number
    elif detailed:
        body, base = actions.detailed_start_text(engagement, current), None
    else:
        groups = list(engagement.impacted_groups.all())
        risks = list(queries.risks_by_score(engagement)[:10])
        body, base = writing.join_sections(title, writing.outline_start(groups, risks)), None
    form = SectionsForm(request.POST or None, sections=writing.split_sections(body),
                        initial={"base_version": base})
    blocked = warning = ""
    if detailed and not current.is_approved:
        blocked = "The detailed plan is written once the key stakeholder has approved the outline."
    elif not detailed and current.is_approved:
        warning = approval.reapproval_warning(current)
    if request.method == "POST" and form.is_valid():
        write = actions.write_detailed if detailed else actions.write_outline
        try:
            saved = write(
                engagement, form.body(title), by=request.user, base_version=form.cleaned_data["base_version"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except EditConflict as exc:  # someone saved meanwhile: show it, keep the typed text
            form.add_error(None, str(exc))
        else:
            version = saved.outline.current_version if saved.outline and not detailed else None
            if version is not None and saved.awaits_approval and saved.is_approved:
                messages.warning(
                    request, f"{title} saved as version {version.number}; it needs a new approval. "
                             f"Version {saved.approved_version} stays the approved one.",
                )
            else:
                messages.success(request, f"{title} saved.")
            return redirect(_plan_url(engagement))
    return render(
        request, "adoption/plan_edit.html",
        context(request, engagement, "plan", form=form, title=title, blocked=blocked, warning=warning,
                document=document),
    )


def outline_edit(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    return _sections_page(request, editable_engagement_of(request, engagement_pk), detailed=False)


def detailed_edit(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    return _sections_page(request, editable_engagement_of(request, engagement_pk), detailed=True)


def approve(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    form = ApprovalForm(request.POST or None, engagement=engagement,
                        initial={"approved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.approve_outline(
                engagement, stakeholder=data["approved_by"], approved_on=data["approved_on"],
                note=data["note"], by=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, f"Approval by {data['approved_by']} recorded. The plan can now be detailed."
            )
            return redirect(_plan_url(engagement))
    return render(
        request, "adoption/form.html",
        context(request, engagement, "plan", form=form, title="Record the outline's approval",
                back=_plan_url(engagement), submit="Record approval",
                intro="Record who approved the outline and when. The approved version is kept as it is."),
    )


def send_for_approval(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """Send the current outline to the key stakeholder through a customer link."""
    engagement = editable_engagement_of(request, engagement_pk)
    form = SendForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = approval.send_outline(
                engagement, contact=data["contact"], by=request.user, days=data["days"],
                message=data["message"], send_email=data["send_email"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return link_created(request, new, back_url=_plan_url(engagement), emailed=data["send_email"])
    return render(
        request, "adoption/form.html",
        context(request, engagement, "plan", form=form, title="Send the outline for approval",
                back=_plan_url(engagement), submit="Create the link",
                intro="The stakeholder reads this exact version of the outline and approves it, or "
                      "says what should change. Their approval opens the detailed plan."),
    )


@require_POST
def roadmap_summary(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    form = RoadmapSummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Summary for the workforce: write a few sentences.")
    else:
        try:
            actions.save_roadmap_summary(engagement, form.cleaned_data["roadmap_summary"], by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "Roadmap summary saved.")
    return redirect(f"{_plan_url(engagement)}#roadmap")


def step_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, RoadmapStep, RoadmapStepForm, pk, tool="plan", noun="roadmap step",
        back_name="adoption_plan", delete_name="adoption_step_delete",
        intro="A stage of the programme as the workforce will see it: what happens, for whom, when.",
    )


@require_POST
def step_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, RoadmapStep, pk, "adoption_plan")


@require_POST
def publish(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    try:
        document = actions.publish_roadmap(engagement, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(f"{_plan_url(engagement)}#roadmap")
    number = document.current_version.number if document.current_version else 1
    messages.success(request, f"Roadmap published as version {number} in the repository.")
    return redirect(reverse("adoption_roadmap", args=[engagement.pk]))


def _roadmap_context(engagement: Engagement) -> dict[str, object]:
    current = queries.plan_of(engagement)
    steps = list(engagement.roadmap_steps.all())
    first = min((s.starts for s in steps), default=None)
    last = max((s.ends for s in steps), default=None)
    bars = []
    if first and last:
        span = max((last - first).days, 1)
        for s in steps:
            bars.append({
                "step": s,
                "left": round(100 * (s.starts - first).days / span, 2),
                "width": max(round(100 * ((s.ends - s.starts).days or 1) / span, 2), 1.5),
            })
    return {"plan": current, "steps": steps, "bars": bars, "first": first, "last": last,
            "summary": current.roadmap_summary if current else ""}


def roadmap(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    return render(request, "adoption/roadmap.html",
                  context(request, engagement, "plan", **_roadmap_context(engagement)))


def roadmap_pdf(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    data = _roadmap_context(engagement)
    pdf = render_pdf(
        "adoption/roadmap_pdf.html",
        {"engagement": engagement, "title": "Adoption roadmap", "account": engagement.account.name,
         "date": timezone.localdate(), **data},
        request,
    )
    return pdf_response(pdf, f"Adoption roadmap {engagement.account.name}")
