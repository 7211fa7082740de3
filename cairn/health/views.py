"""Health pages: the overview, the scorecard editor with its live preview, an account's health."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.customers.models import Account
from cairn.forms import form_errors_text
from cairn.health import actions, queries
from cairn.health.charts import score_chart
from cairn.health.forms import MeasureFormSet, RatingForm, ScorecardForm
from cairn.health.models import Measure, Scorecard
from cairn.health.scoring import trend
from cairn.http import AuthedRequest
from cairn.people import access, permissions


def overview(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "health/overview.html",
        {
            **queries.overview(request.GET.get("sort", "change")),
            "scorecards": queries.scorecards(),
            "can_edit": permissions.is_leader(request.user),
        },
    )


@require_POST
def recompute(request: AuthedRequest) -> HttpResponse:
    access.leader(request.user, "Only leaders may recompute scores.")
    result = actions.recompute_scores()
    messages.success(
        request,
        f"Scored {result.scored} accounts in {result.seconds:.1f} s; "
        f"{result.alerts_raised} new alerts.",
    )
    return redirect("health")


def _editor(request: AuthedRequest, card: Scorecard) -> HttpResponse:
    access.leader(request.user, "Only leaders may edit scorecards.")
    form = ScorecardForm(request.POST or None, instance=card)
    formset = MeasureFormSet(request.POST or None, instance=card, prefix="measures")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        kept = [f.instance for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        try:
            saved = actions.save_scorecard(form.instance, kept, by=request.user, deleted=deleted)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Scorecard {saved.name} saved. Recompute to apply it.")
            return redirect("health")
    if request.method == "POST" and not (form.is_valid() and formset.is_valid()):
        messages.error(request, "The scorecard was not saved: see the fields marked below.")
    return render(request, "health/scorecard_form.html", {"form": form, "formset": formset, "card": card})


def scorecard_new(request: AuthedRequest) -> HttpResponse:
    return _editor(request, Scorecard())


def scorecard_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(Scorecard, pk=pk))


@require_POST
def scorecard_preview(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """The editor's live preview: score a sample of real accounts with the unsaved form."""
    access.leader(request.user, "Only leaders may edit scorecards.")
    card = get_object_or_404(Scorecard, pk=pk) if pk else Scorecard()
    form = ScorecardForm(request.POST, instance=card)
    formset = MeasureFormSet(request.POST, instance=card, prefix="measures")
    form.is_valid()
    formset.is_valid()
    measures: list[Measure] = [
        f.instance for f in formset.forms
        if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE") and not f.errors
    ]
    problems = form_errors_text(form) if form.errors else ""
    skipped = sum(1 for f in formset.forms if f.errors and f.has_changed())
    rows = queries.preview(form.instance, measures) if measures else []
    return render(
        request,
        "health/_preview.html",
        {"rows": rows, "problems": problems, "skipped": skipped, "measures": measures},
    )


@require_POST
def scorecard_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    access.leader(request.user, "Only leaders may delete scorecards.")
    card = get_object_or_404(Scorecard, pk=pk)
    try:
        actions.delete_scorecard(card, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(card)
    messages.success(request, f"Scorecard {card.name} deleted.")
    return redirect("health")


def account_health(request: AuthedRequest, pk: int) -> HttpResponse:
    accounts = Account.objects.select_related("owner")
    if request.method == "POST":
        # Everyone reads the page; a rating is sent only for an account one may change.
        account = access.editable_account(
            request.user, pk, accounts, message="You may not rate this account."
        )
        can_rate = True
    else:
        account = get_object_or_404(accounts, pk=pk)
        can_rate = permissions.can_edit_account(request.user, account)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.rate_account(account, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Rating saved; the score now includes it.")
            return redirect("account_health", pk=account.pk)
    return render(request, "health/account_health.html", _account_context(account, form, can_rate))


def _account_context(account: Account, form: RatingForm, can_rate: bool) -> dict[str, object]:
    latest = queries.latest_score(account)
    health = getattr(account, "health", None)
    card = latest.scorecard if latest else None
    explanation = latest.explanation if latest else {}
    measures = queries.with_metric_kinds(queries.score_lines(latest)) if latest else []
    names = {m["key"]: m for m in measures}
    return {
        "account": account,
        "latest": latest,
        "scorecard_name": latest.snapshot.name if latest and latest.snapshot else "",
        "health": health,
        "trend": trend(health.change if health else None),
        "trend_30d": trend(health.change_30d if health else None),
        "measures": measures,
        "pulled_down": [names[k] for k in explanation.get("pulled_down", []) if k in names],
        "chart": score_chart(
            queries.history(account),
            green_from=card.green_from if card else 70,
            red_below=card.red_below if card else 40,
        ),
        "ratings": queries.current_ratings(account),
        "rating_history": queries.rating_history(account),
        "alerts": queries.alerts(account),
        "form": form,
        "can_rate": can_rate,
        "today": timezone.localdate(),
    }
