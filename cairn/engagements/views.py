"""Engagement pages: where it stands in the phases, its checklist, outcomes and moves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cairn import pages
from cairn.engagements import actions
from cairn.engagements.forms import (
    ActivityForm,
    EngagementForm,
    MoveForm,
    OutcomeForm,
    StatusForm,
)
from cairn.engagements.models import Engagement, EngagementActivity, EngagementOutput, Outcome
from cairn.engagements.queries import engagement_page, phase_progress
from cairn.engagements.tools import panels_for
from cairn.forms import choice, form_errors_text
from cairn.http import AuthedRequest
from cairn.people import access, permissions
from cairn.timeline.forms import EntryForm
from cairn.timeline.models import Entry


def _engagements() -> QuerySet[Engagement]:
    """Engagements as their pages read them, and as the writes fetch and check them."""
    return Engagement.objects.select_related(
        "account", "owner", "current_phase", "playbook_version__playbook"
    )


def _engagement(pk: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=pk)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(f"{msg}" for msgs in exc.message_dict.values() for msg in msgs)
    return " ".join(exc.messages)


def engagement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement(pk)
    can_edit = permissions.can_edit_engagement(request.user, engagement)
    feed = Paginator(
        Entry.objects.filter(engagement=engagement).select_related("author"), 20
    ).get_page(request.GET.get("page"))
    context = engagement_page(engagement)
    context.update(
        {
            "engagement": engagement,
            "can_edit": can_edit,
            "move_form": MoveForm(engagement=engagement),
            "entry_form": EntryForm(),
            "feed": feed,
            "page_obj": feed,
            "querystring_without_page": "",
            # The repository's documents, for the documents card and the outputs' links.
            **pages.context_for("engagement", request, engagement),
            "today": timezone.localdate(),
            "panels": panels_for(engagement),
        }
    )
    return render(request, "engagements/engagement.html", context)


def engagement_create(request: AuthedRequest, account_pk: int) -> HttpResponse:
    # Refused before the form, not after it validates: the page itself is not for a CSM
    # who does not look after the account (a leader starts any engagement).
    account = access.editable_account(
        request.user, account_pk,
        message="You can start engagements only on accounts you look after, and only ones you "
        "lead or work on.",
    )
    form = EngagementForm(
        request.POST or None,
        initial={"owner": request.user.pk, "start_date": timezone.localdate()},
    )
    if request.method != "POST":
        form.initial["playbook_version"] = actions.playbooks.default_version().pk
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = list(data["team"])
        if not permissions.can_start_engagement(request.user, account, data["owner"], team):
            form.add_error(
                "owner",
                "You can start engagements only on accounts you look after, and only ones you "
                "lead or work on.",
            )
        else:
            try:
                engagement = actions.start_engagement(
                    account,
                    actions.EngagementData(
                        initiative=data["initiative"], owner=data["owner"],
                        start_date=data["start_date"], challenge=data["challenge"],
                        required_outcomes=data["required_outcomes"], solution=data["solution"],
                    ),
                    by=request.user,
                    version=data["playbook_version"],
                    team=team,
                    products=list(data["products"]),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, f"Engagement started in {engagement.current_phase.name}."
                )
                return redirect(engagement)
    return render(
        request, "engagements/engagement_form.html", {"form": form, "account": account}
    )


def engagement_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, _engagements())
    form = EngagementForm(request.POST or None, instance=engagement, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team, products = list(data.pop("team")), list(data.pop("products"))
        try:
            actions.update_engagement(
                engagement, data, by=request.user, team=team, products=products
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Engagement saved.")
            return redirect(engagement)
    return render(
        request,
        "engagements/engagement_form.html",
        {"form": form, "account": engagement.account, "engagement": engagement},
    )


def _checklist_item(engagement: Engagement, item_pk: int) -> EngagementActivity:
    return get_object_or_404(
        EngagementActivity.objects.select_related("activity__phase", "assignee"),
        pk=item_pk, engagement=engagement,
    )


def activity_row(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    """One checklist row as it is shown on the engagement page (htmx: cancel an edit)."""
    engagement = _engagement(pk)
    item = _checklist_item(engagement, item_pk)
    can_edit = permissions.can_edit_engagement(request.user, engagement)
    return render(
        request,
        "engagements/_activity.html",
        {"item": item, "engagement": engagement, "can_edit": can_edit,
         "today": timezone.localdate()},
    )


def activity_update(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    """Tick, skip (with a reason) or reopen an activity; set its assignee, due date, note.

    GET gives the edit form: a fragment for htmx, a page without JavaScript.
    """
    engagement = access.editable_engagement(request.user, pk, _engagements())
    item = _checklist_item(engagement, item_pk)
    context: dict[str, object] = {
        "item": item, "engagement": engagement, "can_edit": True, "error": "",
        "workers": choice(ActivityForm(), "assignee").queryset, "today": timezone.localdate(),
    }
    context["values"] = {
        "status": item.status, "skip_reason": item.skip_reason, "note": item.note,
        "assignee": str(item.assignee_id or ""),
        "due_date": item.due_date.isoformat() if item.due_date else "",
    }
    if request.method != "POST":
        template = "engagements/_activity_edit.html" if request.htmx else "engagements/activity_form.html"
        return render(request, template, context)
    form = ActivityForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_activity(
                item, by=request.user, status=data["status"], skip_reason=data["skip_reason"],
                assignee=data["assignee"], due_date=data["due_date"], note=data["note"],
            )
        except ValidationError as exc:
            error = _error_text(exc)
    else:
        error = form_errors_text(form)
    item.refresh_from_db()
    context["error"] = error
    if error:
        # The form comes back with what the user typed, not with what is stored.
        context["values"] = {k: request.POST.get(k, "") for k in context["values"]}  # type: ignore[attr-defined]
    if request.htmx:
        if error:
            return render(request, "engagements/_activity_edit.html", context)
        # The row comes back with its phase's step, swapped out of band, so the counts agree.
        context.update({"p": phase_progress(engagement, item.activity.phase), "oob": True})
        return render(request, "engagements/_activity_response.html", context)
    if error:
        return render(request, "engagements/activity_form.html", context, status=400)
    messages.success(request, f"“{item.activity.name}” updated.")
    return redirect(f"{engagement.get_absolute_url()}#activity-{item.pk}")


@require_POST
def output_update(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, _engagements())
    item = get_object_or_404(EngagementOutput, pk=item_pk, engagement=engagement)
    raw = request.POST.get("document", "").strip()
    document_id = int(raw) if raw.isdigit() else None
    if raw and (document_id is None or not engagement.documents.filter(pk=document_id).exists()):
        messages.error(request, "Document: choose a document of this engagement.")
        return redirect(engagement)
    try:
        actions.set_output(
            item, by=request.user, delivered=request.POST.get("delivered") == "on",
            document_id=document_id, note=request.POST.get("note", "").strip(),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(engagement)
    messages.success(request, "Output updated.")
    return redirect(f"{engagement.get_absolute_url()}#outputs")


def move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change phase. A blocked gate shows what is missing and offers the override."""
    engagement = access.editable_engagement(request.user, pk, _engagements())
    form = MoveForm(request.POST or request.GET or None, engagement=engagement)
    missing: list[EngagementOutput] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.move_to_phase(
                engagement, data["to_phase"], by=request.user, reason=data["reason"],
                override=data["override"],
            )
        except actions.GateBlocked as exc:
            # The page lists what is missing and offers the override; no second message.
            missing = exc.missing
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, f"Moved to {data['to_phase'].name}.")
            return redirect(engagement)
    elif form.is_bound and form.is_valid():
        missing = actions.missing_outputs(engagement, form.cleaned_data["to_phase"])
    return render(
        request,
        "engagements/move.html",
        {"form": form, "engagement": engagement, "missing": missing},
    )


