"""Adoption implementation pages: work packages, readiness, measurements, challenges,
governance reports, and the lessons engagement evaluation reads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.adoption import actions, queries, writing
from cairn.adoption.forms import (
    CarryForm,
    ChallengeForm,
    GovernanceForm,
    KpiForm,
    MilestoneForm,
    ReadinessItemForm,
    ReadingForm,
    ResolveForm,
    WorkPackageForm,
    WorkshopForm,
)
from cairn.adoption.models import (
    Challenge,
    GovernanceMeeting,
    Kpi,
    KpiMilestone,
    KpiReading,
    ReadinessItem,
    ReadinessStatus,
    ReadinessWorkshop,
    WorkPackage,
    WorkStatus,
)
from cairn.adoption.views import (
    _tool_form,
    add_errors,
    context,
    delete_view,
    editable_engagement_of,
    engagement_of,
    form_page,
    page_of,
    save_model_form,
)
from cairn.documents.rendering import render_markdown
from cairn.engagements.models import Engagement
from cairn.http import AuthedRequest
from cairn.pdf import pdf_response, render_pdf

# --- Work packages -------------------------------------------------------------------------


def work_packages(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    status = request.GET.get("status", "")
    packages = engagement.work_packages.select_related("plan_document")
    if status in WorkStatus.values:
        packages = packages.filter(status=status)
    return render(
        request, "adoption/work_packages.html",
        context(request, engagement, "work_packages", page_obj=page_of(request, packages),
                statuses=WorkStatus.choices, status=status, today=timezone.localdate(),
                querystring_without_page=f"status={status}&" if status else ""),
    )


def _plan_sections(engagement: Engagement) -> list[str]:
    plan = queries.plan_of(engagement)
    document = plan.work_source() if plan else None
    if document is None or document.current_version is None:
        return []
    return writing.section_headings(document.current_version.body)


def work_package_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    package = (
        get_object_or_404(WorkPackage, pk=pk, engagement=engagement) if pk
        else WorkPackage(engagement=engagement)
    )
    sections = _plan_sections(engagement)
    initial = {"from_section": request.GET.get("section", "")} if not pk else {}
    form = WorkPackageForm(request.POST or None, instance=package, sections=sections, initial=initial)

    def save(form: forms.BaseForm) -> object:
        section = form.cleaned_data["from_section"]
        unchanged = pk and section == package.plan_section
        return actions.save_work_package(
            package, by=request.user, from_section=None if unchanged else section
        )

    return form_page(
        request, engagement, form, tool="work_packages",
        title=f"Edit {package}" if pk else "Add work package", save=save, done="Work package saved.",
        back=reverse("adoption_work_packages", args=[engagement.pk]),
        delete_url=reverse("adoption_work_package_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Break the adoption plan into pieces someone owns and delivers by a date.",
    )


@require_POST
def work_package_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, WorkPackage, pk, "adoption_work_packages")


# --- Readiness -----------------------------------------------------------------------------


def readiness(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    workshops = list(engagement.readiness_workshops.all())
    items = page_of(
        request,
        ReadinessItem.objects.filter(workshop__engagement=engagement)
        .select_related("workshop", "challenge").order_by("-workshop__held_on", "pk"),
        per_page=50,
    )
    counts = {s: 0 for s in ReadinessStatus.values}
    statuses = ReadinessItem.objects.filter(workshop__engagement=engagement).values_list("status", flat=True)
    for status in statuses:
        counts[status] += 1
    return render(
        request, "adoption/readiness.html",
        context(request, engagement, "readiness", workshops=workshops, page_obj=items, counts=counts,
                querystring_without_page=""),
    )


def workshop_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, ReadinessWorkshop, WorkshopForm, pk, tool="readiness",
        noun="readiness workshop", back_name="adoption_readiness", delete_name="adoption_workshop_delete",
        intro="The workshop where the customer and you build the adoption readiness checklist.",
    )


@require_POST
def workshop_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, ReadinessWorkshop, pk, "adoption_readiness")


def item_form(request: AuthedRequest, engagement_pk: int, workshop_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    workshop = get_object_or_404(ReadinessWorkshop, pk=workshop_pk, engagement=engagement)
    form = ReadinessItemForm(request.POST or None, instance=ReadinessItem(workshop=workshop))
    return form_page(
        request, engagement, form, tool="readiness", title=f"Add checklist item ({workshop})",
        save=save_model_form(engagement, request), done="Checklist item added.",
        back=reverse("adoption_readiness", args=[engagement.pk]), submit="Add item",
    )


def item_edit(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """Reword a checklist item or change its owner, whatever became of it since the workshop."""
    engagement = editable_engagement_of(request, engagement_pk)
    item = _item(engagement, pk)
    form = ReadinessItemForm(request.POST or None, instance=item)
    carried = " The challenge it was carried into keeps its own text." if item.challenge_id else ""
    return form_page(
        request, engagement, form, tool="readiness", title=f"Edit checklist item ({item.workshop})",
        save=save_model_form(engagement, request), done="Checklist item saved.",
        back=reverse("adoption_readiness", args=[engagement.pk]),
        delete_url=reverse("adoption_item_delete", args=[engagement.pk, item.pk]),
        intro=f"Status: {item.get_status_display().lower()}.{carried}",
    )


def _item(engagement: Engagement, pk: int) -> ReadinessItem:
    return get_object_or_404(
        ReadinessItem.objects.select_related("workshop"), pk=pk, workshop__engagement=engagement
    )


def item_resolve(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    item = _item(engagement, pk)
    form = ResolveForm(request.POST or None, initial={"resolution": item.resolution})
    return form_page(
        request, engagement, form, tool="readiness", title=f"Resolve: {item}",
        save=lambda f: actions.resolve_item(item, f.cleaned_data["resolution"], by=request.user),
        done="Item resolved.", back=reverse("adoption_readiness", args=[engagement.pk]),
        submit="Mark resolved",
    )


def item_carry(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    item = _item(engagement, pk)
    form = CarryForm(request.POST or None)
    return form_page(
        request, engagement, form, tool="readiness", title=f"Carry as an issue: {item}",
        save=lambda f: actions.carry_as_issue(item, impact=f.cleaned_data["impact"], by=request.user),
        done="Item carried into the challenge log.", back=reverse("adoption_readiness", args=[engagement.pk]),
        submit="Carry into the challenge log",
        intro="An item the go-live cannot wait for goes into the challenge log, where it is "
              "followed up like any challenge and may become a lesson.",
    )


@require_POST
def item_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(
        request, engagement_pk, ReadinessItem, pk, "adoption_readiness", lookup="workshop__engagement"
    )


# --- Measurements --------------------------------------------------------------------------


def measurements(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    page = page_of(request, queries.kpis_with_data(engagement), per_page=10)
    cards = [queries.kpi_card(kpi) for kpi in page.object_list]
    return render(
        request, "adoption/measurements.html",
        context(request, engagement, "measurements", page_obj=page, cards=cards, querystring_without_page=""),
    )


def _kpi(engagement: Engagement, pk: int) -> Kpi:
    return get_object_or_404(queries.kpis_with_data(engagement), pk=pk)


def kpi_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    kpi = _kpi(engagement, pk)
    readings = list(kpi.readings.all())
    page = page_of(request, readings[::-1], per_page=20)
    return render(
        request, "adoption/kpi.html",
        context(request, engagement, "measurements", card=queries.kpi_card(kpi), kpi=kpi, page_obj=page,
                milestones=list(kpi.milestones.all()), querystring_without_page="",
                reading_form=ReadingForm(initial={"date": timezone.localdate()}),
                milestone_form=MilestoneForm()),
    )


def kpi_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, Kpi, KpiForm, pk, tool="measurements", noun="KPI",
        back_name="adoption_measurements", delete_name="adoption_kpi_delete", takes_engagement=True,
        intro="Take the baseline before anything starts, agree the target, and add milestones for "
              "anything long or complex.",
    )


@require_POST
def kpi_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, Kpi, pk, "adoption_measurements")


def _kpi_child(request: AuthedRequest, engagement_pk: int, pk: int, form_class: type[forms.ModelForm],
               noun: str) -> HttpResponse:
    """Record a reading or add a milestone from the KPI page; errors come back on a form page."""
    engagement = editable_engagement_of(request, engagement_pk)
    kpi = get_object_or_404(Kpi, pk=pk, engagement=engagement)
    instance = form_class._meta.model(kpi=kpi)
    if isinstance(instance, KpiReading):
        instance.recorded_by = request.user
    form = form_class(request.POST or None, instance=instance)
    return form_page(
        request, engagement, form, tool="measurements", title=f"{noun.capitalize()} for {kpi}",
        save=save_model_form(engagement, request), done=f"{noun.capitalize()} saved.",
        back=reverse("adoption_kpi", args=[engagement.pk, kpi.pk]), submit=f"Save {noun}",
    )


def reading_form(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return _kpi_child(request, engagement_pk, pk, ReadingForm, "reading")


def milestone_form(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return _kpi_child(request, engagement_pk, pk, MilestoneForm, "milestone")


@require_POST
def reading_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    reading = get_object_or_404(KpiReading, pk=pk, kpi__engagement=engagement)
    delete_view(request, engagement_pk, KpiReading, pk, "adoption_measurements", lookup="kpi__engagement")
    return redirect(reverse("adoption_kpi", args=[engagement.pk, reading.kpi_id]))


@require_POST
def milestone_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    milestone = get_object_or_404(KpiMilestone, pk=pk, kpi__engagement=engagement)
    delete_view(request, engagement_pk, KpiMilestone, pk, "adoption_measurements", lookup="kpi__engagement")
    return redirect(reverse("adoption_kpi", args=[engagement.pk, milestone.kpi_id]))


# --- Challenges and lessons ----------------------------------------------------------------


def challenges(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    state = request.GET.get("state", "")
    log = engagement.challenges.select_related("readiness_item")
    if state == "open":
        log = log.filter(resolved_on__isnull=True)
    elif state == "resolved":
        log = log.filter(resolved_on__isnull=False)
    elif state == "lessons":
        log = log.filter(is_lesson=True)
    return render(
        request, "adoption/challenges.html",
        context(request, engagement, "challenges", page_obj=page_of(request, log), state=state,
                querystring_without_page=f"state={state}&" if state else ""),
    )


def challenge_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    instance = (get_object_or_404(Challenge, pk=pk, engagement=engagement) if pk
                else Challenge(engagement=engagement, raised_on=timezone.localdate()))
    form = ChallengeForm(request.POST or None, instance=instance)
    return form_page(
        request, engagement, form, tool="challenges", title=f"Edit {instance}" if pk else "Log a challenge",
        save=save_model_form(engagement, request), done="Challenge saved.",
        back=reverse("adoption_challenges", args=[engagement.pk]),
        delete_url=reverse("adoption_challenge_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Flag it as a lesson to bring it into engagement evaluation.",
    )


@require_POST
def challenge_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, Challenge, pk, "adoption_challenges")


def lessons(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    flagged = engagement.challenges.filter(is_lesson=True).order_by("-raised_on", "-pk")
    return render(request, "adoption/lessons.html",
                  context(request, engagement, "lessons", page_obj=page_of(request, flagged),
                          querystring_without_page=""))


# --- Governance ----------------------------------------------------------------------------


def _report(meeting: GovernanceMeeting) -> dict[str, object]:
    """The meeting's report with each KPI's chart after its measurements section."""
    report = meeting.report
    body = report.current_version.body if report and report.current_version else ""
    before, after = writing.split_after(body, "Measurements")
    return {"before_html": render_markdown(before), "after_html": render_markdown(after),
            "charts": queries.snapshot_charts(meeting.kpi_snapshot)}


def governance(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    meetings = engagement.governance_meetings.select_related("report__current_version", "created_by")
    page = page_of(request, meetings, per_page=10)
    latest = page.object_list[0] if page.number == 1 and page.object_list else None
    return render(
        request, "adoption/governance.html",
        context(request, engagement, "governance", page_obj=page, querystring_without_page="",
                latest=latest, **(_report(latest) if latest else {})),
    )


def governance_new(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    form = GovernanceForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.hold_governance_meeting(
                engagement, held_on=data["held_on"], attendees=data["attendees"],
                decisions=data["decisions"], by=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Governance report written and stored in the repository.")
            return redirect(reverse("adoption_governance", args=[engagement.pk]))
    return render(
        request, "adoption/form.html",
        context(request, engagement, "governance", form=form, title="Write a governance report",
                back=reverse("adoption_governance", args=[engagement.pk]), submit="Write the report",
                intro="Cairn writes the report from the KPIs and their status, the work packages, "
                      "the open risks and the challenges as they stand now, and stores it in the "
                      "repository."),
    )


def governance_pdf(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    meeting = get_object_or_404(
        GovernanceMeeting.objects.select_related("report__current_version"), pk=pk, engagement=engagement
    )
    pdf = render_pdf(
        "adoption/governance_pdf.html",
        {"title": f"Governance report {meeting.held_on:%d %b %Y}", "account": engagement.account.name,
         "engagement": engagement, "meeting": meeting, "date": meeting.held_on, **_report(meeting)},
        request,
    )
    return pdf_response(pdf, f"Governance report {engagement.account.name} {meeting.held_on:%Y-%m-%d}")
