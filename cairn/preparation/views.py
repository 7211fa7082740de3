"""The dossier and the strategy document pages, and what every preparation page shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.engagements.models import Engagement
from cairn.forms import add_errors
from cairn.http import AuthedRequest
from cairn.people import access, permissions
from cairn.preparation import actions, queries
from cairn.preparation.forms import AnswerForm, FactForm, FollowUpForm, HandoverForm, QuestionForm
from cairn.preparation.models import Fact, HandoverMeeting, Question, StrategyDocument
from cairn.preparation.strategy_document import strategy_markdown


def engagement_of(pk: int) -> Engagement:
    return queries.engagement_with_products(pk)


def edit_flags(request: AuthedRequest, engagement: Engagement) -> dict[str, bool]:
    """What this person may change here: the engagement's tools (not once it is closed), the
    account's strategy, and the shared PESTLE analyses."""
    user = request.user
    return {
        "can_edit": permissions.can_edit_engagement(user, engagement) and not engagement.is_closed,
        "can_edit_account": permissions.can_edit_account(user, engagement.account),
        "can_edit_shared": permissions.is_leader(user),
    }


def editable_engagement_of(request: AuthedRequest, pk: int) -> Engagement:
    """The engagement of the URL, fetched for a change of its tools: only by those who may
    change it."""
    return access.editable_engagement(request.user, pk, queries.engagements_with_products())


def editable_account_of(request: AuthedRequest, pk: int) -> Engagement:
    """The engagement of the URL, fetched for a change of its customer's strategy: only by
    those who look after the account."""
    return access.account_item(
        request.user, queries.engagements_with_products(), pk=pk,
        message="You may not change this customer's strategy: you do not look after the account.",
    )


