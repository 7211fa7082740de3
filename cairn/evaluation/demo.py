"""Demo content for engagement evaluation: Halvorsen's rounds (one closed during value
realization, the current one under way), lessons gathered from the challenge logs and written
afresh with tags, a Halvorsen report promoted to a team template and reused twice, and a
development plan for each demo CSM with a quarterly review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from cairn.adoption.models import Challenge
from cairn.customers.models import Account
from cairn.documents import actions as documents
from cairn.documents.actions import Details
from cairn.documents.models import Document, DocumentKind, DocumentType
from cairn.engagements.models import Engagement, Evaluation
from cairn.evaluation import actions
from cairn.evaluation.models import CompanyValue, CustomerValue, ItemStatus
from cairn.operations.demo_clock import at
from cairn.people.models import User

# The earlier round on Halvorsen, during value realization (days before today).
EARLIER = (-40, -33)

FRESH_LESSONS = [
    ("tomas", "Agree the measure before the kick-off, not at the first review",
     "The restoration-time baseline was argued over for three weeks after go-live.",
     "Write the KPI's formula and data source into the proposal and have the sponsor sign it.",
     ["value", "kpis", "commitment"]),
    ("priya", "Executive sponsors want one number, not a dashboard",
     "The COO skipped two dashboard walk-throughs; a one-line fuel figure in her weekly mail got "
     "her attention.", "Agree with the sponsor the single figure they will follow, and send it weekly.",
     ["value", "sponsors", "reporting"]),
    ("lena", "Book trainers before the contract is signed",
     "Onboarding slipped two weeks waiting for the only trainer who knew the ERP connector.",
     "Reserve training capacity as soon as the proposal is agreed.", ["onboarding", "resourcing"]),
]

PLANS = {
    "priya": ("Lead the enterprise CS team within two years.",
              "Run QBRs that executives ask for\nCoach a junior CSM\nOwn a renewal book above 1 M ARR",
              [("Finish the executive presence course", 60, ItemStatus.IN_PROGRESS),
               ("Mentor Lena through her first EBR", 30, ItemStatus.PLANNED),
               ("Present the Halvorsen value story at the team offsite", -10, ItemStatus.DONE)],
              "demo"),
    "tomas": ("Become the team's expert on utilities and regulated industries.",
              "Know the grid regulations\nBuild trust with control-room operators",
              [("Complete the utilities regulation primer", 45, ItemStatus.PLANNED),
               ("Write the SCADA connector playbook", 90, ItemStatus.IN_PROGRESS)],
              "priya"),
    "lena": ("Grow from mid-market into enterprise accounts.",
             "Structured discovery\nConfident executive communication",
             [("Shadow Priya on two Halvorsen meetings", 20, ItemStatus.IN_PROGRESS),
              ("Lead an onboarding without a senior CSM", 120, ItemStatus.PLANNED)],
             "demo"),
}


def _day(today: dt.date, offset: int) -> dt.date:
    return today + dt.timedelta(days=offset)


def load(accounts: dict[str, Account], users: dict[str, User], today: dt.date,
         stamp: Callable[[dt.date], None]) -> None:
    engagements = {
        e.account_id: e for e in Engagement.objects.filter(account__in=accounts.values()).order_by("pk")
    }
    by_key = {key: engagements[a.pk] for key, a in accounts.items() if a.pk in engagements}
    halvorsen = by_key.get("halvorsen-maritime")
    if halvorsen is not None:
        _rounds(halvorsen, users["priya"], today, stamp)
    for key, username in (("halvorsen-maritime", "priya"), ("brightwater-utilities", "tomas")):
        if key in by_key:
            _gather(by_key[key], users[username], today, stamp)
    for username, title, happened, next_time, tags in FRESH_LESSONS:
        source = next((e for e in by_key.values() if e.owner_id == users[username].pk), None)
        actions.create_lesson(
            {"title": title, "what_happened": happened, "next_time": next_time, "engagement": source},
            tags, by=users[username],
        )
        stamp(_day(today, -20))
    _templates(by_key, users, today, stamp)
    _plans(users, today, stamp)


def _rounds(engagement: Engagement, priya: User, today: dt.date, stamp: Callable[[dt.date], None]) -> None:
    opened, closed = EARLIER
    earlier = Evaluation.objects.create(
        engagement=engagement, opened_at=at(_day(today, opened)), opened_by=priya,
        closed_at=at(_day(today, closed), 15),
    )
    # The current round is open already and only one may be: the earlier one is written
    # as its answers stood when it closed.
    for what, how, customer, us in [
        ("Weekly fuel review running on 85 % of the fleet",
         "Review logs per vessel, counted by Kari Lunde from the platform.", True, True),
        ("Fuel per nautical mile down from 212 to 203 kg/nm",
         "Bunker notes against distance sailed, monthly.", False, True),
    ]:
        CustomerValue(round=earlier, what=what, measured_how=how, known_to_customer=customer,
                      known_to_us=us).save()
    for kind, description, teams in [
        ("retention", "Renewal conversation opened with a value story.", "sales,leadership"),
        ("product_insight", "Dashboards at sea need an offline summary mode.", "product"),
    ]:
        CompanyValue(round=earlier, kind=kind, description=description, reported_to=teams).save()
    stamp(_day(today, closed))
    current = engagement.evaluations.filter(closed_at__isnull=True).first()
    if current is None:
        return
    actions.add_customer_value(current, {
        "what": "Fuel per nautical mile down 6 % (212 to 199 kg/nm)",
        "measured_how": "Monthly bunker figures per vessel against the baseline quarter.",
        "known_to_customer": True, "known_to_us": True,
    }, by=priya)
    actions.set_company_value(current, "expansion",
                              "Forecasting for the Baltic fleet discussed with the COO.", ["sales"], by=priya)
    actions.set_company_value(current, "experience_insight",
                              "Captains trust figures they can trace to the source.",
                              ["product", "marketing", "support"], by=priya)
    stamp(_day(today, -2))


def _gather(engagement: Engagement, by: User, today: dt.date, stamp: Callable[[dt.date], None]) -> None:
    flagged = list(Challenge.objects.filter(engagement=engagement, is_lesson=True).order_by("pk"))
    if flagged:
        actions.gather_lessons(engagement, flagged, ["adoption", engagement.account.industry[:40]], by=by)
        stamp(_day(today, EARLIER[1]))


def _templates(by_key: dict[str, Engagement], users: dict[str, User], today: dt.date,
               stamp: Callable[[dt.date], None]) -> None:
    halvorsen = by_key.get("halvorsen-maritime")
    if halvorsen is None:
        return
    source = (
        Document.objects.filter(engagement=halvorsen, kind=DocumentKind.WRITTEN,
                                current_version__isnull=False)
        .order_by("-doc_type", "pk").first()
    )
    if source is None:
        return
    title = f"{source.get_doc_type_display()} (from Halvorsen)"
    template = actions.promote(source, by=users["priya"], title=title)
    stamp(_day(today, -30))
    body = template.current_version.body if template.current_version else ""
    for key, username, offset in (("brightwater-utilities", "tomas", -25), ("meridian-health", "priya", -12)):
        engagement = by_key.get(key)
        if engagement is None:
            continue
        documents.create_written(
            engagement, Details(title=f"{source.get_doc_type_display()}: {engagement.account.name}",
                                doc_type=source.doc_type or DocumentType.OTHER),
            body, by=users[username], template=template,
        )
        stamp(_day(today, offset))


def _plans(users: dict[str, User], today: dt.date, stamp: Callable[[dt.date], None]) -> None:
    for username, (vision, factors, items, reviewer) in PLANS.items():
        if username not in users:
            continue
        user = users[username]
        plan = actions.save_plan(user, {"career_vision": vision, "success_factors": factors}, by=user)
        for title, offset, status in items:
            actions.add_item(plan, {"title": title, "target_date": _day(today, offset), "status": status},
                             by=user)
        stamp(_day(today, -100))
        held = min(_day(today, -14), timezone.localdate())
        actions.add_review(
            plan, held_on=held, reviewer=users[reviewer], by=users[reviewer],
            notes="Quarterly review: good progress on the executive work; keep the mentoring going.",
            next_steps="Book the next review for next quarter; pick one stretch account.",
        )
        stamp(held)
