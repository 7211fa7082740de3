"""Records the expansion tests start from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.expansion import actions
from cairn.expansion.models import AdvocacyAsk, AskStatus, HandoffPolicy, Opportunity
from cairn.people.models import User
from cairn.usage.models import SurveyResponse


def opportunity(account: Account, by: User, **fields: Any) -> Opportunity:
    fields.setdefault("title", "More seats for the night shift")
    fields.setdefault("amount", Decimal("30000"))
    return actions.create_opportunity(Opportunity(account=account, **fields), by=by)


def handed(account: Account, by: User, **fields: Any) -> Opportunity:
    found = opportunity(account, by, **fields)
    return actions.hand_off(found, actions.Handoff("Sam Seller", "sam@sales.example", "CRM-1"), by=by)


def policy(by: User, minimum: str = "0", confirmation: bool = False, text: str = "") -> HandoffPolicy:
    return actions.save_policy(HandoffPolicy(
        text=text, minimum_amount=Decimal(minimum), requires_confirmation=confirmation,
    ), by=by)


def contact(account: Account, first: str = "Pat", email: str = "") -> Contact:
    return Contact.objects.create(account=account, first_name=first, last_name="Jones", email=email)


_answers = [0]


def answer(who: Contact, score: int, days_ago: int = 5) -> SurveyResponse:
    _answers[0] += 1
    return SurveyResponse.objects.create(
        external_id=f"t-{_answers[0]}", account=who.account, contact=who, score=score,
        answered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def ask(who: Contact, by: User, **fields: Any) -> AdvocacyAsk:
    fields.setdefault("status", AskStatus.PLANNED)
    return actions.create_ask(AdvocacyAsk(contact=who, **fields), by=by)
