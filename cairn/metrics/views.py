"""Views; thin: parse, check permission, call an action, render.

Everyone reads metrics; CS leaders and admins define them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cairn.customers.models import Account
from cairn.metrics import actions
from cairn.metrics.forms import MetricForm
from cairn.metrics.models import MetricDefinition, MetricFill
from cairn.metrics.queries import account_metrics
from cairn.people import access, permissions
from cairn.people.models import User

DEFINE_ONLY = "Only CS leaders and admins define metrics."


def metric_list(request: HttpRequest) -> HttpResponse:
    definitions = MetricDefinition.objects.order_by("name")
    last_fill = MetricFill.objects.order_by("-observed_on").first()
    return render(request, "metrics/list.html", {
        "definitions": definitions, "last_fill": last_fill,
        "can_define": permissions.is_leader(request.user),
    })


def _editor(request: HttpRequest, definition: MetricDefinition | None) -> HttpResponse:
    access.leader(request.user, DEFINE_ONLY)
    if request.method != "POST":
        initial = MetricForm.initial_for(definition) if definition else None
        form = MetricForm(initial=initial)
        return render(request, "metrics/form.html", {"form": form, "definition": definition})
    form = MetricForm(request.POST)
    if form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        try:
            saved = actions.save_definition(definition, form.data_for_action(), by=user)
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field_name if field_name in form.fields else None, error)
        else:
            verb = "updated" if definition else "created"
            messages.success(request, f"Metric {saved.name} {verb}. It is computed at the next recompute.")
            return redirect("metrics")
    return render(request, "metrics/form.html", {"form": form, "definition": definition}, status=400)


def metric_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


def metric_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(MetricDefinition, pk=pk))


@require_POST
def metric_delete(request: HttpRequest, pk: int) -> HttpResponse:
    access.leader(request.user, DEFINE_ONLY)
    definition = get_object_or_404(MetricDefinition, pk=pk)
    user: User = request.user  # type: ignore[assignment]
    try:
        actions.delete_definition(definition, by=user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("metric_edit", pk=pk)
    messages.success(request, f"Metric {definition.name} deleted.")
    return redirect("metrics")


def account_page(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    rows = account_metrics(account, with_series=True)
    return render(request, "metrics/account.html", {"account": account, "rows": rows})
