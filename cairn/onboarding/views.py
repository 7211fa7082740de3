"""Onboarding pages: the welcome pack and the project plan with its Gantt chart and reports.

Views parse, check permission, call an action and render; time tracking is in time_views.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.documents.rendering import render_markdown
from cairn.engagements.models import Engagement
from cairn.forms import form_errors_text
from cairn.http import AuthedRequest
from cairn.onboarding import actions
from cairn.onboarding.forms import (
    ActivityForm,
    MilestoneForm,
    MilestoneReportForm,
    PackStatusForm,
    PhaseForm,
    PlanForm,
    WelcomePackForm,
    add_errors,
)
from cairn.onboarding.models import (
    ActivityStatus,
    Milestone,
    OnboardingPlan,
    PackStatus,
    PlanActivity,
    PlanPhase,
    WelcomePack,
)
from cairn.onboarding.queries import plan_view
from cairn.pdf import pdf_response, render_pdf
from cairn.people import access, permissions


def _engagements() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("account", "owner", "current_phase", "playbook_version")


def engagement_of(pk: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=pk)


def editable(request: AuthedRequest, pk: int) -> Engagement:
    """The engagement, fetched and checked in one call: the user must be allowed to change it."""
    return access.editable_engagement(request.user, pk, _engagements())


def _pack(engagement: Engagement) -> WelcomePack | None:
    return WelcomePack.objects.filter(engagement=engagement).select_related(
        "sender", "recipient", "sent_by", "received_by", "reviewed_by", "document"
    ).first()


def _plan(engagement: Engagement) -> OnboardingPlan:
    plan = OnboardingPlan.objects.filter(engagement=engagement).select_related("signoff_document").first()
    if plan is None:
        raise Http404("This engagement has no onboarding plan yet.")
    plan.engagement = engagement
    return plan


def _context(request: AuthedRequest, engagement: Engagement, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "engagement": engagement, "tab": tab, "today": timezone.localdate(),
        "can_edit": permissions.can_edit_engagement(request.user, engagement)
        and not engagement.is_closed,
        **extra,
    }


# Welcome pack ------------------------------------------------------------------------------


def welcome_pack(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    pack = _pack(engagement)
    sections = [(label, render_markdown(text)) for label, text in pack.sections()] if pack else []
    next_status = {
        PackStatus.DRAFT: [PackStatus.SENT],
        PackStatus.SENT: [PackStatus.RECEIVED, PackStatus.REVIEWED, PackStatus.DRAFT],
        PackStatus.RECEIVED: [PackStatus.REVIEWED, PackStatus.DRAFT],
        PackStatus.REVIEWED: [PackStatus.DRAFT],
    }
    steps = next_status[PackStatus(pack.status)] if pack else []
    return render(request, "onboarding/welcome_pack.html", _context(
        request, engagement, "pack", pack=pack, sections=sections,
        status_form=PackStatusForm(), steps=[(s.value, s.label) for s in steps],
    ))


def welcome_pack_edit(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    pack = _pack(engagement) or actions.prefilled_pack(engagement)
    form = WelcomePackForm(request.POST or None, instance=pack, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_pack(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Welcome pack saved.")
            return redirect("onboarding_welcome_pack", engagement.pk)
    return render(request, "onboarding/welcome_pack_form.html", _context(
        request, engagement, "pack", form=form, is_new=pack.pk is None,
    ))


@require_POST
def welcome_pack_status(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    pack = _pack(engagement)
    if pack is None:
        raise Http404("There is no welcome pack yet.")
    pack.engagement = engagement
    form = PackStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("onboarding_welcome_pack", engagement.pk)
    try:
        actions.set_pack_status(
            pack, form.cleaned_data["status"], on=form.cleaned_data["on"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Welcome pack: {pack.get_status_display().lower()}.")
    return redirect("onboarding_welcome_pack", engagement.pk)


def welcome_pack_pdf(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    pack = _pack(engagement)
    if pack is None:
        raise Http404("There is no welcome pack yet.")
    pdf = render_pdf("onboarding/welcome_pack_pdf.html", {
        "title": "Welcome pack", "account": engagement.account, "engagement": engagement,
        "pack": pack, "sections": [(label, render_markdown(text)) for label, text in pack.sections()],
        "date": pack.sent_on or timezone.localdate(),
    })
    return pdf_response(pdf, f"Welcome pack {engagement.account}")


# Plan ---------------------------------------------------------------------------------------


def plan(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    plan = OnboardingPlan.objects.filter(engagement=engagement).select_related("signoff_document").first()
    if plan is None:
        return render(request, "onboarding/plan.html", _context(request, engagement, "plan", plan=None))
    plan.engagement = engagement
    view = plan_view(plan)
    today = timezone.localdate()
    context = _context(
        request, engagement, "plan", plan=plan, view=view, chart=view.chart(today),
        statuses=ActivityStatus.choices,
    )
    context["can_edit_plan"] = context["can_edit"] and not plan.is_signed_off
    context.update(signoff_context(plan))
    return render(request, "onboarding/plan.html", context)


def signoff_context(plan: OnboardingPlan) -> dict[str, Any]:
    """What the plan page shows about the customer's sign-off (see cairn.onboarding.signoff)."""
    from cairn.onboarding import signoff

    return signoff.page_context(plan)


