"""The customer's strategy: PESTLE (shared and overridden), internal drivers, the strategy
chain and how our solution serves it, drawn as a graph."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.engagements.models import Engagement
from cairn.http import AuthedRequest
from cairn.people import access
from cairn.preparation import actions, analyses, queries
from cairn.preparation.forms import (
    ContributionForm,
    DriverForm,
    ElementForm,
    InternalDriverForm,
    LinkForm,
    SharedPestleForm,
    UseSharedForm,
)
from cairn.preparation.models import (
    Contribution,
    InternalDriver,
    PestleCategory,
    PestleDriver,
    SharedPestle,
    SolutionLink,
    StrategyElement,
)
from cairn.preparation.views import (
    deleted,
    edit_flags,
    editable_account_of,
    editable_engagement_of,
    engagement_of,
    form_page,
)


def _url(engagement: Engagement, anchor: str = "") -> str:
    return reverse("preparation_strategy", args=[engagement.pk]) + (f"#{anchor}" if anchor else "")


def strategy(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    chain = queries.strategy_chain(engagement)
    pestle = queries.effective_pestle(engagement.account)
    context = {
        "engagement": engagement, "tool": "strategy", **edit_flags(request, engagement),
        "pestle": pestle, "pestle_categories": pestle.by_category(),
        "internal": queries.internal_drivers(engagement.account),
        "chain": chain, "graph": queries.chain_graph(chain),
        "use_shared_form": UseSharedForm(initial={"use_shared": pestle.use_shared, "note": pestle.note}),
    }
    return render(request, "preparation/strategy.html", context)


# --- the account's PESTLE ----------------------------------------------------------------------


def _account_driver(engagement: Engagement, pk: int) -> PestleDriver:
    return get_object_or_404(PestleDriver, pk=pk, account=engagement.account_id)


def _shared_driver_for(engagement: Engagement, pk: int) -> PestleDriver:
    """A driver of the shared analysis that applies to this engagement's account."""
    analysis = queries.shared_analysis_for(engagement.account)
    if analysis is None:
        raise Http404("This account's industry and region have no shared analysis.")
    return get_object_or_404(PestleDriver, pk=pk, analysis=analysis)


