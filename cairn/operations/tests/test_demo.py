"""What `cairn demo` loads: a CS team, its customers at every stage, their usage and scores.

The demo is loaded once for this module (the `loaded_demo` fixture in the root conftest) and
each test reads it, or changes it inside its own savepoint. Loading afresh, resetting and
refusing to load are in test_demo_command.py.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from cairn.customers.models import Account, Contact, Subscription
from cairn.documents.models import Document, DocumentVersion
from cairn.engagements.models import (
    ActivityStatus,
    Engagement,
    EngagementActivity,
    EngagementOutput,
    Outcome,
    PhaseMove,
)
from cairn.operations.demo_content import DEMO_PASSWORD, DEMO_USERNAME
from cairn.operations.tests.test_demo_command import counts, demo
from cairn.people.models import User
from cairn.timeline.models import Entry, Task, TaskStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]


def test_the_first_run_loads_the_demo_and_prints_the_url_and_the_demo_login(loaded_demo) -> None:  # type: ignore[no-untyped-def]
    assert "Demo data loaded." in loaded_demo.output
    assert "http://127.0.0.1:8000/" in loaded_demo.output
    assert f"{DEMO_USERNAME} / {DEMO_PASSWORD}" in loaded_demo.output


def test_running_the_demo_again_does_not_duplicate_anything() -> None:
    loaded = counts()

    output = demo("--port", "8123")

    assert "already loaded" in output
    assert "http://127.0.0.1:8123/" in output
    assert counts() == loaded
    assert loaded["Account"] >= 6


def test_the_demo_engagements_stand_in_at_least_five_phases() -> None:
    phases = set(Engagement.objects.values_list("current_phase__key", flat=True))
    assert len(phases) >= 5
    assert {"preparation", "commitment", "onboarding", "adoption-planning",
            "adoption-implementation", "value-realization"} <= phases
    realizing = Engagement.objects.get(current_phase__key="value-realization")
    assert realizing.evaluations.filter(closed_at__isnull=True).count() == 1


def test_the_demo_user_can_log_in_through_the_login_form() -> None:
    client = Client()

    response = client.post("/login/", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.wsgi_request.user.username == DEMO_USERNAME
    assert client.get("/").status_code == 200


def test_every_demo_user_can_log_in_with_the_demo_password() -> None:
    for user in User.objects.filter(email__endswith="@demo.cairn.example"):
        # The login throttle (django-axes) needs the request it counts attempts for.
        assert Client().login(
            request=HttpRequest(), username=user.username, password=DEMO_PASSWORD
        ), user.username
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "leader", "csm",
                                                                "readonly"}


def test_the_demo_shows_work_at_every_stage_of_an_engagement() -> None:
    today = timezone.localdate()

    assert EngagementActivity.objects.filter(status=ActivityStatus.DONE).exists()
    skipped = EngagementActivity.objects.filter(status=ActivityStatus.SKIPPED)
    assert skipped.exists() and not skipped.filter(skip_reason="").exists()
    assert EngagementOutput.objects.filter(delivered=True, document__isnull=False).exists()
    assert PhaseMove.objects.filter(overridden=True).exclude(reason="").count() == 1
    assert Outcome.objects.filter(baseline__isnull=False, current__isnull=False).exists()
    assert DocumentVersion.objects.filter(number=2).exists()
    # The team's template, and one promoted from an engagement's document (evaluation).
    assert Document.objects.filter(is_template=True, origin__isnull=True).count() == 1
    assert Document.objects.filter(is_template=True, origin__isnull=False).count() == 1
    assert Contact.objects.filter(reports_to__isnull=False).count() >= 10
    assert Account.objects.filter(parent__isnull=False).exists()
    soon = today + dt.timedelta(days=90)
    assert Subscription.objects.filter(end_date__gte=today, end_date__lte=soon).count() >= 3
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN, assignee__username=DEMO_USERNAME)
    assert open_tasks.filter(due_date__lt=today).exists()
    assert open_tasks.filter(due_date__gte=today).exists()
    assert {"meeting", "call", "email", "note"} <= set(Entry.objects.values_list("kind", flat=True))


def test_the_demo_story_is_dated_relative_to_today() -> None:
    today = timezone.localdate()

    moves = PhaseMove.objects.exclude(from_phase=None)
    assert moves.filter(moved_at__date__lt=today - dt.timedelta(days=30)).exists()
    assert not Entry.objects.filter(occurred_at__date__gt=today).exists()
    assert Engagement.objects.filter(start_date__lt=today - dt.timedelta(days=200)).exists()


def test_the_demo_serves_with_waitress_unless_told_not_to(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    served: list[dict[str, object]] = []
    monkeypatch.setattr("waitress.serve", lambda app, **kw: served.append(kw))

    call_command("demo", "--port", "8124", "--host", "127.0.0.1", "--no-worker", stdout=io.StringIO())

    assert served[0] | {"max_request_body_size": 0} == {
        "host": "127.0.0.1", "port": 8124, "threads": 8, "ident": "Cairn", "max_request_body_size": 0
    }


def test_reset_refuses_to_remove_demo_users_who_own_other_work() -> None:
    from cairn.engagements.actions import EngagementData, start_engagement

    priya = User.objects.get(username="priya")
    other = Account.objects.create(name="Not a demo customer", owner=priya)
    start_engagement(
        other, EngagementData(initiative="Real work", owner=priya, start_date=dt.date(2026, 1, 5)),
        by=priya,
    )
    before = counts()

    with pytest.raises(CommandError, match="reassign it before --reset"):
        demo("--reset")

    assert counts() == before


def test_every_demo_page_opens_for_the_demo_user() -> None:
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USERNAME))
    urls = ["/", "/accounts/", "/my-work/"]
    # Every named account, and a few of the self-serve pool (their pages are alike).
    named = Account.objects.exclude(segment="tech_touch")
    urls += [a.get_absolute_url() for a in [*named, *Account.objects.filter(segment="tech_touch")[:5]]]
    urls += [e.get_absolute_url() for e in Engagement.objects.all()]
    urls += [d.get_absolute_url() for d in Document.objects.filter(is_template=False)[:5]]

    statuses = {url: client.get(url).status_code for url in urls}

    assert set(statuses.values()) == {200}, statuses
    assert "Halvorsen Maritime" in client.get("/accounts/?segment=enterprise").content.decode()


def test_the_demo_scores_every_account_from_its_usage() -> None:
    from cairn.health.models import AccountHealth
    from cairn.metrics.models import MetricValue
    from cairn.usage.models import IngestBatch, SupportTicket, SurveyResponse

    assert sum(IngestBatch.objects.values_list("stored", flat=True)) > 10_000
    assert SupportTicket.objects.filter(status="open", priority="urgent").exists()
    assert SurveyResponse.objects.exists()
    assert MetricValue.objects.exists()
    scored = AccountHealth.objects.exclude(score=None)
    assert scored.count() == Account.objects.count()
    # The hospital group whose usage slides is the named account that fell furthest this
    # month (in the self-serve pool, customers on their way out fall further).
    falling = scored.exclude(change_30d=None).exclude(account__segment="tech_touch").order_by("change_30d")
    assert falling.first().account.name == "Meridian Health Partners"  # type: ignore[union-attr]


def _stamped_since(moment: dt.datetime) -> dict[str, int]:
    """Rows of the project's models whose write-time stamps fall at or after `moment`."""
    from cairn.operations.demo_clock import _stamped_fields

    found = {}
    for model, names in _stamped_fields().values():
        for name in names:
            n = model._default_manager.filter(**{f"{name}__gte": moment}).count()
            if n:
                found[f"{model.__name__}.{name}"] = n
    return found