def form_page(
    request: AuthedRequest,
    engagement: Engagement,
    form: forms.BaseForm,
    *,
    title: str,
    back: str,
    save: Callable[[], Any],
    delete_url: str = "",
    intro: str = "",
    saved: str = "Saved.",
    done: Callable[[], str] | None = None,
) -> HttpResponse:
    """Show a form; on a valid POST call `save` and go back to the tool page (`back`, or
    `done()` when where to go depends on what was saved)."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, saved)
            return redirect(done() if done else back)
    return render(
        request,
        "preparation/form.html",
        {"engagement": engagement, "form": form, "title": title, "back": back,
         "delete_url": delete_url, "intro": intro},
        status=400 if request.method == "POST" else 200,
    )


def deleted(request: AuthedRequest, back: str, what: str, fn: Callable[[], None]) -> HttpResponse:
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{what} removed.")
    return redirect(back)


def _dossier_url(engagement: Engagement, anchor: str = "") -> str:
    return reverse("preparation_dossier", args=[engagement.pk]) + (f"#{anchor}" if anchor else "")


def _fact_url(engagement: Engagement, fact: Fact, anchor: str = "") -> str:
    """The dossier page that lists `fact`, at the fact (or at `anchor`)."""
    page = queries.fact_page(fact, FACTS_PER_PAGE)
    url = reverse("preparation_dossier", args=[engagement.pk])
    return f"{url}{f'?facts={page}' if page > 1 else ''}#{anchor or f'fact-{fact.pk}'}"


# --- dossier ---------------------------------------------------------------------------------

FACTS_PER_PAGE = 25
ANSWERED_PER_PAGE = 20


def dossier(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    data = queries.dossier_page(engagement, request.GET.get("facts"), FACTS_PER_PAGE)
    answered = Paginator(data.pop("answered_questions"), ANSWERED_PER_PAGE).get_page(
        request.GET.get("page")
    )
    facts_page = data["facts_page"]
    # Each list's pager keeps the other list's page.
    keep_facts = f"facts={facts_page.number}&" if facts_page.number > 1 else ""
    keep_answered = f"page={answered.number}&" if answered.number > 1 else ""
    context: dict[str, Any] = {
        "engagement": engagement, "tool": "dossier", **data, **edit_flags(request, engagement),
        "answered": answered, "page_obj": answered, "querystring_without_page": keep_facts,
        "keep_answered": keep_answered,
        "fact_form": FactForm(initial={"area": request.GET.get("area", "initiative"), "source": "company"}),
    }
    return render(request, "preparation/dossier.html", context)


def fact_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    fact = (
        get_object_or_404(Fact, pk=pk, engagement=engagement) if pk
        else Fact(engagement=engagement, created_by=request.user)
    )
    form = FactForm(request.POST or None, instance=fact)
    return form_page(
        request, engagement, form, title="Edit fact" if pk else "New fact",
        back=_fact_url(engagement, fact) if pk else _dossier_url(engagement),
        save=lambda: actions.save_item(form.instance, by=request.user),
        delete_url=reverse("preparation_fact_delete", args=[engagement.pk, pk]) if pk else "",
        saved="Fact saved.",
        done=lambda: _fact_url(engagement, form.instance),
    )


@require_POST
def fact_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    fact = get_object_or_404(Fact, pk=pk, engagement=engagement)
    back = _fact_url(engagement, fact, anchor=f"area-{fact.area}")
    return deleted(request, back, "Fact", lambda: actions.delete_item(fact, by=request.user))


def question_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    question = (
        get_object_or_404(Question, pk=pk, engagement=engagement) if pk
        else Question(engagement=engagement, created_by=request.user)
    )
    initial = {"fact": request.GET.get("fact")} if not pk else None
    form = QuestionForm(request.POST or None, instance=question, engagement=engagement,
                        initial=initial)

    def save() -> None:
        if pk:
            actions.save_item(form.instance, by=request.user)
        else:
            actions.raise_question(
                engagement, form.cleaned_data["text"], by=request.user,
                fact=form.cleaned_data["fact"],
            )

    return form_page(
        request, engagement, form, title="Edit question" if pk else "New question for the customer",
        back=_dossier_url(engagement, "questions"), save=save,
        delete_url=reverse("preparation_question_delete", args=[engagement.pk, pk]) if pk else "",
        intro="A gap in what we know, or an assumption to validate at the first meeting.",
        saved="Question saved.",
    )


def question_answer(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    question = get_object_or_404(Question.objects.select_related("fact"), pk=pk, engagement=engagement)
    form = AnswerForm(
        request.POST or None, engagement=engagement,
        initial={"answered_on": timezone.localdate(), "validate_fact": bool(question.fact_id)},
    )

    def save() -> None:
        data = form.cleaned_data
        actions.answer_question(
            question, data["answer"], by=request.user, answered_on=data["answered_on"],
            contact=data["answered_by"], name=data["answered_by_name"],
            validate_fact=data["validate_fact"],
        )

    return form_page(
        request, engagement, form, title="Answer", back=_dossier_url(engagement, "questions"),
        save=save, intro=question.text, saved="Answer recorded.",
    )


@require_POST
def question_reopen(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    question = get_object_or_404(Question, pk=pk, engagement=engagement)
    try:
        actions.reopen_question(question, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Question open again.")
    return redirect(_dossier_url(engagement, "questions"))


@require_POST
def question_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    question = get_object_or_404(Question, pk=pk, engagement=engagement)
    return deleted(
        request, _dossier_url(engagement, "questions"), "Question",
        lambda: actions.delete_item(question, by=request.user),
    )


def handover_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    meeting = (
        get_object_or_404(HandoverMeeting, pk=pk, engagement=engagement) if pk
        else HandoverMeeting(engagement=engagement)
    )
    initial = {"date": timezone.localdate()} if not pk else None
    form = HandoverForm(request.POST or None, instance=meeting, initial=initial)
    return form_page(
        request, engagement, form, title="Handover meeting",
        back=_dossier_url(engagement, "handover"),
        save=lambda: actions.save_meeting(form.instance, by=request.user, attendees=form.attendees()),
        delete_url=reverse("preparation_handover_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Plan it with sales, the account manager, solution engineers and services; keep "
              "the notes here afterwards.",
        saved="Handover meeting saved.",
    )


@require_POST
def handover_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    meeting = get_object_or_404(HandoverMeeting, pk=pk, engagement=engagement)
    return deleted(
        request, _dossier_url(engagement, "handover"), "Handover meeting",
        lambda: actions.delete_item(meeting, by=request.user),
    )


def follow_up(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    meeting = get_object_or_404(HandoverMeeting, pk=pk, engagement=engagement)
    form = FollowUpForm(request.POST or None, initial={"assignee": engagement.owner_id})
    return form_page(
        request, engagement, form, title=f"Follow-up of the {meeting}",
        back=_dossier_url(engagement, "handover"),
        save=lambda: actions.add_follow_up(
            meeting, form.cleaned_data["title"], assignee=form.cleaned_data["assignee"],
            due_date=form.cleaned_data["due_date"], by=request.user,
        ),
        saved="Follow-up task created.",
    )


# --- strategy document -----------------------------------------------------------------------


def strategy_document(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """Preview the generated strategy and roadmap; POST writes it to the repository."""
    # Everyone reads the preview; only those who may change the engagement write it.
    if request.method == "POST":
        engagement = editable_engagement_of(request, engagement_pk)
    else:
        engagement = engagement_of(engagement_pk)
    link = StrategyDocument.objects.select_related(
        "document__current_version__created_by"
    ).filter(engagement=engagement).first()
    if request.method == "POST":
        try:
            link = actions.generate_strategy_document(engagement, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("preparation_document", engagement.pk)
        version = link.document.current_version
        messages.success(
            request,
            f"Strategy document written (version {version.number if version else 1}). Edit it "
            "in the repository as you need.",
        )
        return redirect(link.document)
    return render(
        request,
        "preparation/strategy_document.html",
        {"engagement": engagement, "tool": "document", "link": link,
         "preview": strategy_markdown(engagement), **edit_flags(request, engagement)},
    )