def plan_edit(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    plan = OnboardingPlan.objects.filter(engagement=engagement).first()
    if plan is None:
        today = timezone.localdate()
        plan = OnboardingPlan(engagement=engagement, start_date=today)
    plan.engagement = engagement
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_plan(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Onboarding plan saved.")
            return redirect("onboarding_plan", engagement.pk)
    return render(request, "onboarding/form.html", _context(
        request, engagement, "plan", form=form,
        heading="Onboarding plan" if plan.pk else "Start the onboarding plan",
        intro="Agree scope, dates, communication, reporting and any service fees with the customer.",
        submit="Save plan",
    ))


def _item_form(
    request: AuthedRequest,
    engagement: Engagement,
    form: Any,
    save: Any,
    *,
    heading: str,
    noun: str,
    aliases: dict[str, str] | None = None,
    delete_url: str = "",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc, aliases)
        else:
            messages.success(request, f"{noun} “{form.instance}” saved.")
            return redirect("onboarding_plan", engagement.pk)
    return render(request, "onboarding/form.html", _context(
        request, engagement, "plan", form=form, heading=heading, submit=f"Save {noun.lower()}",
        delete_url=delete_url,
    ), status=400 if form.is_bound and form.errors else 200)


def phase_form(request: AuthedRequest, engagement_pk: int, phase_pk: int | None = None) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    phase = get_object_or_404(PlanPhase, pk=phase_pk, plan=plan) if phase_pk else PlanPhase(plan=plan)
    phase.plan = plan
    form = PhaseForm(request.POST or None, instance=phase)
    heading = f"Edit {phase.name}" if phase.pk else "New onboarding phase"
    return _item_form(
        request, engagement, form, actions.save_phase, heading=heading, noun="Phase",
        delete_url=reverse("onboarding_phase_delete", args=[engagement.pk, phase.pk]) if phase.pk else "",
    )


def milestone_form(
    request: AuthedRequest, engagement_pk: int, milestone_pk: int | None = None
) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    milestone = (
        get_object_or_404(Milestone, pk=milestone_pk, plan=plan) if milestone_pk else Milestone(plan=plan)
    )
    milestone.plan = plan
    form = MilestoneForm(request.POST or None, instance=milestone, plan=plan)
    heading = f"Edit {milestone.name}" if milestone.pk else "New milestone"
    return _item_form(
        request, engagement, form, actions.save_milestone, heading=heading, noun="Milestone",
        delete_url=reverse("onboarding_milestone_delete", args=[engagement.pk, milestone.pk])
        if milestone.pk else "",
    )


def activity_form(request: AuthedRequest, engagement_pk: int, activity_pk: int | None = None) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    if activity_pk:
        activity = get_object_or_404(PlanActivity, pk=activity_pk, phase__plan=plan)
    else:
        activity = PlanActivity()
    initial = {}
    phase_pk = request.GET.get("phase", "")
    if not activity.pk and phase_pk.isdigit():
        phase = plan.phases.filter(pk=phase_pk).first()
        if phase is not None:
            initial = {"phase": phase.pk, "start_date": phase.start_date, "end_date": phase.end_date}
    form = ActivityForm(request.POST or None, instance=activity, plan=plan, initial=initial)
    heading = f"Edit {activity.name}" if activity.pk else "New onboarding activity"
    return _item_form(
        request, engagement, form, actions.save_activity, heading=heading, noun="Activity",
        aliases=ActivityForm.ALIASES,
        delete_url=reverse("onboarding_activity_delete", args=[engagement.pk, activity.pk])
        if activity.pk else "",
    )


@require_POST
def activity_status(request: AuthedRequest, engagement_pk: int, activity_pk: int) -> HttpResponse:
    """Change one activity's status from the plan page (a select that submits itself)."""
    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    activity = get_object_or_404(
        PlanActivity.objects.select_related("phase"), pk=activity_pk, phase__plan=plan
    )
    activity.phase.plan = plan
    status = request.POST.get("status", "")
    if status not in ActivityStatus.values:
        messages.error(request, "Status: choose planned, in progress, blocked or done.")
        return redirect("onboarding_plan", engagement.pk)
    activity.status = status
    try:
        actions.save_activity(activity, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{activity.name}” is {activity.get_status_display().lower()}.")
    return redirect(f"{plan.get_absolute_url()}#activity-{activity.pk}")


@require_POST
def delete(request: AuthedRequest, engagement_pk: int, kind: str, item_pk: int) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    item: PlanPhase | Milestone | PlanActivity
    if kind == "phases":
        item = get_object_or_404(PlanPhase, pk=item_pk, plan=plan)
        remove: Any = actions.delete_phase
    elif kind == "milestones":
        item = get_object_or_404(Milestone, pk=item_pk, plan=plan)
        remove = actions.delete_milestone
    else:
        item = get_object_or_404(PlanActivity.objects.select_related("phase"), pk=item_pk, phase__plan=plan)
        remove = actions.delete_activity
    try:
        remove(item, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{item}” removed.")
    return redirect("onboarding_plan", engagement.pk)


def milestone_report(request: AuthedRequest, engagement_pk: int, milestone_pk: int) -> HttpResponse:
    engagement = editable(request, engagement_pk)
    plan = _plan(engagement)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, plan=plan)
    milestone.plan = plan
    form = MilestoneReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.write_milestone_report(milestone, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"“{report.title}” is in the repository.")
            return redirect(f"{plan.get_absolute_url()}#milestone-{milestone.pk}")
    return render(request, "onboarding/form.html", _context(
        request, engagement, "plan", form=form, heading=f"Report on {milestone.name}",
        intro="A customer-facing report of progress at this milestone, stored in the central "
        "repository. Written again, it becomes the report's next version.",
        submit="Write the report",
    ))


def milestone_report_pdf(request: AuthedRequest, engagement_pk: int, milestone_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    milestone = get_object_or_404(
        Milestone.objects.select_related("report__current_version__created_by"),
        pk=milestone_pk, plan__engagement=engagement,
    )
    report = milestone.report
    if report is None or report.current_version is None:
        raise Http404("No report has been written on this milestone yet.")
    version = report.current_version
    pdf = render_pdf("onboarding/document_pdf.html", {
        "title": report.title, "account": engagement.account, "kicker": "Milestone report",
        "subtitle": engagement.initiative, "date": version.created_at,
        "prepared_by": version.created_by, "version_label": f"Version {version.number}",
        "body_html": render_markdown(version.body),
    })
    return pdf_response(pdf, f"{report.title} v{version.number}")


def plan_pdf(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """The plan for the customer: terms, the Gantt chart, phases with their activities."""
    engagement = engagement_of(engagement_pk)
    plan = _plan(engagement)
    view = plan_view(plan)
    pdf = render_pdf("onboarding/plan_pdf.html", {
        "title": "Onboarding plan", "account": engagement.account, "engagement": engagement,
        "plan": plan, "view": view, "chart": view.chart(timezone.localdate()),
        "date": timezone.localdate(),
    })
    return pdf_response(pdf, f"Onboarding plan {engagement.account}")


def gantt_svg(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """The Gantt chart alone, as an SVG image (to paste into a slide or an e-mail)."""
    engagement = engagement_of(engagement_pk)
    view = plan_view(_plan(engagement))
    chart = view.chart(timezone.localdate())
    svg = render_to_string("onboarding/_gantt.svg", {"chart": chart, "standalone": True})
    return HttpResponse(svg, content_type="image/svg+xml")