def test_it_dates_entries_and_history_when_their_story_happened_not_when_loaded(loaded_demo) -> None:  # type: ignore[no-untyped-def]
    from cairn.usage.models import IngestBatch

    stamped = _stamped_since(loaded_demo.started)

    # Only the records of the ingest and the metric computation keep the load's time: they say
    # when data came in and when it was computed.
    assert set(stamped) <= {"IngestBatch.created_at", "SupportTicket.updated_at",
                            "SurveyResponse.updated_at", "MetricFill.completed_at"}, stamped
    assert IngestBatch.objects.filter(created_at__gte=loaded_demo.started).exists()


def test_the_flagships_onboarding_was_signed_off_during_its_onboarding_not_today() -> None:
    halvorsen = Engagement.objects.get(account__external_id="demo-halvorsen-maritime")
    moves = {m.to_phase.key: m.moved_at for m in halvorsen.moves.select_related("to_phase")}
    signed = Entry.objects.get(engagement=halvorsen, title__contains="accepted the onboarding sign-off")

    assert moves["onboarding"] < signed.occurred_at < moves["adoption-implementation"]
    assert signed.occurred_at.date() < timezone.localdate() - dt.timedelta(days=100)
    history = halvorsen.history.order_by("history_date")
    assert history.first().history_date.date() == halvorsen.start_date  # type: ignore[union-attr]


