"""The world every route is called in: the demo's book, all of it Carol's.

The demo holds one or more of every kind of record (facts, RACI rows, KPIs, time entries,
shared links...), so each route finds a real object to act on. Its usage and scoring part
(a year of events, 26 weekly scores) is left out: no route needs it and it is most of the
demo's load time. Then Carol owns every account and engagement and every task, and nobody
else works on them, so Dave, a CSM with the same role, owns nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from unittest import mock

from django.db import models
from django.test import Client
from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.engagements.models import Engagement
from cairn.people.models import ApiToken, User
from conftest import PASSWORD

PERSONAS = {
    "adam": ("admin", "Adam", "Admin"),
    "alice": ("leader", "Alice", "Leader"),
    "carol": ("csm", "Carol", "Owner"),
    "dave": ("csm", "Dave", "Outsider"),
    "rita": ("readonly", "Rita", "Reader"),
}


@dataclasses.dataclass
class World:
    users: dict[str, User]
    engagement: Engagement
    account: Account
    tokens: dict[str, str]  # each persona's API key
    clients: dict[str, Client]  # each persona's browser, logged in
    link_token: str  # a customer link's token

    def first(self, model: type[models.Model], **filters: Any) -> models.Model:
        """An object of the model, one of the world's engagement or account if it has one."""
        query = model._default_manager.filter(**filters).order_by("pk")
        names = {f.name for f in model._meta.get_fields()}
        for field, value in (("engagement", self.engagement), ("account", self.account)):
            if field in names and query.filter(**{field: value}).exists():
                return query.filter(**{field: value}).first()  # type: ignore[return-value]
        obj = query.first()
        if obj is None:
            raise LookupError(
                f"The world has no {model._meta.label} {filters or ''}: add one in world.build."
            )
        return obj

    def pk(self, model: type[models.Model]) -> Any:
        if model is User:
            return self.users["carol"].pk
        return self.first(model).pk


def _light_usage(today: dt.date, clock: Any) -> None:
    from cairn.health.actions import ensure_default_scorecard
    from cairn.metrics.actions import load_standard

    load_standard()
    ensure_default_scorecard()


def build() -> World:
    from cairn.onboarding.models import OnboardingPlan, TimeEntry
    from cairn.operations import demo_data, demo_usage
    from cairn.timeline.models import Task
    from cairn.usage.models import SupportTicket, SurveyResponse

    with mock.patch.object(demo_usage, "load", _light_usage):
        demo_data.load(timezone.localdate())
    users = {
        name: User.objects.create_user(
            username=name, password=PASSWORD, role=role, first_name=first, last_name=last,
            email=f"{name}@cairn.test",
        )
        for name, (role, first, last) in PERSONAS.items()
    }
    carol = users["carol"]
    Account.objects.update(owner=carol)
    Engagement.objects.update(owner=carol)
    Engagement.team.through.objects.all().delete()
    Task.objects.update(assignee=carol)
    TimeEntry.objects.update(user=carol)
    # The engagement whose tools reach furthest: it has an onboarding plan and more.
    plan = OnboardingPlan.objects.select_related("engagement__account").order_by("pk").first()
    assert plan is not None, "The demo has no onboarding plan any more."
    engagement = plan.engagement
    account = engagement.account
    contact = Contact.objects.filter(account=account).first()
    now = timezone.now()
    SupportTicket.objects.create(
        external_id="W-1", account=account, contact=contact, subject="Export fails", opened_at=now
    )
    SurveyResponse.objects.create(
        external_id="W-S-1", account=account, contact=contact, score=8, answered_at=now
    )
    from cairn.commitment.models import RaciMember
    from cairn.health.models import Scorecard
    from cairn.health.trust.models import WeightSuggestion
    from cairn.preparation.models import DriverType, PestleCategory, PestleDriver
    from cairn.sharing.models import SharedLink

    RaciMember.objects.create(engagement=engagement, user=carol)
    WeightSuggestion.objects.create(
        scorecard=Scorecard.objects.order_by("pk").first(), lead_days=90,
        as_of=timezone.localdate(), created_by=users["alice"],
    )
    if not PestleDriver.objects.filter(account=account).exists():
        PestleDriver.objects.create(
            account=account, category=PestleCategory.values[0], title="Grid levy",
            driver_type=DriverType.values[0],
        )

    from cairn.sharing.actions import hash_token

    # A copy of one of the demo's links whose token the world knows (the demo keeps hashes).
    link = SharedLink.objects.order_by("pk").first()
    assert link is not None, "The demo has no shared link any more."
    link.pk = None
    link.token = "permissions-world-link-token"  # type: ignore[attr-defined]
    link.token_hash = hash_token(link.token)  # type: ignore[attr-defined]
    link.save()
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in users.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return World(
        users=users, engagement=engagement, account=account,
        tokens={name: ApiToken.issue(user, "permissions")[1] for name, user in users.items()},
        clients=clients, link_token=link.token,
    )
