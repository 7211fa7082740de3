"""Automation pages: the rules with how often they fire, one rule in words with its log and
history, the builder, the preview over the last 30 days, switching on and off; the book-wide
log; plays; flags set and cleared by hand. Everyone reads; leaders and admins keep rules and
plays; who may change an account flags it. Thin: the actions own the writes, the queries the
reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from cairn.automation import actions, forms, queries
from cairn.automation.actions import CATCH_UP_DAYS
from cairn.automation.models import AccountFlag, Play, Rule
from cairn.automation.preview import preview
from cairn.forms import form_errors_text
from cairn.http import AuthedRequest, query_without_page
from cairn.people import access, permissions

PER_PAGE = 25
RULE_REFUSAL = "Only CS leaders and admins build, switch and delete rules."
PLAY_REFUSAL = "Only CS leaders and admins keep the plays."


def _keeps_rules(request: AuthedRequest) -> bool:
    return permissions.is_leader(request.user) and permissions.can_write(request.user)


def _links(request: AuthedRequest) -> queries.Links:
    return queries.Links(tasks=_keeps_rules(request), deliveries=permissions.can_manage_users(request.user))


def _said(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _rule(pk: int) -> Rule:
    return get_object_or_404(Rule.objects.select_related("owner"), pk=pk)


def _changeable_rule(request: AuthedRequest, pk: int) -> Rule:
    access.leader(request.user, RULE_REFUSAL)
    return _rule(pk)


# --- Rules --------------------------------------------------------------------------------


@require_GET
def rules(request: AuthedRequest) -> HttpResponse:
    """Every rule: what sets it off, its owner, on or off, its version, how often it fired
    in the last 30 days and when last."""
    return render(request, "automation/rules.html", {
        "rules": queries.with_words(queries.rules()), "recent_days": queries.RECENT_DAYS,
        "can_change": _keeps_rules(request),
    })


@require_GET
def rule(request: AuthedRequest, pk: int) -> HttpResponse:
    """One rule in words, its settings, the switch, its firing log and its history."""
    item = queries.with_words([_rule(pk)])[0]
    page = Paginator(queries.firings(item), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "automation/rule.html", {
        "rule": item, "page_obj": page, "firings": queries.dress(page.object_list, _links(request)),
        "history": queries.rule_history(item.pk), "can_change": _keeps_rules(request),
        "switch_form": forms.SwitchForm(), "catch_up_days": CATCH_UP_DAYS,
        "querystring_without_page": query_without_page(request),
    })


def _builder(request: AuthedRequest, item: Rule) -> HttpResponse:
    """The builder for a new rule or a rule's next version. A GET with `part` answers one
    part shown again for a new choice (htmx); a POST with `add` or `refresh` shows the form
    again with another row or the new choice's settings, saving nothing."""
    choices = forms.Choices()
    url = request.path
    part = request.GET.get("part")
    if request.method == "GET" and part:
        form = forms.part_form(part, request.GET, choices, url)
        if form is None:
            raise Http404("The rule builder has no such part.")
        template = "automation/_trigger.html" if part == "trigger" else (
            "automation/_condition.html" if part.startswith("conditions") else "automation/_action.html"
        )
        return render(request, template, {"form": form})
    if request.method != "POST":
        builder = forms.Builder.build(None, rule=item, choices=choices, url=url)
        return _builder_page(request, item, builder)
    builder = forms.Builder.build(request.POST, rule=item, choices=choices, url=url)
    more = request.POST.get("add", "")
    if more or request.POST.get("refresh"):
        again = forms.Builder.build(
            None, rule=item, choices=choices, url=url, typed=builder.typed(),
            more=more if more in ("conditions", "actions") else "",
        )
        return _builder_page(request, item, again)
    if builder.is_valid():
        try:
            definition = actions.parse(builder.definition())
            saved = actions.save_rule(builder.rule.instance, definition, by=request.user)
        except ValidationError as exc:
            builder.add_errors(exc)
        else:
            messages.success(request, f"Rule “{saved.name}” saved (version {saved.version}).")
            return redirect(saved)
    messages.error(request, "The rule was not saved: see the fields marked below.")
    return _builder_page(request, item, builder, status=400)


def _builder_page(
    request: AuthedRequest, item: Rule, builder: forms.Builder, status: int = 200
) -> HttpResponse:
    return render(request, "automation/rule_form.html", {
        "rule": item if item.pk else None, "builder": builder,
    }, status=status)


def rule_new(request: AuthedRequest) -> HttpResponse:
    user = access.leader(request.user, RULE_REFUSAL)
    return _builder(request, Rule(owner=user))


def rule_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _builder(request, _changeable_rule(request, pk))


