"""Learning from the data: a metric's distribution among churned and retained accounts
(everyone reads it), and a scorecard learned from the usage metrics that a leader reviews and
creates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.health.models import Scorecard
from cairn.health.trust.distribution import comparable_dates, distribution
from cairn.health.trust.learn import create_scorecard, learn_from_metrics
from cairn.http import AuthedRequest
from cairn.metrics.models import MetricDefinition
from cairn.people import access, permissions

DEFAULT_LEAD_DAYS = 90
MAX_LEAD_DAYS = 730
SALT = "cairn.health.trust.learn"
PROPOSAL_HOURS = 24
LEARN_ONLY = "Only leaders may start a scorecard from the usage metrics."


def _lead_field(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label="Lead window (days)", initial=DEFAULT_LEAD_DAYS, min_value=1, max_value=MAX_LEAD_DAYS,
        required=required,
        help_text="An account counts as churned on a date if it churned within this many days after it.",
        error_messages={
            "min_value": "The lead window must be at least 1 day.",
            "max_value": f"The lead window can be at most {MAX_LEAD_DAYS} days.",
            "invalid": "Enter the lead window as a whole number of days.",
            "required": "Enter the lead window in days.",
        },
    )


class DistributionForm(forms.Form):
    lead_days = _lead_field(required=False)
    day = forms.DateField(
        label="Date", required=False,
        help_text="An observation date whose whole lead window has passed; the latest by default.",
        error_messages={"invalid": "Enter a date like 2026-03-31."},
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.dates: list[dt.date] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "lead_days" in self.errors:
            return data
        lead = data["lead_days"] = data.get("lead_days") or DEFAULT_LEAD_DAYS
        self.dates = comparable_dates(lead, self.today)
        day = data.get("day")
        if day is not None and day not in self.dates:
            self.add_error(
                "day", f"No complete metric date on {day:%d %b %Y} whose {lead}-day lead window has passed: "
                "pick one of the dates listed.",
            )
        return data


class LearnForm(forms.Form):
    lead_days = _lead_field()


class CreateForm(forms.Form):
    name = forms.CharField(
        label="Name of the new scorecard", max_length=150,
        error_messages={"required": "Name the new scorecard.",
                        "max_length": "Keep the name to 150 characters."},
    )
    proposal = forms.CharField(widget=forms.HiddenInput, max_length=200_000)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Scorecard.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A scorecard with this name already exists.")
        return name

    def clean_proposal(self) -> dict[str, Any]:
        try:
            learned: dict[str, Any] = signing.loads(
                self.cleaned_data["proposal"], salt=SALT, max_age=dt.timedelta(hours=PROPOSAL_HOURS)
            )
        except signing.BadSignature as exc:
            raise forms.ValidationError(
                "This proposal expired or was changed: learn it again from the data."
            ) from exc
        if not learned.get("fitted"):
            raise forms.ValidationError("This proposal has no measures to create a scorecard from.")
        return learned


def metric(request: AuthedRequest, slug: str) -> HttpResponse:
    """One metric's values on a date, churned accounts against retained ones."""
    found = get_object_or_404(MetricDefinition, slug=slug)
    today = timezone.localdate()
    form = DistributionForm(request.GET, today=today)
    context: dict[str, Any] = {"metric": found, "form": form, "lead_days": DEFAULT_LEAD_DAYS}
    if not form.is_valid():
        context["dates"] = form.dates
        return render(request, "health/trust/metric.html", context, status=400)
    lead = form.cleaned_data["lead_days"]
    day = form.cleaned_data["day"] or (form.dates[0] if form.dates else None)
    context.update(dates=form.dates, day=day, lead_days=lead)
    if day is not None:
        context["shown"] = distribution(found, day, lead)
    return render(request, "health/trust/metric.html", context)


def _page(request: AuthedRequest, *, form: LearnForm | None = None, status: int = 200,
          **more: Any) -> HttpResponse:
    context = {
        "form": form or LearnForm(initial={"lead_days": DEFAULT_LEAD_DAYS}),
        "metrics": list(MetricDefinition.objects.filter(active=True).order_by("name")),
        "can_act": permissions.is_leader(request.user),
        **more,
    }
    return render(request, "health/trust/learn.html", context, status=status)


def learn(request: AuthedRequest) -> HttpResponse:
    """The page (everyone reads it); a leader's POST learns a scorecard and shows it for review."""
    if request.method != "POST":
        return _page(request)
    access.leader(request.user, LEARN_ONLY)
    form = LearnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was learned: see the field marked below.")
        return _page(request, form=form, status=400)
    today = timezone.localdate()
    learned = learn_from_metrics(lead_days=form.cleaned_data["lead_days"], as_of=today).as_json()
    create = CreateForm(initial={
        "name": f"Learned from usage {today:%d %b %Y}",
        "proposal": signing.dumps(learned, salt=SALT, compress=True),
    })
    return _page(request, form=form, learned=learned, create=create)


@require_POST
def create(request: AuthedRequest) -> HttpResponse:
    """Create the reviewed scorecard: not the default, no segments, one action with history."""
    user = access.leader(request.user, LEARN_ONLY)
    form = CreateForm(request.POST)
    if form.is_valid():
        try:
            card = create_scorecard(form.cleaned_data["proposal"], name=form.cleaned_data["name"], by=user)
        except ValidationError as exc:
            # The name's uniqueness is the scorecard's only check a reviewed proposal can fail.
            named = hasattr(exc, "error_dict") and bool({"name", "__all__"} & set(exc.error_dict))
            form.add_error("name" if named else None, exc.messages)
        else:
            messages.success(
                request,
                f"Scorecard {card.name} created from the usage metrics. It scores no account yet: "
                "choose its segments, or make it the default, then recompute.",
            )
            return redirect("scorecard_edit", pk=card.pk)
    learned = form.cleaned_data.get("proposal")
    messages.error(request, "The scorecard was not created: see the fields marked below.")
    return _page(request, learned=learned, create=form, status=400)
