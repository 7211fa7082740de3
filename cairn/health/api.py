"""REST endpoints for health: scorecards (leaders write), scores and explanations, ratings."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from cairn.api import READ_ERRORS, WRITE_ERRORS, user_of
from cairn.customers.models import Account
from cairn.health import actions
from cairn.health.forms import MeasureForm, ScorecardForm, bands_text
from cairn.health.history import StoredScore, account_history, stored
from cairn.health.models import ManualRating, Measure, Scorecard
from cairn.health.schemas import (
    MeasureSchema,
    RatingIn,
    RatingOut,
    ScorecardIn,
    ScorecardOut,
    ScoreOut,
    ScorePoint,
)
from cairn.people import access

router = Router(tags=["health"])


def _cards() -> QuerySet[Scorecard]:
    return Scorecard.objects.prefetch_related("measures")


@router.get("/scorecards", response=list[ScorecardOut], summary="List scorecards")
def list_scorecards(request: HttpRequest) -> QuerySet[Scorecard]:
    return _cards()


@router.get("/scorecards/{int:card_id}", response={200: ScorecardOut, **READ_ERRORS})
def get_scorecard(request: HttpRequest, card_id: int) -> Scorecard:
    return get_object_or_404(_cards(), pk=card_id)


def _form_errors(prefix: str, form: Any) -> dict[str, list[str]]:
    names = {"bands_text": "bands"}
    return {
        f"{prefix}{names.get(field, field)}": [str(e) for e in errors]
        for field, errors in form.errors.items()
    }


def _measures(card: Scorecard, items: list[MeasureSchema]) -> tuple[list[Measure], list[Measure]]:
    """The payload's measures, validated by the editor's own form: the same rules and the same
    messages, named `measures.<n>.<field>`."""
    existing = {m.pk: m for m in card.measures.all()} if card.pk else {}
    kept: list[Measure] = []
    errors: dict[str, list[str]] = {}
    for n, item in enumerate(items):
        data = item.dict()
        instance = existing.get(data.pop("id") or 0) or Measure(scorecard=card)
        bands = [{"from": b["low"], "to": b["high"], "points": b["points"]} for b in data.pop("bands")]
        data["bands_text"] = bands_text(bands)
        form = MeasureForm(data={k: "" if v is None else v for k, v in data.items()}, instance=instance)
        if form.is_valid():
            kept.append(form.instance)
        errors.update(_form_errors(f"measures.{n}.", form))
    if errors:
        raise ValidationError(errors)
    deleted = [m for pk, m in existing.items() if pk not in {m.pk for m in kept}]
    return kept, deleted


def _save(request: HttpRequest, card: Scorecard, payload: ScorecardIn) -> Scorecard:
    user = user_of(request)
    access.leader(user, "Only leaders may change scorecards.")
    data = payload.dict()
    items = payload.measures
    data.pop("measures")
    form = ScorecardForm(data=data, instance=card)
    if not form.is_valid():
        raise ValidationError(_form_errors("", form))
    kept, deleted = _measures(form.instance, items)
    return actions.save_scorecard(form.instance, kept, by=user, deleted=deleted)


@router.post("/scorecards", response={201: ScorecardOut, **WRITE_ERRORS}, summary="Create a scorecard")
def create_scorecard(request: HttpRequest, payload: ScorecardIn) -> tuple[int, Scorecard]:
    card = _save(request, Scorecard(), payload)
    return 201, _cards().get(pk=card.pk)


@router.put("/scorecards/{int:card_id}", response={200: ScorecardOut, **WRITE_ERRORS})
def update_scorecard(request: HttpRequest, card_id: int, payload: ScorecardIn) -> Scorecard:
    card = get_object_or_404(Scorecard, pk=card_id)
    _save(request, card, payload)
    return _cards().get(pk=card.pk)


@router.get("/accounts/{int:account_id}/score", response={200: ScoreOut, **READ_ERRORS},
            summary="An account's latest score with its explanation")
def latest_score(request: HttpRequest, account_id: int) -> StoredScore:
    account = get_object_or_404(Account, pk=account_id)
    latest = stored(account.pk)
    if latest is None:
        raise Http404("This account has not been scored yet.")
    return latest


@router.get("/accounts/{int:account_id}/scores", response={200: list[ScorePoint], **READ_ERRORS},
            summary="An account's score history, oldest first")
def score_history(request: HttpRequest, account_id: int) -> list[dict[str, Any]]:
    account = get_object_or_404(Account, pk=account_id)
    return [
        {"scored_on": day, "score": score, "light": light}
        for day, score, light in account_history(account.pk)
    ]


@router.get("/accounts/{int:account_id}/ratings", response={200: list[RatingOut], **READ_ERRORS})
def list_ratings(request: HttpRequest, account_id: int) -> QuerySet[ManualRating]:
    account = get_object_or_404(Account, pk=account_id)
    return ManualRating.objects.filter(account=account)


@router.post("/accounts/{int:account_id}/ratings", response={201: RatingOut, **WRITE_ERRORS},
             summary="Rate an indicator of an account (a CSM's judgement)")
def rate(request: HttpRequest, account_id: int, payload: RatingIn) -> tuple[int, ManualRating]:
    user = user_of(request)
    account = access.editable_account(user, account_id, message="You may not rate this account.")
    rating = actions.rate_account(account, **payload.dict(), by=user)
    return 201, rating