def driver_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    """Add or change one of the account's own drivers (or its version of a shared one)."""
    engagement = editable_account_of(request, engagement_pk)
    driver = _account_driver(engagement, pk) if pk else PestleDriver(account=engagement.account)
    form = DriverForm(request.POST or None, instance=driver)
    return form_page(
        request, engagement, form, title=f"PESTLE driver of {engagement.account}",
        back=_url(engagement, "pestle"),
        save=lambda: actions.save_item(form.instance, by=request.user, context=engagement),
        delete_url=reverse("preparation_driver_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Drivers for change outside the customer. Each is an opportunity or a threat, with "
              "a level of impact.",
        saved="Driver saved.",
    )


def driver_override(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """Replace a shared driver with this account's own version; other accounts keep it."""
    engagement = editable_account_of(request, engagement_pk)
    shared = _shared_driver_for(engagement, pk)
    existing = PestleDriver.objects.filter(account=engagement.account_id, replaces=shared).first()
    form = DriverForm(request.POST or None, instance=existing or PestleDriver(
        account=engagement.account, replaces=shared, category=shared.category, title=shared.title,
        description=shared.description, driver_type=shared.driver_type, impact=shared.impact,
    ))

    def save() -> None:
        changes = {f: form.cleaned_data[f] for f in DriverForm.Meta.fields}
        actions.override_driver(
            engagement.account, shared, changes, by=request.user, context=engagement
        )

    return form_page(
        request, engagement, form, title=f"Override for {engagement.account}",
        back=_url(engagement, "pestle"), save=save,
        intro=f"The shared driver “{shared.title}” stays as it is for the other accounts of "
              f"{shared.analysis}.",
        saved="Override saved.",
    )


@require_POST
def driver_hide(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    shared = _shared_driver_for(engagement, pk)
    try:
        actions.hide_driver(engagement.account, shared, by=request.user, context=engagement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{shared.title}” no longer applies to {engagement.account}.")
    return redirect(_url(engagement, "pestle"))


@require_POST
def driver_restore(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    shared = _shared_driver_for(engagement, pk)
    actions.restore_driver(engagement.account, shared, by=request.user, context=engagement)
    messages.success(request, f"“{shared.title}” applies again as shared.")
    return redirect(_url(engagement, "pestle"))


@require_POST
def driver_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    driver = _account_driver(engagement, pk)
    return deleted(
        request, _url(engagement, "pestle"), "Driver",
        lambda: actions.delete_item(driver, by=request.user, context=engagement),
    )


@require_POST
def use_shared(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    form = UseSharedForm(request.POST)
    if form.is_valid():
        actions.set_use_shared(
            engagement.account, form.cleaned_data["use_shared"], note=form.cleaned_data["note"],
            by=request.user, context=engagement,
        )
        messages.success(request, "PESTLE choice saved.")
    return redirect(_url(engagement, "pestle"))


# --- the shared analysis (leaders) -------------------------------------------------------------


SHARED_REFUSAL = "Only team leaders change the PESTLE analyses shared across accounts."


def _require_leader(request: AuthedRequest) -> None:
    access.leader(request.user, SHARED_REFUSAL)


def shared_pestle(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """The analysis shared by the account's industry and region; a leader creates or edits it."""
    engagement = engagement_of(engagement_pk)
    analysis = queries.shared_analysis_for(engagement.account)
    if request.method == "POST":
        _require_leader(request)
    instance = analysis or SharedPestle(
        industry=engagement.account.industry, region=engagement.account.region
    )
    form = SharedPestleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_shared_analysis(form.instance, by=request.user)
        except ValidationError as exc:
            from cairn.preparation.views import add_errors

            add_errors(form, exc)
        else:
            messages.success(request, "Shared analysis saved.")
            return redirect("preparation_shared_pestle", engagement.pk)
    drivers = list(PestleDriver.objects.filter(analysis=analysis)) if analysis else []
    return render(
        request,
        "preparation/shared_pestle.html",
        {"engagement": engagement, "tool": "strategy", "analysis": analysis, "form": form,
         "drivers": drivers, "driver_form": DriverForm(),
         "accounts": queries.accounts_sharing(analysis) if analysis else [],
         **edit_flags(request, engagement)},
        status=400 if request.method == "POST" else 200,
    )


ANALYSES_PER_PAGE = 20


def shared_analyses(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """Every shared analysis, reached from an engagement's strategy; whoever may read the
    shared PESTLE page may read this list."""
    engagement = engagement_of(engagement_pk)
    page = Paginator(analyses.listed(), ANALYSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "preparation/shared_analyses.html",
        {"engagement": engagement, "tool": "strategy", "page_obj": page,
         "rows": analyses.rows(list(page.object_list)), "categories": PestleCategory.choices,
         "own": queries.shared_analysis_for(engagement.account), "querystring_without_page": "",
         **edit_flags(request, engagement)},
    )


def shared_driver_form(
    request: AuthedRequest, engagement_pk: int, pk: int | None = None
) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    _require_leader(request)
    analysis = queries.shared_analysis_for(engagement.account)
    if analysis is None:
        messages.error(request, "Create the shared analysis of this industry and region first.")
        return redirect("preparation_shared_pestle", engagement.pk)
    driver = (
        get_object_or_404(PestleDriver, pk=pk, analysis=analysis) if pk
        else PestleDriver(analysis=analysis)
    )
    form = DriverForm(request.POST or None, instance=driver)
    return form_page(
        request, engagement, form, title=f"Shared driver of {analysis}",
        back=reverse("preparation_shared_pestle", args=[engagement.pk]),
        save=lambda: actions.save_item(form.instance, by=request.user),
        delete_url=reverse("preparation_shared_driver_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Every account of this industry and region sees this driver, unless it overrides it.",
        saved="Shared driver saved.",
    )


@require_POST
def shared_driver_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    _require_leader(request)
    driver = _shared_driver_for(engagement, pk)
    return deleted(
        request, reverse("preparation_shared_pestle", args=[engagement.pk]), "Shared driver",
        lambda: actions.delete_shared_driver(driver, by=request.user),
    )


# --- internal drivers and the strategy chain ---------------------------------------------------


def internal_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    driver = (
        get_object_or_404(InternalDriver, pk=pk, account=engagement.account_id) if pk
        else InternalDriver(account=engagement.account)
    )
    form = InternalDriverForm(request.POST or None, instance=driver)
    return form_page(
        request, engagement, form, title="Internal driver", back=_url(engagement, "internal"),
        save=lambda: actions.save_item(form.instance, by=request.user, context=engagement),
        delete_url=reverse("preparation_internal_delete", args=[engagement.pk, pk]) if pk else "",
        saved="Internal driver saved.",
    )


@require_POST
def internal_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    driver = get_object_or_404(InternalDriver, pk=pk, account=engagement.account_id)
    return deleted(
        request, _url(engagement, "internal"), "Internal driver",
        lambda: actions.delete_item(driver, by=request.user, context=engagement),
    )


def element_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    element = (
        get_object_or_404(StrategyElement, pk=pk, account=engagement.account_id) if pk
        else StrategyElement(account=engagement.account)
    )
    initial = {k: request.GET[k] for k in ("kind", "parent") if request.GET.get(k)} if not pk else None
    form = ElementForm(
        request.POST or None, instance=element, account_id=engagement.account_id, initial=initial
    )
    return form_page(
        request, engagement, form, title="Strategy element", back=_url(engagement, "chain"),
        save=lambda: actions.save_item(form.instance, by=request.user, context=engagement),
        delete_url=reverse("preparation_element_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Ends: vision › goals › objectives. Means: mission › strategies › tactics. A "
              "strategy serves a goal; a tactic serves an objective.",
        saved="Strategy element saved.",
    )


@require_POST
def element_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_account_of(request, engagement_pk)
    element = get_object_or_404(StrategyElement, pk=pk, account=engagement.account_id)
    return deleted(
        request, _url(engagement, "chain"), "Strategy element",
        lambda: actions.delete_item(element, by=request.user, context=engagement),
    )


def link_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    link = (
        get_object_or_404(SolutionLink, pk=pk, engagement=engagement) if pk
        else SolutionLink(engagement=engagement)
    )
    form = LinkForm(request.POST or None, instance=link, engagement=engagement)
    return form_page(
        request, engagement, form, title="Where our solution serves their strategy",
        back=_url(engagement, "links"),
        save=lambda: actions.save_item(form.instance, by=request.user),
        delete_url=reverse("preparation_link_delete", args=[engagement.pk, pk]) if pk else "",
        saved="Link saved.",
    )


@require_POST
def link_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    link = get_object_or_404(SolutionLink, pk=pk, engagement=engagement)
    return deleted(
        request, _url(engagement, "links"), "Link", lambda: actions.delete_item(link, by=request.user)
    )


def contribution_form(
    request: AuthedRequest, engagement_pk: int, pk: int | None = None
) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    contribution = (
        get_object_or_404(Contribution, pk=pk, engagement=engagement) if pk
        else Contribution(engagement=engagement)
    )
    form = ContributionForm(request.POST or None, instance=contribution, engagement=engagement)
    return form_page(
        request, engagement, form, title="Product → function → output → outcome contribution",
        back=_url(engagement, "contributions"),
        save=lambda: actions.save_item(form.instance, by=request.user),
        delete_url=reverse("preparation_contribution_delete", args=[engagement.pk, pk]) if pk else "",
        intro="For example: video meetings → online meetings → the team collaborates → +20 % "
              "productivity.",
        saved="Contribution saved.",
    )


@require_POST
def contribution_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    contribution = get_object_or_404(Contribution, pk=pk, engagement=engagement)
    return deleted(
        request, _url(engagement, "contributions"), "Contribution",
        lambda: actions.delete_item(contribution, by=request.user),
    )
