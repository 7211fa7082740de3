"""Value pages of an engagement: the value plan (items, promised against expected against
achieved, value along the strategy chain), keeping value on track (changes and challenges,
value activities), and sending a statement for the customer's confirmation. Thin: the
actions own the writes, the queries the reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.engagements.models import Engagement
from cairn.forms import add_errors
from cairn.http import AuthedRequest
from cairn.people import access, permissions
from cairn.sharing.forms import SendForm
from cairn.sharing.views import link_created
from cairn.value import actions, perception, queries
from cairn.value.forms import ActivityForm, ChangeForm, ValueItemForm
from cairn.value.models import Commitment, ValueActivity, ValueChange, ValueItem


def _engagement(pk: int) -> Engagement:
    return get_object_or_404(Engagement.objects.select_related("account"), pk=pk)


def _context(request: AuthedRequest, engagement: Engagement, tool: str, **extra: Any) -> dict[str, Any]:
    return {
        "engagement": engagement, "tool": tool,
        "can_edit": not engagement.is_closed and permissions.can_edit_engagement(request.user, engagement),
        **extra,
    }


def value_plan(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _engagement(engagement_pk)
    rows = queries.with_achieved(list(queries.items_of(engagement)))
    return render(request, "value/plan.html", _context(
        request, engagement, "plan",
        promised=[i for i in rows if i.commitment == Commitment.PROMISED],
        expected=[i for i in rows if i.commitment == Commitment.EXPECTED],
        columns=queries.comparison(rows), chain=queries.chain(engagement, rows),
    ))


def value_track(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = _engagement(engagement_pk)
    return render(request, "value/track.html", _context(
        request, engagement, "track", today=timezone.localdate(),
        changes=list(queries.changes_of(engagement)), activities=list(queries.activities_of(engagement)),
    ))


def _form_page(
    request: AuthedRequest, engagement: Engagement, form: forms.ModelForm,  # type: ignore[type-arg]
    save: Callable[[], Any], *, title: str, back: str, delete_url: str = "", done: str,
) -> HttpResponse:
    if engagement.is_closed:
        return _closed(request, back)
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "value/form.html", _context(
        request, engagement, "form", form=form, title=title, back=back, delete_url=delete_url,
    ), status=400 if form.errors else 200)


def _closed(request: AuthedRequest, back: str) -> HttpResponse:
    """A closed engagement's value plan is read, not changed: no form to fill in vain."""
    messages.info(request, "This engagement is closed: its value plan can be read, not changed.")
    return redirect(back)


def _item_form(request: AuthedRequest, engagement: Engagement, item: ValueItem) -> HttpResponse:
    form = ValueItemForm(request.POST or None, instance=item, engagement=engagement)
    new = item.pk is None
    return _form_page(
        request, engagement, form,
        lambda: actions.save_item(form.instance, by=request.user, kpis=form.cleaned_data["kpis"]),
        title="Add a value item" if new else "Change the value item",
        back=reverse("value_plan", args=[engagement.pk]),
        delete_url="" if new else reverse("value_item_delete", args=[engagement.pk, item.pk]),
        done="Value item saved.",
    )


def value_item_new(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, engagement_pk)
    return _item_form(request, engagement, ValueItem(engagement=engagement))


def _owned(request: AuthedRequest, model: type[Model], pk: int, engagement_pk: int) -> Any:
    """The record of the engagement the URL names, if the user may change that engagement
    (a record of another engagement is not found)."""
    records = model._default_manager.select_related("engagement__account")
    return access.engagement_item(request.user, records, pk=pk, engagement_id=engagement_pk)


def value_item_edit(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    item: ValueItem = _owned(request, ValueItem, pk, engagement_pk)
    return _item_form(request, item.engagement, item)


def _delete(
    request: AuthedRequest, model: type[Model], pk: int, engagement_pk: int, page: str
) -> HttpResponse:
    record = _owned(request, model, pk, engagement_pk)
    try:
        actions.delete(record, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed: {record}")
    return redirect(page, record.engagement_id)


@require_POST
def value_item_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return _delete(request, ValueItem, pk, engagement_pk, "value_plan")


def value_item_send(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """Send the statement to a customer contact, who confirms or disputes it."""
    item: ValueItem = _owned(request, ValueItem, pk, engagement_pk)
    engagement = item.engagement
    if engagement.is_closed:
        return _closed(request, reverse("value_plan", args=[engagement.pk]))
    form = SendForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = perception.send_statement(
                item, contact=data["contact"], by=request.user, days=data["days"],
                message=data["message"], send_email=data["send_email"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return link_created(
                request, new, back_url=reverse("value_plan", args=[engagement.pk]), emailed=data["send_email"]
            )
    return render(request, "value/send.html", _context(
        request, engagement, "send", form=form, item=item, links=perception.links_of(item),
    ), status=400 if form.errors else 200)


def _change_form(request: AuthedRequest, engagement: Engagement, change: ValueChange) -> HttpResponse:
    form = ChangeForm(request.POST or None, instance=change, engagement=engagement,
                      initial={"spotted_on": timezone.localdate()} if change.pk is None else None)
    return _form_page(
        request, engagement, form, lambda: actions.save_change(form.instance, by=request.user),
        title="Note a change or challenge" if change.pk is None else "Change or challenge",
        back=reverse("value_track", args=[engagement.pk]) + "#changes",
        delete_url="" if change.pk is None else reverse(
            "value_change_delete", args=[engagement.pk, change.pk]
        ),
        done="Change saved.",
    )


def value_change_new(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, engagement_pk)
    return _change_form(request, engagement, ValueChange(engagement=engagement))


def value_change_edit(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    change: ValueChange = _owned(request, ValueChange, pk, engagement_pk)
    return _change_form(request, change.engagement, change)


@require_POST
def value_change_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return _delete(request, ValueChange, pk, engagement_pk, "value_track")


def _activity_form(request: AuthedRequest, engagement: Engagement, activity: ValueActivity) -> HttpResponse:
    form = ActivityForm(request.POST or None, instance=activity, engagement=engagement)
    return _form_page(
        request, engagement, form, lambda: actions.save_activity(form.instance, by=request.user),
        title="Plan a value activity" if activity.pk is None else "Value activity",
        back=reverse("value_track", args=[engagement.pk]) + "#activities",
        delete_url="" if activity.pk is None else reverse(
            "value_activity_delete", args=[engagement.pk, activity.pk]
        ),
        done="Activity saved.",
    )


def value_activity_new(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, engagement_pk)
    return _activity_form(request, engagement, ValueActivity(engagement=engagement))


def value_activity_edit(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    activity: ValueActivity = _owned(request, ValueActivity, pk, engagement_pk)
    return _activity_form(request, activity.engagement, activity)


@require_POST
def value_activity_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return _delete(request, ValueActivity, pk, engagement_pk, "value_track")