def test_it_keeps_26_weeks_of_health_history_with_accounts_rising_and_falling() -> None:
    from cairn.health.models import AccountHealth, ScoreDate
    from cairn.health.queries import history

    today = timezone.localdate()
    dates = list(ScoreDate.objects.order_by("scored_on").values_list("scored_on", flat=True))
    assert len(dates) >= 26
    assert dates[-1] == today and dates[0] <= today - dt.timedelta(weeks=25)
    halvorsen = Account.objects.get(external_id="demo-halvorsen-maritime")
    assert len([score for _, score in history(halvorsen) if score is not None]) >= 26
    latest = AccountHealth.objects.filter(account__external_id__startswith="demo-")
    assert latest.filter(change_30d__gte=10).exists(), "no account rose"
    assert latest.filter(change_30d__lte=-10).exists(), "no account fell"
    assert {"green", "amber", "red"} <= set(latest.values_list("light", flat=True))


def test_alerts_were_raised_on_the_day_a_score_fell_and_made_their_tasks() -> None:
    from cairn.health.models import HealthAlert

    today = timezone.localdate()
    alerts = HealthAlert.objects.select_related("task", "account")
    open_alerts = alerts.filter(resolved_on__isnull=True)
    assert open_alerts.exists()
    for alert in alerts:
        # This morning's scoring raises some in the self-serve pool.
        assert alert.raised_on <= today
        if alert.account.owner_id is None:
            # The pool has no owner: its alerts are recorded, and nobody is given a task.
            assert alert.task is None, alert
            continue
        assert alert.raised_on < today
        assert alert.task is not None, alert
        assert alert.task.assignee_id == alert.account.owner_id
        assert alert.task.created_at.date() == alert.raised_on
        # An alert that ended was worked: its task is done; an open one still waits.
        assert alert.task.status == (TaskStatus.OPEN if alert.resolved_on is None else TaskStatus.DONE)
    assert alerts.filter(resolved_on__isnull=False).exists()


def test_the_trust_page_shows_a_backtest_with_figures_not_a_lack_of_data() -> None:
    from cairn.customers.models import SubscriptionStatus
    from cairn.health.trust.models import WeightSuggestion

    assert Subscription.objects.filter(status=SubscriptionStatus.CHURNED).values("account").distinct().count() >= 3
    report = WeightSuggestion.objects.get().report
    assert report["enough"] and report["auc"] > 0.6 and report["lift"] > 1
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USERNAME))

    page = client.get("/health/trust/").content.decode()

    assert "Not enough data" not in page
    assert f"{report['auc']:.2f}" in page


def test_the_flagship_engagements_adoption_tools_are_filled_as_far_as_its_phase() -> None:
    halvorsen = Engagement.objects.get(account__external_id="demo-halvorsen-maritime")
    assert halvorsen.current_phase.key == "value-realization"
    plan = halvorsen.adoption_plan  # type: ignore[attr-defined]

    assert plan.approved_on is not None and plan.detailed is not None and plan.roadmap is not None
    assert halvorsen.pilot.criteria.count() >= 3  # type: ignore[attr-defined]
    for tool in ("impacted_groups", "impacted_processes", "considerations", "risks", "roadmap_steps",
                 "work_packages", "readiness_workshops", "challenges", "governance_meetings"):
        assert getattr(halvorsen, tool).exists(), tool
    kpis = halvorsen.kpis.all()  # type: ignore[attr-defined]
    assert kpis.count() >= 2 and all(k.readings.count() >= 4 for k in kpis)
    # Everything of adoption's phases is done or closed by value realization.
    assert not halvorsen.risks.exclude(status="closed").exists()  # type: ignore[attr-defined]
    assert not halvorsen.work_packages.exclude(status="done").exists()  # type: ignore[attr-defined]
