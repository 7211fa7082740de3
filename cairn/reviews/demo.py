"""Demo content for business reviews.

Halvorsen Maritime (the value-phase account) is reviewed every quarter: Priya and Lena meet
Ingrid, Mats and Sofie for an hour by video. The last review was held twelve days ago (the
value statements went out the day after it): Priya prepared it two weeks before, edited the
summary, built the deck and the PDF, and recorded the minutes, three decisions and two
follow-up tasks (Priya's done, Lena's still open); the next is a quarter on.
Brightwater Utilities (the strategic account) has its first executive business review in
three weeks, on site for two hours, then once a year; Tomas prepared its draft two days ago,
so it is in his "my work".

Loaded after the usage and the scores, so the reviews' figures (usage, health, support) are
there when their text is gathered. Every row is dated in the story, relative to `today`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cairn.customers.models import Account, Contact
from cairn.people.models import User
from cairn.reviews import actions
from cairn.reviews.models import Format, Kind, Program
from cairn.timeline.actions import complete_task

QBR_ACCOUNT = "halvorsen-maritime"
EBR_ACCOUNT = "brightwater-utilities"
HELD_DAYS_AGO = 12  # the review the value statements followed (cairn.value.demo)
EBR_IN_DAYS = 21

QBR_PURPOSE = (
    "Show Halvorsen's fleet managers the fuel saved against what the contract promised, how the "
    "masters use the platform, and the support and risks of the quarter; agree the next quarter's "
    "priorities. Halvorsen gets a view across the fleet it has nowhere else; we learn early where "
    "adoption slips and earn the Baltic fleet."
)
EBR_PURPOSE = (
    "Once a year Brightwater's executives see what the control room gained (restoration times, "
    "alarms in one place) in the terms of their grid strategy, and decide the next year's scope "
    "with us: the renewables subsidiary, the SCADA upgrade, the investment."
)
SUMMARY_NOTE = (
    "Since the last review the pilot vessels cut fuel per nautical mile by 6 %: the weekly fuel "
    "review is the reason. The ask: the same for the Baltic fleet."
)
MINUTES = (
    "Ingrid opened with the fuel bill: down on the pilot vessels, and the voyage accounts show it. "
    "Mats walked through the weekly fuel review; two masters still skip it in port weeks. Sofie "
    "raised the sensor gateway Kari's team will move to in the spring: the connector must be "
    "tested first. Ingrid wants the same view for the Baltic fleet next year and asked for a "
    "fuel baseline to size it. The renewal was mentioned; procurement will be involved early."
)
DECISIONS = (
    "The weekly fuel review becomes mandatory on every North Sea vessel, port weeks included",
    "Kari's team tests Beacon Connect on the new sensor gateway before the sensors move",
    "Priya sizes the Baltic fleet with a fuel baseline for Ingrid",
)


def load(accounts: dict[str, Account], users: dict[str, User], today: dt.date,
         stamp: Callable[[dt.date], None]) -> None:
    """`stamp(day)` dates what was written since the last stamp on that day."""
    if QBR_ACCOUNT in accounts:
        _halvorsen(accounts[QBR_ACCOUNT], users, today, stamp)
    if EBR_ACCOUNT in accounts:
        _brightwater(accounts[EBR_ACCOUNT], users, today, stamp)


def _contacts(account: Account, *first_names: str) -> list[Contact]:
    found = {c.first_name: c for c in Contact.objects.filter(account=account, first_name__in=first_names)}
    return [found[name] for name in first_names if name in found]


def _halvorsen(account: Account, users: dict[str, User], today: dt.date,
               stamp: Callable[[dt.date], None]) -> None:
    days = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    priya, lena = users["priya"], users["lena"]
    held_on = days(-HELD_DAYS_AGO)

    program = actions.create_program(Program(
        account=account, kind=Kind.QBR, purpose=QBR_PURPOSE, cadence_months=3, duration_minutes=60,
        format=Format.VIDEO, next_date=held_on,
    ), ours=[priya, lena], theirs=_contacts(account, "Ingrid", "Mats", "Sofie"), by=priya)
    stamp(days(-HELD_DAYS_AGO - 40))

    # The last review: prepared two weeks before, its summary edited, its deck built.
    review = actions.prepare_review(program, actions.Prepare(date=held_on), by=priya)
    stamp(days(-HELD_DAYS_AGO - 14))
    review = actions.update_review(review, {"summary": f"{SUMMARY_NOTE}\n{review.summary}"}, by=priya)
    stamp(days(-HELD_DAYS_AGO - 10))
    review = actions.export_review(review, by=priya)
    stamp(days(-HELD_DAYS_AGO - 3))

    # Held: the minutes, the decisions, two follow-ups. The next review moves a quarter on.
    actions.record_meeting(review, actions.Meeting(held_on=held_on, minutes=MINUTES, decisions=DECISIONS),
                           by=priya)
    baseline = actions.add_follow_up(review, actions.Task(
        title="Send Ingrid a fuel baseline for the Baltic fleet", assignee=priya,
        due_date=days(-3),
        description="Twelve vessels: last year's fuel per nautical mile, from the noon reports.",
    ), by=priya)
    actions.add_follow_up(review, actions.Task(
        title="Agree the sensor gateway test plan with Kari", assignee=lena, due_date=days(7),
        description="Beacon Connect on the new gateway, before the fuel sensors move in the spring.",
    ), by=priya)
    stamp(held_on)
    complete_task(baseline.task, priya)
    stamp(days(-4))


def _brightwater(account: Account, users: dict[str, User], today: dt.date,
                 stamp: Callable[[dt.date], None]) -> None:
    tomas, leader = users["tomas"], users["demo"]
    ours = [tomas, leader] + ([users["priya"]] if "priya" in users else [])
    program = actions.create_program(Program(
        account=account, kind=Kind.EBR, purpose=EBR_PURPOSE, cadence_months=12, duration_minutes=120,
        format=Format.ON_SITE, next_date=today + dt.timedelta(days=EBR_IN_DAYS),
    ), ours=ours, theirs=_contacts(account, "Dana", "Marcus"), by=tomas)
    stamp(today - dt.timedelta(days=35))
    # Its draft, ready for Tomas to edit.
    assert program.next_date is not None
    actions.prepare_review(program, actions.Prepare(date=program.next_date), by=tomas)
    stamp(today - dt.timedelta(days=2))
