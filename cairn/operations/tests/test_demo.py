"""`cairn demo`: migrated, loaded once, and a new user can log in and find customers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from cairn.customers.models import Account, Contact, Subscription
from cairn.documents.models import Document, DocumentVersion
from cairn.engagements.models import (
    ActivityStatus,
    Engagement,
    EngagementActivity,
    EngagementOutput,
    Evaluation,
    Outcome,
    PhaseMove,
)
from cairn.operations.demo_content import DEMO_PASSWORD, DEMO_USERNAME
from cairn.people.models import User
from cairn.timeline.models import Entry, Task, TaskStatus

pytestmark = pytest.mark.django_db

COUNTED = [Account, Contact, Subscription, Engagement, EngagementActivity, Outcome, PhaseMove,
           Document, DocumentVersion, Entry, Task, User, Evaluation]


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_running_the_demo_twice_does_not_duplicate_anything() -> None:
    first = demo()
    after_first = counts()
    second = demo()

    assert "Demo data loaded." in first
    assert "already loaded" in second
    assert counts() == after_first
    assert after_first["Account"] >= 6


def test_the_demo_prints_the_url_and_the_demo_login() -> None:
    output = demo("--port", "8123")

    assert "http://127.0.0.1:8123/" in output
    assert f"{DEMO_USERNAME} / {DEMO_PASSWORD}" in output


def test_the_demo_engagements_stand_in_at_least_five_phases() -> None:
    demo()

    phases = set(Engagement.objects.values_list("current_phase__key", flat=True))
    assert len(phases) >= 5
    assert {"preparation", "commitment", "onboarding", "adoption-planning",
            "adoption-implementation", "value-realization"} <= phases
    realizing = Engagement.objects.get(current_phase__key="value-realization")
    assert realizing.evaluations.filter(closed_at__isnull=True).count() == 1


def test_the_demo_user_can_log_in_through_the_login_form() -> None:
    demo()
    client = Client()

    response = client.post("/login/", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.wsgi_request.user.username == DEMO_USERNAME
    assert client.get("/").status_code == 200


def test_every_demo_user_can_log_in_with_the_demo_password() -> None:
    demo()

    for user in User.objects.filter(email__endswith="@demo.cairn.example"):
        assert Client().login(username=user.username, password=DEMO_PASSWORD), user.username
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "leader", "csm",
                                                                "readonly"}


def test_the_demo_shows_work_at_every_stage_of_an_engagement() -> None:
    demo()
    today = timezone.localdate()

    assert EngagementActivity.objects.filter(status=ActivityStatus.DONE).exists()
    skipped = EngagementActivity.objects.filter(status=ActivityStatus.SKIPPED)
    assert skipped.exists() and not skipped.filter(skip_reason="").exists()
    assert EngagementOutput.objects.filter(delivered=True, document__isnull=False).exists()
    assert PhaseMove.objects.filter(overridden=True).exclude(reason="").count() == 1
    assert Outcome.objects.filter(baseline__isnull=False, current__isnull=False).exists()
    assert DocumentVersion.objects.filter(number=2).exists()
    assert Document.objects.filter(is_template=True).count() == 1
    assert Contact.objects.filter(reports_to__isnull=False).count() >= 10
    assert Account.objects.filter(parent__isnull=False).exists()
    soon = today + dt.timedelta(days=90)
    assert Subscription.objects.filter(end_date__gte=today, end_date__lte=soon).count() >= 3
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN, assignee__username=DEMO_USERNAME)
    assert open_tasks.filter(due_date__lt=today).exists()
    assert open_tasks.filter(due_date__gte=today).exists()
    assert {"meeting", "call", "email", "note"} <= set(Entry.objects.values_list("kind", flat=True))


def test_the_demo_story_is_dated_relative_to_today() -> None:
    demo()
    today = timezone.localdate()

    moves = PhaseMove.objects.exclude(from_phase=None)
    assert moves.filter(moved_at__date__lt=today - dt.timedelta(days=30)).exists()
    assert not Entry.objects.filter(occurred_at__date__gt=today).exists()
    assert Engagement.objects.filter(start_date__lt=today - dt.timedelta(days=200)).exists()


def test_reset_reloads_the_demo_and_leaves_other_data_alone(acme: Account) -> None:
    demo()
    loaded = counts()
    Account.objects.filter(external_id="demo-orchard-lane").delete()

    output = demo("--reset")

    assert "Demo data removed." in output
    assert Account.objects.filter(external_id="demo-orchard-lane").exists()
    assert Account.objects.filter(pk=acme.pk).exists()
    after = counts()
    # acme and its owner carol were there before the first run, and are still there.
    assert after == loaded


def test_the_demo_refuses_to_take_over_an_existing_user_name(django_user_model) -> None:  # type: ignore[no-untyped-def]
    django_user_model.objects.create_user(username="priya", password="x" * 12)

    with pytest.raises(CommandError, match="reserved for the demo"):
        demo()

    assert not Account.objects.exists()


def test_the_demo_serves_with_waitress_unless_told_not_to(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    served: list[dict[str, object]] = []
    monkeypatch.setattr("waitress.serve", lambda app, **kw: served.append(kw))

    call_command("demo", "--port", "8124", "--host", "127.0.0.1", "--no-worker", stdout=io.StringIO())

    assert served[0] | {"max_request_body_size": 0} == {
        "host": "127.0.0.1", "port": 8124, "threads": 8, "ident": "Cairn", "max_request_body_size": 0
    }


def test_reset_refuses_to_remove_demo_users_who_own_other_work(acme: Account) -> None:
    from cairn.engagements.actions import EngagementData, start_engagement

    demo()
    priya = User.objects.get(username="priya")
    start_engagement(
        acme, EngagementData(initiative="Real work", owner=priya, start_date=dt.date(2026, 1, 5)),
        by=priya,
    )
    before = counts()

    with pytest.raises(CommandError, match="reassign it before --reset"):
        demo("--reset")

    assert counts() == before


def test_every_demo_page_opens_for_the_demo_user() -> None:
    demo()
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USERNAME))
    urls = ["/", "/my-work/"]
    urls += [a.get_absolute_url() for a in Account.objects.all()]
    urls += [e.get_absolute_url() for e in Engagement.objects.all()]
    urls += [d.get_absolute_url() for d in Document.objects.filter(is_template=False)[:5]]

    statuses = {url: client.get(url).status_code for url in urls}

    assert set(statuses.values()) == {200}, statuses
    assert "Halvorsen Maritime" in client.get("/").content.decode()


def test_the_demo_scores_every_account_from_its_usage() -> None:
    from cairn.health.models import AccountHealth
    from cairn.metrics.models import MetricValue
    from cairn.usage.models import IngestBatch, SupportTicket, SurveyResponse

    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert sum(IngestBatch.objects.values_list("stored", flat=True)) > 10_000
    assert SupportTicket.objects.filter(status="open", priority="urgent").exists()
    assert SurveyResponse.objects.exists()
    assert MetricValue.objects.exists()
    scored = AccountHealth.objects.exclude(score=None)
    assert scored.count() == Account.objects.count()
    # The hospital group whose usage slides is the one at the bottom.
    assert scored.order_by("score").first().account.name == "Meridian Health Partners"
