"""Views; thin: parse, check permission, call an action, render.

Everyone reads playbooks. Only leaders (and admins) tailor them, and only on a draft: the
actions refuse to touch a published version whatever a request says. Row edits answer htmx
with the re-drawn phases fragment, and a plain POST with a redirect, so the editor works
without JavaScript too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.people import access, permissions
from cairn.people.models import User
from cairn.playbooks import actions
from cairn.playbooks.forms import (
    ActivityForm,
    AddPhaseForm,
    CopyPlaybookForm,
    MoveForm,
    OutputForm,
    PhaseForm,
    PublishForm,
    first_error,
)
from cairn.playbooks.models import (
    Activity,
    Output,
    Phase,
    Playbook,
    PlaybookVersion,
    Stage,
    VersionStatus,
)


def _versions() -> Any:
    return PlaybookVersion.objects.select_related("published_by").annotate(
        engagement_count=Count("engagements")
    ).order_by("-number")


@dataclass
class PlaybookRow:
    playbook: Playbook
    versions: list[PlaybookVersion]
    latest: PlaybookVersion | None = None
    draft: PlaybookVersion | None = None
    engagements: int = field(default=0)


def _row(playbook: Playbook, versions: list[PlaybookVersion]) -> PlaybookRow:
    row = PlaybookRow(playbook, versions)
    for version in versions:  # newest first
        row.engagements += version.engagement_count  # type: ignore[attr-defined]
        if version.is_draft:
            row.draft = version
        elif row.latest is None:
            row.latest = version
    return row


def playbook_list(request: HttpRequest) -> HttpResponse:
    playbooks = Playbook.objects.select_related("copied_from__playbook").prefetch_related(
        Prefetch("versions", queryset=_versions())
    )
    rows = [_row(p, list(p.versions.all())) for p in playbooks]
    return render(request, "playbooks/list.html", {"rows": rows})


def _selected(request: HttpRequest, row: PlaybookRow) -> PlaybookVersion:
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        for version in row.versions:
            if version.number == int(wanted):
                return version
        raise Http404("This playbook has no such version.")
    selected = row.latest or row.draft
    if selected is None:
        raise Http404("This playbook has no versions.")
    return selected


def _phases(version: PlaybookVersion) -> list[Phase]:
    phases = list(version.phases.order_by("position").prefetch_related("activities", "outputs"))
    # The page groups phases by stage, so the template's loop cannot tell first from last.
    for index, phase in enumerate(phases):
        phase.is_first = index == 0  # type: ignore[attr-defined]
        phase.is_last = index == len(phases) - 1  # type: ignore[attr-defined]
    return phases


def _fragment_context(
    request: HttpRequest, version: PlaybookVersion, error: dict[str, Any] | None, notice: str
) -> dict[str, Any]:
    return {
        "version": version,
        "phases": _phases(version),
        "editing": version.is_draft and permissions.can_edit_playbooks(request.user),
        "stages": Stage.choices,
        "error": error,
        "notice": notice,
    }


def _render_page(
    request: HttpRequest,
    playbook: Playbook,
    *,
    version: PlaybookVersion | None = None,
    error: dict[str, Any] | None = None,
    forms_: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    row = _row(playbook, list(_versions().filter(playbook=playbook)))
    if version is None:
        selected = _selected(request, row)
    else:  # re-drawing after a failed edit: the row that carries the engagement counts
        selected = next(v for v in row.versions if v.pk == version.pk)
    context = _fragment_context(request, selected, error, "")
    context.update(
        playbook=playbook,
        row=row,
        can_edit=permissions.can_edit_playbooks(request.user),
        copy_form=CopyPlaybookForm(),
        publish_form=PublishForm(),
    )
    context.update(forms_ or {})
    return render(request, "playbooks/detail.html", context, status=status)


def playbook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = get_object_or_404(Playbook.objects.select_related("copied_from__playbook"), pk=pk)
    return _render_page(request, playbook)


def _version_url(version: PlaybookVersion, anchor: str = "") -> str:
    url = reverse("playbook", args=[version.playbook_id])
    url += "?" + urlencode({"version": version.number})
    return url + (f"#{anchor}" if anchor else "")


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _user(request: HttpRequest) -> User:
    # Login is required everywhere (middleware), so the user is never anonymous here.
    return cast(User, request.user)


# Playbooks are a leader's to change (permissions.can_edit_playbooks), before anything else.
EDITOR_REFUSAL = "Only CS leaders can change playbooks."


def _edit(
    request: HttpRequest,
    version: PlaybookVersion,
    form: forms.Form,
    change: Callable[[dict[str, Any]], object],
    *,
    target: tuple[str, int],
    done: str,
    anchor: str = "phases",
) -> HttpResponse:
    """Run one editor change and answer: the fragment for htmx, a redirect (or the page with
    the error in place, status 400) for a plain POST."""
    message = ""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except ValidationError as exc:
            message = _message(exc)
    else:
        message = first_error(form)
    error = {"kind": target[0], "pk": target[1], "message": message} if message else None
    version.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps 2xx answers only, so an error comes back as 200 with the message inside.
        context = _fragment_context(request, version, error, "" if error else done)
        return render(request, "playbooks/_phases.html", context)
    if error:
        messages.error(request, f"Nothing was changed. {message}")
        return _render_page(
            request, version.playbook, version=version, error=error, status=400
        )
    messages.success(request, done)
    return redirect(_version_url(version, anchor))


def _get_phase(pk: int) -> Phase:
    return get_object_or_404(Phase.objects.select_related("version__playbook"), pk=pk)


def _get_activity(pk: int) -> Activity:
    return get_object_or_404(Activity.objects.select_related("phase__version__playbook"), pk=pk)


def _get_output(pk: int) -> Output:
    return get_object_or_404(Output.objects.select_related("phase__version__playbook"), pk=pk)


# --- Whole-playbook actions: plain POSTs that redirect -----------------------------------


@require_POST
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    playbook = get_object_or_404(Playbook, pk=pk)
    form = CopyPlaybookForm(request.POST)
    source = _source_version(request, playbook)
    if form.is_valid():
        try:
            new = actions.copy_playbook(source, form.cleaned_data["name"], _user(request))
        except ValidationError as exc:
            form.add_error(None, exc)  # a {"name": ...} error lands on the name field
        else:
            messages.success(
                request, f"{new} is a copy of {source}. Tailor its draft, then publish it."
            )
            return redirect(new)
    return _render_page(
        request, playbook, version=source, forms_={"copy_form": form}, status=400
    )


def _source_version(request: HttpRequest, playbook: Playbook) -> PlaybookVersion:
    number = request.POST.get("version", "")
    versions = playbook.versions.all()
    version = versions.filter(number=int(number)).first() if number.isdigit() else None
    version = version or actions.latest_published(playbook) or versions.first()
    if version is None:
        raise Http404("This playbook has no versions to copy.")
    return version


@require_POST
def start_draft(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    playbook = get_object_or_404(Playbook, pk=pk)
    had_draft = playbook.versions.filter(status=VersionStatus.DRAFT).exists()
    draft = actions.start_draft(playbook)
    if had_draft:
        messages.info(request, f"{playbook} already has a draft: version {draft.number}.")
    else:
        messages.success(request, f"Draft version {draft.number} started. Tailor it, then publish.")
    return redirect(_version_url(draft))


@require_POST
def make_default(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    playbook = get_object_or_404(Playbook, pk=pk)
    try:
        actions.set_default_playbook(playbook, by=_user(request))
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"New engagements now follow {playbook}.")
    return redirect(playbook)


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    version = get_object_or_404(PlaybookVersion.objects.select_related("playbook"), pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            actions.publish(version, _user(request), form.cleaned_data["notes"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Version {version.number} published. New engagements follow it from now."
            )
            return redirect(_version_url(version))
    messages.error(request, f"Version {version.number} was not published. {first_error(form)}")
    return _render_page(
        request, version.playbook, version=version, forms_={"publish_form": form}, status=400
    )


@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    version = get_object_or_404(PlaybookVersion.objects.select_related("playbook"), pk=pk)
    playbook = version.playbook
    try:
        actions.discard_draft(version, by=_user(request))
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect(_version_url(version))
    messages.success(request, f"Draft version {version.number} of {playbook} discarded.")
    if Playbook.objects.filter(pk=playbook.pk).exists():
        return redirect(playbook)
    return redirect("playbooks")


# --- Row edits on a draft: htmx fragment or redirect ---------------------------------------


@require_POST
def phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    version = get_object_or_404(PlaybookVersion.objects.select_related("playbook"), pk=pk)
    return _edit(
        request, version, AddPhaseForm(request.POST),
        lambda d: actions.add_phase(version, d["name"], stage=d["stage"], by=_user(request)),
        target=("add-phase", version.pk), done="Phase added.",
    )


@require_POST
def phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    phase = _get_phase(pk)
    return _edit(
        request, phase.version, PhaseForm(request.POST),
        lambda d: actions.update_phase(phase, by=_user(request), **d),
        target=("phase", phase.pk), done=f"Phase {phase.position} saved.",
        anchor=f"phase-{phase.pk}",
    )


@require_POST
def phase_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    phase = _get_phase(pk)
    return _edit(
        request, phase.version, forms.Form(request.POST),
        lambda d: actions.remove_phase(phase, by=_user(request)),
        target=("phase", phase.pk), done=f"Phase “{phase.name}” removed.",
    )


@require_POST
def phase_move(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    phase = _get_phase(pk)
    return _edit(
        request, phase.version, MoveForm(request.POST),
        lambda d: actions.move_phase_position(phase, d["direction"], by=_user(request)),
        target=("phase", phase.pk), done=f"Phase “{phase.name}” moved.",
        anchor=f"phase-{phase.pk}",
    )


@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    phase = _get_phase(pk)
    return _edit(
        request, phase.version, ActivityForm(request.POST),
        lambda d: actions.add_activity(phase, d["name"], by=_user(request)),
        target=("add-activity", phase.pk), done="Activity added.", anchor=f"phase-{phase.pk}",
    )


@require_POST
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    activity = _get_activity(pk)
    return _edit(
        request, activity.phase.version, ActivityForm(request.POST),
        lambda d: actions.rename_activity(activity, d["name"], by=_user(request)),
        target=("activity", activity.pk), done="Activity renamed.",
        anchor=f"phase-{activity.phase_id}",
    )


@require_POST
def activity_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    activity = _get_activity(pk)
    return _edit(
        request, activity.phase.version, forms.Form(request.POST),
        lambda d: actions.remove_activity(activity, by=_user(request)),
        target=("activity", activity.pk), done=f"Activity “{activity.name}” removed.",
        anchor=f"phase-{activity.phase_id}",
    )


@require_POST
def activity_move(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    activity = _get_activity(pk)
    return _edit(
        request, activity.phase.version, MoveForm(request.POST),
        lambda d: actions.move_activity_position(activity, d["direction"], by=_user(request)),
        target=("activity", activity.pk), done="Activity moved.",
        anchor=f"phase-{activity.phase_id}",
    )


@require_POST
def output_add(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    phase = _get_phase(pk)
    return _edit(
        request, phase.version, OutputForm(request.POST),
        lambda d: actions.add_output(phase, d["name"], required=d["required"], by=_user(request)),
        target=("add-output", phase.pk), done="Output added.", anchor=f"phase-{phase.pk}",
    )


@require_POST
def output_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    output = _get_output(pk)
    return _edit(
        request, output.phase.version, OutputForm(request.POST),
        lambda d: actions.update_output(output, by=_user(request), **d),
        target=("output", output.pk), done="Output saved.", anchor=f"phase-{output.phase_id}",
    )


@require_POST
def output_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    output = _get_output(pk)
    return _edit(
        request, output.phase.version, forms.Form(request.POST),
        lambda d: actions.remove_output(output, by=_user(request)),
        target=("output", output.pk), done=f"Output “{output.name}” removed.",
        anchor=f"phase-{output.phase_id}",
    )


@require_POST
def output_move(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, EDITOR_REFUSAL)
    output = _get_output(pk)
    return _edit(
        request, output.phase.version, MoveForm(request.POST),
        lambda d: actions.move_output_position(output, d["direction"], by=_user(request)),
        target=("output", output.pk), done="Output moved.", anchor=f"phase-{output.phase_id}",
    )