@require_GET
def rule_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The accounts the rule would have fired on in the last 30 days and why, before it is
    switched on: the same judgement its evaluation makes."""
    item = queries.with_words([_rule(pk)])[0]
    if item.words is None:  # type: ignore[attr-defined]
        messages.error(request, "Cairn can no longer read this rule's definition: edit it first.")
        return redirect(item)
    shown = preview(item)
    rows = [{"row": row, "values": queries.matched_items(row.matched)} for row in shown.rows]
    return render(request, "automation/preview.html", {
        "rule": item, "preview": shown, "rows": rows, "can_change": _keeps_rules(request),
        "switch_form": forms.SwitchForm(initial={"start": forms.CATCH_UP}),
    })


@require_POST
def rule_switch(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable_rule(request, pk)
    form = forms.SwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(item)
    on = form.cleaned_data["enabled"] == "on"
    catch_up = on and form.cleaned_data["start"] == forms.CATCH_UP
    item = actions.switch(item, enabled=on, catch_up=catch_up, by=request.user)
    if not on:
        messages.success(request, f"“{item.name}” is off: it acts on nothing until switched on.")
    elif catch_up:
        messages.success(request, f"“{item.name}” is on: its next evaluation acts on what the last "
                                  f"{CATCH_UP_DAYS} days' preview listed, then on what happens next.")
    else:
        messages.success(request, f"“{item.name}” is on: it acts on what happens from now on.")
    return redirect(item)


@require_POST
def rule_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable_rule(request, pk)
    actions.delete_rule(item, by=request.user)
    messages.success(request, f"Rule “{item.name}” deleted with its log; what it did stays.")
    return redirect("automation")


@require_GET
def log(request: AuthedRequest) -> HttpResponse:
    """Every rule's firings, newest first, of one rule if chosen."""
    found, chosen = queries.log(request.GET)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "automation/log.html", {
        "page_obj": page, "firings": queries.dress(page.object_list, _links(request)), "chosen": chosen,
        "rules": Rule.objects.order_by("name").only("pk", "name"),
        "querystring_without_page": query_without_page(request),
    })


# --- Plays --------------------------------------------------------------------------------


@require_GET
def plays(request: AuthedRequest) -> HttpResponse:
    return render(request, "automation/plays.html", {
        "plays": queries.plays(), "can_change": _keeps_rules(request),
    })


def _step_rows(play: Play) -> list[dict[str, Any]]:
    return [
        {"title": s.title, "description": s.description, "assignee": s.assignee, "due_days": s.due_days}
        for s in play.steps.all()
    ] if play.pk else []


def _play_editor(request: AuthedRequest, play: Play) -> HttpResponse:
    """The play's name, description and tasks; with `add`, one more task row, saving nothing."""
    posted = request.POST if request.method == "POST" else None
    form = forms.PlayForm(posted, instance=play)
    steps = forms.steps_formset(posted, initial=None if posted is not None else _step_rows(play))
    left: list[str] = []
    status = 200
    if posted is not None and request.POST.get("add"):
        typed = [
            {name: f[name].value() for name in ("title", "description", "assignee", "due_days")}
            for f in steps.forms if f["title"].value() and not f["remove"].value()
        ]
        form = forms.PlayForm(initial={n: form[n].value() for n in form.fields}, instance=play)
        steps = forms.steps_formset(None, initial=typed, extra=2)
    elif posted is not None:
        valid = [form.is_valid(), steps.is_valid()]
        if all(valid):
            try:
                saved = actions.save_play(form.instance, [f.step() for f in steps.kept()], by=request.user)
            except ValidationError as exc:
                left = forms.step_errors(steps, form, exc)
            else:
                messages.success(request, f"Play “{saved.name}” saved.")
                return redirect("automation_play_edit", saved.pk)
        status = 400
        messages.error(request, "The play was not saved: see the fields marked below.")
    return render(request, "automation/play_form.html", {
        "play": play if play.pk else None, "form": form, "steps": steps, "step_errors": left,
        "history": queries.play_history(play.pk) if play.pk else [], "merge_help": forms.MERGE_HELP,
    }, status=status)


def play_new(request: AuthedRequest) -> HttpResponse:
    access.leader(request.user, PLAY_REFUSAL)
    return _play_editor(request, Play())


def play_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """A play: its tasks and history for everyone, the editor for leaders."""
    if request.method == "POST" or _keeps_rules(request):
        access.leader(request.user, PLAY_REFUSAL)
        return _play_editor(request, get_object_or_404(Play, pk=pk))
    play = get_object_or_404(Play.objects.select_related("created_by"), pk=pk)
    return render(request, "automation/play.html", {
        "play": play, "steps": list(play.steps.all()), "history": queries.play_history(play.pk),
    })


@require_POST
def play_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    access.leader(request.user, PLAY_REFUSAL)
    play = get_object_or_404(Play, pk=pk)
    try:
        actions.delete_play(play, by=request.user)
    except ValidationError as exc:
        messages.error(request, _said(exc))
        return redirect("automation_play_edit", play.pk)
    messages.success(request, f"Play “{play.name}” deleted.")
    return redirect("automation_plays")


# --- Flags --------------------------------------------------------------------------------


@require_POST
def flag_new(request: AuthedRequest, pk: int) -> HttpResponse:
    account = access.editable_account(request.user, pk)
    form = forms.FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The flag was not set. {form_errors_text(form)}")
        return redirect(account)
    try:
        flag = actions.set_flag(account, form.cleaned_data["name"], by=request.user)
    except ValidationError as exc:
        messages.error(request, f"The flag was not set. {_said(exc)}")
    else:
        messages.success(request, f"{account.name} is flagged “{flag.name}”.")
    return redirect(account)


@require_POST
def flag_clear(request: AuthedRequest, pk: int) -> HttpResponse:
    flag = access.account_item(request.user, AccountFlag.objects.select_related("account"), pk=pk)
    actions.clear_flag(flag, by=request.user)
    messages.success(request, f"Flag “{flag.name}” cleared from {flag.account.name}.")
    return redirect(flag.account)

