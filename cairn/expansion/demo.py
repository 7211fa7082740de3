"""Demo content for expansion and advocacy, on the account whose engagement is in the value
phase (Halvorsen Maritime; its evaluation is open too).

The leader's hand-off policy: 20,000 ARR and a confirmed need. Priya spotted more Beacon
Forecasting for the Baltic fleet in the spring; Sales won it at 10,000 ARR, to start with the
renewal term (part of the renewal's target). A cross-sell of
Beacon Connect to the engine monitoring system is at the proposal stage with Sales; one for
the chartering desk was lost (they built it in-house); more seats for the shore planners are
too small for Sales and stay with the CSM. Advocacy: Mats Eriksen's case study is published,
Anders Moe accepted a reference call, Sofie Dahl declined a conference talk. Named NPS answers
make Kari Lunde (never asked) and Mats Eriksen (asked four months ago) promoters to ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from cairn.customers.models import Account, Contact, Product
from cairn.expansion import actions
from cairn.expansion.models import AdvocacyAsk, AskKind, AskStatus, HandoffPolicy, Kind, Opportunity, Stage
from cairn.people.models import User
from cairn.usage.models import SurveyResponse

ACCOUNT = "halvorsen-maritime"

POLICY = (
    "Hand an opportunity to Sales once a customer contact has confirmed the need and it is worth "
    "at least 20,000 ARR. Smaller expansions stay with the CSM and are signed with the renewal. "
    "Ask the account executive first and create the opportunity in the CRM before handing it over."
)

SALES = ("Erik Svendsen", "erik.svendsen@beacon-sales.example")


def _contact(account: Account, first: str) -> Contact:
    return Contact.objects.get(account=account, first_name=first)


def load(accounts: dict[str, Account], users: dict[str, User], today: dt.date,
         stamp: Callable[[dt.date], None]) -> None:
    """`stamp(day)` dates what was written since the last stamp on that day."""
    account = accounts.get(ACCOUNT)
    if account is None:
        return
    days = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    leader, priya, lena = users["demo"], users["priya"], users["lena"]
    engagement = account.engagements.order_by("pk").first()
    products = {p.sku: p for p in Product.objects.filter(sku__in=["BOP", "BFC", "BCN"])}
    people = {name: _contact(account, name) for name in ("Mats", "Sofie", "Anders", "Kari")}

    # A policy a leader already set is the company's: the demo does not replace it.
    if not HandoffPolicy.objects.exists():
        actions.save_policy(HandoffPolicy(
            text=POLICY, minimum_amount=Decimal(20_000), requires_confirmation=True,
        ), by=leader)
        stamp(days(200))

    def spot(kind: str, sku: str, title: str, amount: int, day: int, by: User, description: str,
             closes: int) -> Opportunity:
        found = actions.create_opportunity(Opportunity(
            account=account, engagement=engagement, product=products.get(sku), kind=kind,
            title=title, description=description, amount=Decimal(amount), spotted_by=by,
            expected_close=today + dt.timedelta(days=closes),
        ), by=by)
        stamp(days(day))
        return found

    def hand(found: Opportunity, day: int, crm: str, contact: str) -> None:
        actions.hand_off(found, actions.Handoff(
            sales_owner_name=SALES[0], sales_owner_email=SALES[1], crm_reference=crm,
            confirmed_by=people[contact], handed_on=days(day),
        ), by=found.spotted_by or priya)
        stamp(days(day))

    def move(found: Opportunity, stage: str, day: int) -> None:
        actions.update_opportunity(found, {"stage": stage}, by=found.spotted_by or priya)
        stamp(days(day))

    # Won: more forecasting seats for the Baltic fleet, starting with the renewal term.
    baltic = spot(
        Kind.UPSELL, "BFC", "Beacon Forecasting for the Baltic fleet", 20_000, 170, priya,
        "Mats wants the fuel forecasts on the twelve Baltic vessels too: 30 more forecasting seats.",
        -80,
    )
    hand(baltic, 160, "CRM-OPP-4471", "Mats")
    move(baltic, Stage.QUALIFIED, 140)
    move(baltic, Stage.PROPOSAL, 110)
    actions.close(baltic, actions.Close(
        Stage.WON, closed_amount=Decimal(10_000), closed_on=days(75),
        reason="Signed at 10,000 ARR for 30 seats after a volume discount; starts with the renewal "
               "term, so it is part of the renewal's target.",
    ), by=priya)
    stamp(days(75))

    # Lost: forecasting for the chartering desk.
    chartering = spot(
        Kind.UPSELL, "BFC", "Forecasting for the chartering desk", 25_000, 150, lena,
        "The chartering desk prices voyages on last year's fuel: our forecasts would help.", -90,
    )
    hand(chartering, 135, "CRM-OPP-4502", "Sofie")
    actions.close(chartering, actions.Close(
        Stage.LOST, closed_on=days(95),
        reason="The chartering desk built its own model on Kari's data platform; Sofie offered "
               "to revisit once it needs maintaining.",
    ), by=lena)
    stamp(days(95))

    # Open with Sales: Beacon Connect to the engine monitoring system.
    connect = spot(
        Kind.CROSS_SELL, "BCN", "Beacon Connect to the engine monitoring system", 32_000, 55, priya,
        "Engine data arrives as nightly files; a live connector would feed the fuel alerts.", 45,
    )
    hand(connect, 40, "CRM-OPP-4618", "Sofie")
    move(connect, Stage.QUALIFIED, 30)
    move(connect, Stage.PROPOSAL, 12)

    # Kept by the CSM: under the policy's minimum.
    spot(
        Kind.UPSELL, "BOP", "Operations Platform seats for the shore planners", 9_000, 20, lena,
        "Fifteen shore-side planners asked for access to the fleet dashboards.", 40,
    )

    _advocacy(account, people, priya, lena, days, stamp)


def _advocacy(account: Account, people: dict[str, Contact], priya: User, lena: User,
              days: Callable[[int], dt.date], stamp: Callable[[dt.date], None]) -> None:
    mats, sofie, anders, kari = people["Mats"], people["Sofie"], people["Anders"], people["Kari"]
    case_study = actions.create_ask(AdvocacyAsk(
        contact=mats, kind=AskKind.CASE_STUDY, status=AskStatus.ASKED, asked_on=days(120),
        notes="A case study on fuel per nautical mile, with the before and after.",
    ), by=priya)
    stamp(days(120))
    actions.update_ask(case_study, {"status": AskStatus.ACCEPTED}, by=priya)
    stamp(days(110))
    actions.update_ask(case_study, {
        "status": AskStatus.DONE, "done_on": days(60),
        "notes": "Published: “8 % less fuel per nautical mile in a year”. Mats approved every figure.",
    }, by=priya)
    stamp(days(60))
    actions.create_ask(AdvocacyAsk(
        contact=sofie, kind=AskKind.SPEAKING, status=AskStatus.DECLINED, asked_on=days(75),
        notes="Asked to speak at the Beacon user conference; company policy is no public talks "
              "during the tender season.",
    ), by=priya)
    stamp(days(70))
    actions.create_ask(AdvocacyAsk(
        contact=anders, kind=AskKind.REFERENCE_CALL, status=AskStatus.ACCEPTED, asked_on=days(20),
        notes="Will take a reference call from a ferry operator evaluating the platform.",
    ), by=lena)
    stamp(days(18))
    # Named answers to the last NPS survey: the promoters the advocacy page suggests.
    for n, (contact, score, ago) in enumerate(((kari, 10, 25), (mats, 9, 18), (anders, 10, 16))):
        SurveyResponse.objects.create(
            external_id=f"demo-nps-named-{account.external_id}-{n}", account=account, contact=contact,
            score=score, answered_at=timezone.make_aware(dt.datetime.combine(days(ago), dt.time(9))),
            comment="",
        )
    stamp(days(16))