def outcome_form(request: AuthedRequest, pk: int, outcome_pk: int | None = None) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, _engagements())
    outcome = get_object_or_404(Outcome, pk=outcome_pk, engagement=engagement) if outcome_pk else None
    form = OutcomeForm(request.POST or None, instance=outcome)
    form.instance.engagement = engagement
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_outcome(form.instance, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Outcome “{form.instance.name}” saved.")
            return redirect(f"{engagement.get_absolute_url()}#outcomes")
    return render(
        request,
        "engagements/outcome_form.html",
        {"form": form, "engagement": engagement, "outcome": outcome},
    )


@require_POST
def outcome_delete(request: AuthedRequest, pk: int, outcome_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, _engagements())
    outcome = get_object_or_404(Outcome, pk=outcome_pk, engagement=engagement)
    try:
        actions.delete_outcome(outcome, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Outcome removed.")
    return redirect(f"{engagement.get_absolute_url()}#outcomes")


@require_POST
def status_update(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, _engagements())
    form = StatusForm(request.POST)
    if form.is_valid():
        actions.set_status(
            engagement, form.cleaned_data["status"], by=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"Engagement is now {engagement.get_status_display().lower()}.")
    else:
        messages.error(request, "Status: choose active, paused or closed.")
    return redirect(engagement)


@require_POST
def evaluation_open(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, _engagements())
    try:
        actions.open_evaluation(engagement, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            f"Evaluation opened; {engagement.current_phase.name} carries on beside it.",
        )
    return redirect(f"{engagement.get_absolute_url()}#evaluation")


@require_http_methods(["GET", "POST"])
def evaluation_close(request: AuthedRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    """Close a round; its answers are recorded on the round's page (cairn.evaluation)."""
    engagement = access.editable_engagement(request.user, pk, _engagements())
    evaluation = get_object_or_404(engagement.evaluations, pk=evaluation_pk)
    if request.method == "POST":
        try:
            actions.close_evaluation(evaluation, by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Evaluation closed and recorded.")
            return redirect(f"{engagement.get_absolute_url()}#evaluation")
    return redirect("evaluation_round", evaluation.pk)
