"""Business review pages: the book's programmes by their next review, one account's programme
set up and kept, a review prepared, its draft edited and refreshed, the deck and the PDF
built, the meeting recorded with its decisions and follow-up tasks. Thin: the actions own the
writes, the queries the reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.forms import add_errors
from cairn.http import AuthedRequest, query_without_page
from cairn.people import access, permissions
from cairn.people.models import User
from cairn.reviews import actions, facts, queries
from cairn.reviews.actions import PROGRAM_EDITABLE, REFUSAL
from cairn.reviews.forms import FollowUpForm, MeetingForm, PrepareForm, ProgramForm, ReviewForm
from cairn.reviews.models import Kind, Program, Review, Status

PER_PAGE = 50


def _said(exc: ValidationError) -> str:
    """An action's refusal in sentences, each led by the label of the field it is about."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, said in exc.message_dict.items():
        text = " ".join(said)
        if name == NON_FIELD_ERRORS:
            parts.append(text)
            continue
        try:
            label = str(getattr(Review._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            label = name.replace("_", " ")
        parts.append(f"{label[:1].upper()}{label[1:]}: {text}")
    return " ".join(parts)


def _posted(request: AuthedRequest) -> Any:
    """The form's data on a POST, even an empty one (its required fields are then named);
    None on a GET."""
    return request.POST if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def reviews(request: AuthedRequest) -> HttpResponse:
    """Every programme by its next review, overdue ones first; the drafts in progress and the
    reviews held lately."""
    filters = queries.parse_filters(request.GET)
    found, held = queries.filtered(filters, request.user.pk)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "reviews/reviews.html", {
        "filters": filters, "page_obj": page, "programs": queries.mark(list(page.object_list), today),
        "drafts": queries.drafts(held), "held": queries.recently_held(held), "today": today,
        "kinds": Kind.choices, "rows": queries.LIST_ROWS,
        "owners": User.objects.filter(owned_accounts__review_programs__isnull=False).distinct()
        .order_by("first_name", "last_name"),
        "querystring_without_page": query_without_page(request),
    })


def _program(request: AuthedRequest, pk: int) -> Program:
    return access.account_item(request.user, queries.programs(), message=REFUSAL, pk=pk)


def _review(request: AuthedRequest, pk: int) -> Review:
    return access.account_item(
        request.user, queries.review_page(), via="program.account", message=REFUSAL, pk=pk
    )


def program_create(request: AuthedRequest, account_pk: int) -> HttpResponse:
    account = access.editable_account(request.user, account_pk, message=REFUSAL)
    form = ProgramForm(_posted(request), instance=Program(account=account), account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = actions.create_program(
                form.instance, ours=list(data["our_attendees"]), theirs=list(data["customer_attendees"]),
                by=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{program.get_kind_display()} programme set up for {account.name}.")
            return redirect(program)
    return render(request, "reviews/program_form.html", {
        "form": form, "account": account, "program": None,
    }, status=_status(form))


def program(request: AuthedRequest, pk: int) -> HttpResponse:
    """One programme: how the account is reviewed, who attends, the agenda, the next date
    and its reviews."""
    item = get_object_or_404(queries.programs(), pk=pk)
    return render(request, "reviews/program.html", {
        "program": item,
        "our_attendees": item.our_attendees.order_by("first_name", "last_name"),
        "customer_attendees": item.customer_attendees.order_by("first_name", "last_name"),
        "program_reviews": item.reviews.select_related("prepared_by").order_by("-date", "-pk"),
        "can_edit": permissions.can_edit_account(request.user, item.account),
        "today": timezone.localdate(),
    })


def program_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _program(request, pk)
    form = ProgramForm(_posted(request), instance=item, account=item.account)
    if request.method == "POST" and form.is_valid():
        data, changed = form.cleaned_data, form.changed_data
        changes = {name: data[name] for name in changed if name in PROGRAM_EDITABLE}
        try:
            actions.update_program(
                item, changes, by=request.user,
                ours=list(data["our_attendees"]) if "our_attendees" in changed else None,
                theirs=list(data["customer_attendees"]) if "customer_attendees" in changed else None,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Programme saved.")
            return redirect(item)
    return render(request, "reviews/program_form.html", {
        "form": form, "account": item.account, "program": item,
    }, status=_status(form))


@require_POST
def program_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _program(request, pk)
    account = item.account
    actions.delete_program(item, by=request.user)
    messages.success(request, f"{item.get_kind_display()} programme of {account.name} stopped.")
    return redirect(account)


def prepare(request: AuthedRequest, pk: int) -> HttpResponse:
    """Prepare a review: Cairn gathers the account's figures over the period into draft text."""
    item = _program(request, pk)
    form = PrepareForm(_posted(request), program=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = actions.prepare_review(item, actions.Prepare(
                date=data["date"], period_start=data["period_start"], period_end=data["period_end"],
                engagement=data["engagement"],
            ), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Draft prepared from the account's figures: read it, then edit it.")
            return redirect(review)
    return render(request, "reviews/prepare.html", {"form": form, "program": item}, status=_status(form))


def review(request: AuthedRequest, pk: int) -> HttpResponse:
    """One review: the draft's text, the figures behind it, the deck and the PDF once built,
    and after the meeting its minutes, decisions and follow-up tasks."""
    item = get_object_or_404(queries.review_page(), pk=pk)
    can_edit = permissions.can_edit_account(request.user, item.program.account)
    return render(request, "reviews/review.html", {
        "review": item, "program": item.program, "figures": facts.gather(item),
        "decisions": list(item.decisions.all()), "follow_ups": queries.follow_ups(item),
        "can_edit": can_edit, "can_change": can_edit and item.is_draft,
        "can_export": (
            item.is_draft and item.engagement_id is not None and actions.can_export(request.user, item)
        ),
        "can_record": can_edit and item.status != Status.CANCELLED,
    })


def _closed(request: AuthedRequest, item: Review, *, held_too: bool) -> HttpResponse | None:
    """Send a GET for a form the review can no longer take back to the review, saying why."""
    if request.method == "POST":
        return None
    if item.status == Status.CANCELLED or (held_too and item.status == Status.HELD):
        said = item.get_status_display().lower()
        messages.info(request, f"It was {said}: the review cannot change any more.")
        return redirect(item)
    return None


def review_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _review(request, pk)
    if (back := _closed(request, item, held_too=True)) is not None:
        return back
    form = ReviewForm(_posted(request), instance=item)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            actions.update_review(item, changes, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect(item)
    return render(request, "reviews/review_form.html", {
        "form": form, "review": item, "heading": "Edit the draft",
        "intro": "The text of each section as the deck and the PDF will show it. "
                 "Build them again after saving to see the change.",
        "submit": "Save the draft",
    }, status=_status(form))


@require_POST
def review_refresh(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _review(request, pk)
    try:
        actions.refresh_review(item, by=request.user)
    except ValidationError as exc:
        messages.error(request, _said(exc))
    else:
        messages.success(request, "The figures were gathered again and the draft text replaced.")
    return redirect(item)


@require_POST
def review_export(request: AuthedRequest, pk: int) -> HttpResponse:
    item = access.item(
        request.user, queries.review_page(), actions.can_export, actions.DOCUMENT_REFUSAL, pk=pk
    )
    try:
        item = actions.export_review(item, by=request.user)
    except ValidationError as exc:
        messages.error(request, f"The deck was not built. {_said(exc)}")
    else:
        messages.success(request, "The slide deck and the PDF were built and kept in the repository.")
    return redirect(item)


def review_meeting(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the meeting: when it was held, the minutes and the decisions. A held review's
    minutes may be corrected here too."""
    item = _review(request, pk)
    if (back := _closed(request, item, held_too=False)) is not None:
        return back
    form = MeetingForm(_posted(request), review=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_meeting(item, actions.Meeting(
                held_on=data["held_on"], minutes=data["minutes"], decisions=data["decisions"],
            ), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Meeting recorded; the programme's next review moved on.")
            return redirect(item)
    held = item.status == Status.HELD
    return render(request, "reviews/review_form.html", {
        "form": form, "review": item,
        "heading": "Correct the minutes" if held else "Record the meeting",
        "intro": "The minutes and the decisions are kept with the review. The programme's next review "
                 "is set one cadence after the meeting, unless a later one is planned already.",
        "submit": "Save the minutes" if held else "Record the meeting",
    }, status=_status(form))


def review_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    """A task agreed in the review, in its assignee's "my work"."""
    item = _review(request, pk)
    if (back := _closed(request, item, held_too=False)) is not None:
        return back
    form = FollowUpForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_follow_up(item, actions.Task(
                title=data["title"], assignee=data["assignee"], due_date=data["due_date"],
                description=data["description"],
            ), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Follow-up for {data['assignee']} added to their work.")
            return redirect(item)
    return render(request, "reviews/review_form.html", {
        "form": form, "review": item, "heading": "Add a follow-up task",
        "intro": "A task agreed in the review. It shows in its assignee's “my work” like any other.",
        "submit": "Add the task",
    }, status=_status(form))


@require_POST
def review_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _review(request, pk)
    try:
        actions.cancel_review(item, by=request.user)
    except ValidationError as exc:
        messages.error(request, _said(exc))
    else:
        messages.success(request, "Review cancelled.")
    return redirect(item)


@require_POST
def review_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _review(request, pk)
    back = item.program
    actions.delete_review(item, by=request.user)
    messages.success(request, "Review deleted; its deck and PDF stay in the repository.")
    return redirect(back)
