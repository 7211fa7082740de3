"""Each trigger kind: it fires on its situation once however often the rule is evaluated,
holds back a second situation within the cooldown (and logs it), and fires only on the
accounts its conditions allow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from django.utils import timezone

from cairn.automation.models import FiringStatus
from cairn.automation.tests.conftest import TODAY, at, days_ago, make_rule, score
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db

ENTERPRISE_ONLY = [{"field": "segment", "op": "in", "values": ["enterprise"]}]


def statuses(firings: list[Any]) -> list[tuple[str, str, str]]:
    return [(f.account.name, f.event_on.isoformat(), f.status) for f in firings]


def test_a_light_change_fires_once_on_the_day_it_turned(alice, acme, globex, evaluate) -> None:
    score(days_ago(14), {acme: 80, globex: 80})
    score(days_ago(7), {acme: 30, globex: 55})
    score(TODAY, {acme: 32, globex: 50})
    rule = make_rule(alice, {"kind": "light_changed", "light": "red"})

    firings = evaluate(rule)
    evaluate(rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(7).isoformat(), "fired")]
    assert firings[0].matched == {"light": "red", "previous_light": "green", "score": 30.0}
    assert "turned red (was green)" in firings[0].summary
    assert Task.objects.filter(title="Look at Acme Manufacturing").count() == 1


def test_any_light_change_fires_for_every_account_that_changed(alice, acme, globex, evaluate) -> None:
    score(days_ago(7), {acme: 80, globex: 80})
    score(TODAY, {acme: 30, globex: 55})

    firings = evaluate(make_rule(alice, {"kind": "light_changed"}))

    assert {f.matched["light"] for f in firings} == {"red", "amber"}


def test_a_second_turn_within_the_cooldown_is_held_back_and_logged(alice, acme, evaluate) -> None:
    score(days_ago(21), {acme: 80})
    score(days_ago(14), {acme: 30})
    score(days_ago(7), {acme: 80})
    score(TODAY, {acme: 30})

    firings = evaluate(make_rule(alice, {"kind": "light_changed", "light": "red"}, cooldown=15))

    assert [f.status for f in firings] == [FiringStatus.FIRED, FiringStatus.SUPPRESSED]
    assert Task.objects.count() == 1


def test_a_turn_after_the_cooldown_fires_again(alice, acme, evaluate) -> None:
    score(days_ago(21), {acme: 80})
    score(days_ago(14), {acme: 30})
    score(days_ago(7), {acme: 80})
    score(TODAY, {acme: 30})

    firings = evaluate(make_rule(alice, {"kind": "light_changed", "light": "red"}, cooldown=7))

    assert [f.status for f in firings] == [FiringStatus.FIRED, FiringStatus.FIRED]


def test_conditions_keep_a_light_rule_to_its_segment(alice, acme, globex, evaluate) -> None:
    score(days_ago(7), {acme: 80, globex: 80})
    score(TODAY, {acme: 30, globex: 30})

    firings = evaluate(make_rule(alice, {"kind": "light_changed", "light": "red"},
                                 conditions=[{"field": "segment", "op": "in", "values": ["mid_market"]}]))

    assert [f.account for f in firings] == [globex]


def test_a_score_fall_fires_on_the_first_date_it_crossed_the_points(alice, acme, globex, evaluate) -> None:
    score(days_ago(21), {acme: 90, globex: 90})
    score(days_ago(14), {acme: 82, globex: 88})
    score(days_ago(7), {acme: 70, globex: 86})
    score(TODAY, {acme: 60, globex: 85})

    firings = evaluate(make_rule(alice, {"kind": "score_fell", "points": 15, "days": 14}))
    evaluate(firings[0].rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(7).isoformat(), "fired")]
    assert firings[0].matched == {"score": 70.0, "peak": 90.0, "fall": 20.0}


def test_a_score_fall_respects_the_ARR_condition(alice, acme, globex, evaluate) -> None:
    from cairn.customers.models import Product, Subscription

    product = Product.objects.create(name="Beacon")
    Subscription.objects.create(account=acme, product=product, arr=Decimal("80000"), start_date=days_ago(300),
                                end_date=TODAY + dt.timedelta(days=65))
    score(days_ago(7), {acme: 90, globex: 90})
    score(TODAY, {acme: 50, globex: 50})

    firings = evaluate(make_rule(alice, {"kind": "score_fell", "points": 15, "days": 14},
                                 conditions=[{"field": "arr", "op": "gte", "number": 50000}]))

    assert [f.account for f in firings] == [acme]


def _series(slug: str, values: dict[dt.date, dict[Any, float]]) -> Any:
    from cairn.metrics.models import MetricDefinition, MetricFill
    from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

    metric = MetricDefinition.objects.create(slug=slug, name="Active users", kind="count")
    for day, by_account in sorted(values.items()):
        accounts = sorted(by_account, key=lambda a: a.pk)
        table = pa.table([[a.pk for a in accounts], [day] * len(accounts), [by_account[a] for a in accounts]],
                         schema=SERIES_SCHEMA)
        write_series_file(table, series_path(slug, day))
        MetricFill.objects.create(observed_on=day, definitions_fingerprint="t", inputs_fingerprint="t",
                                  engine="test", accounts=len(accounts), completed_at=timezone.now())
    return metric


def test_a_metric_falling_below_its_threshold_fires_once(alice, acme, globex, evaluate) -> None:
    metric = _series("active-users", {
        days_ago(14): {acme: 40, globex: 40}, days_ago(7): {acme: 12, globex: 35},
        TODAY: {acme: 8, globex: 30},
    })

    firings = evaluate(make_rule(alice, {"kind": "metric_crossed", "metric": metric.pk, "direction": "below",
                                         "value": 20}))

    assert statuses(firings) == [("Acme Manufacturing", days_ago(7).isoformat(), "fired")]
    assert firings[0].matched["value"] == 12 and firings[0].matched["previous"] == 40


def test_a_metric_rising_above_respects_the_owner_condition(alice, dave, acme, globex, evaluate) -> None:
    metric = _series("active-users", {days_ago(7): {acme: 10, globex: 10}, TODAY: {acme: 90, globex: 90}})

    firings = evaluate(make_rule(
        alice, {"kind": "metric_crossed", "metric": metric.pk, "direction": "above", "value": 50},
        conditions=[{"field": "owner", "op": "in", "values": [str(dave.pk)]}],
    ))

    assert [f.account for f in firings] == [globex]


def _subscription(account: Any, ends: dt.date, arr: str = "12000") -> Any:
    from cairn.customers.models import Product, Subscription

    product, _ = Product.objects.get_or_create(name="Beacon")
    return Subscription.objects.create(account=account, product=product, arr=Decimal(arr),
                                       start_date=ends - dt.timedelta(days=365), end_date=ends)


def test_a_renewal_fires_on_the_day_it_came_within_reach_once_per_date(alice, acme, globex, evaluate) -> None:
    ends = TODAY + dt.timedelta(days=80)
    _subscription(acme, ends)
    _subscription(acme, ends, "3000")  # a second product renewing the same day: one situation
    _subscription(globex, TODAY + dt.timedelta(days=200))

    firings = evaluate(make_rule(alice, {"kind": "renewal_near", "days": 90}))

    assert statuses(firings) == [("Acme Manufacturing", (ends - dt.timedelta(days=90)).isoformat(), "fired")]
    assert firings[0].matched == {"renewal_date": ends.isoformat(), "arr": 15000.0}


def test_a_renewal_rule_respects_the_segment(alice, acme, globex, evaluate) -> None:
    _subscription(acme, TODAY + dt.timedelta(days=85))
    _subscription(globex, TODAY + dt.timedelta(days=85))

    firings = evaluate(make_rule(alice, {"kind": "renewal_near", "days": 90}, conditions=ENTERPRISE_ONLY))

    assert [f.account for f in firings] == [acme]


def _entered_phase(engagement: Any, day: dt.date) -> None:
    engagement.moves.update(moved_at=at(day))


def test_a_phase_that_waits_too_long_fires_once(alice, engagement, evaluate) -> None:
    _entered_phase(engagement, days_ago(40))

    firings = evaluate(make_rule(alice, {"kind": "phase_stalled", "days": 30}))
    evaluate(firings[0].rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(10).isoformat(), "fired")]
    assert firings[0].matched["phase"] == engagement.current_phase.name


def test_a_phase_rule_for_another_phase_does_not_fire(alice, engagement, evaluate) -> None:
    from cairn.playbooks.models import Phase

    _entered_phase(engagement, days_ago(40))
    other = Phase.objects.exclude(key=engagement.current_phase.key).first()

    assert evaluate(make_rule(alice, {"kind": "phase_stalled", "days": 30, "phase": other.key})) == []


def test_a_kpi_turning_off_track_fires_on_that_reading(alice, carol, engagement, evaluate) -> None:
    from cairn.adoption.models import Kpi, KpiReading

    kpi = Kpi.objects.create(engagement=engagement, name="Energy per unit", unit="kWh", direction="lower",
                             baseline_value=100, baseline_date=days_ago(100), target_value=50,
                             target_date=TODAY + dt.timedelta(days=100))
    KpiReading.objects.create(kpi=kpi, date=days_ago(20), value=Decimal("76"), recorded_by=carol)
    KpiReading.objects.create(kpi=kpi, date=days_ago(5), value=Decimal("99"), recorded_by=carol)

    firings = evaluate(make_rule(alice, {"kind": "kpi_off_track"}))
    evaluate(firings[0].rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(5).isoformat(), "fired")]
    assert firings[0].matched["kpi"] == "Energy per unit"


def test_a_detractor_answer_fires_and_a_promoter_does_not(alice, acme, globex, evaluate) -> None:
    from cairn.usage.models import SurveyResponse

    SurveyResponse.objects.create(external_id="s1", account=acme, score=3, comment="Too slow",
                                  answered_at=at(days_ago(2)))
    SurveyResponse.objects.create(external_id="s2", account=globex, score=10, answered_at=at(days_ago(2)))

    firings = evaluate(make_rule(alice, {"kind": "detractor"}))
    evaluate(firings[0].rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(2).isoformat(), "fired")]
    assert "answered 3" in firings[0].summary and "Too slow" in firings[0].summary


def test_two_detractors_in_a_week_open_one_task(alice, acme, evaluate) -> None:
    from cairn.usage.models import SurveyResponse

    for n, day in enumerate((days_ago(6), days_ago(3))):
        SurveyResponse.objects.create(external_id=f"s{n}", account=acme, score=2, answered_at=at(day))

    firings = evaluate(make_rule(alice, {"kind": "detractor"}, cooldown=14))

    assert [f.status for f in firings] == ["fired", "suppressed"]
    assert Task.objects.count() == 1


def test_an_urgent_ticket_fires_and_a_normal_one_does_not(alice, acme, globex, evaluate) -> None:
    from cairn.usage.models import SupportTicket

    SupportTicket.objects.create(external_id="T-1", account=acme, subject="Outage", priority="urgent",
                                 opened_at=at(days_ago(1)))
    SupportTicket.objects.create(external_id="T-2", account=globex, subject="Question", priority="normal",
                                 opened_at=at(days_ago(1)))

    firings = evaluate(make_rule(alice, {"kind": "urgent_ticket"}))

    assert statuses(firings) == [("Acme Manufacturing", days_ago(1).isoformat(), "fired")]
    assert firings[0].matched["ticket"] == "T-1"


def test_an_urgent_ticket_rule_respects_a_flag_condition(alice, acme, globex, evaluate) -> None:
    from cairn.automation.actions import set_flag
    from cairn.usage.models import SupportTicket

    set_flag(globex, "At risk", by=alice)
    for n, account in enumerate((acme, globex)):
        SupportTicket.objects.create(external_id=f"T-{n}", account=account, priority="high",
                                     opened_at=at(days_ago(1)))

    firings = evaluate(make_rule(alice, {"kind": "urgent_ticket"},
                                 conditions=[{"field": "flag", "op": "has", "text": "at risk"}]))

    assert [f.account for f in firings] == [globex]


def _link(engagement: Any, by: Any, *, expires: dt.datetime, used: dt.datetime | None = None) -> Any:
    from cairn.sharing.models import SharedLink

    return SharedLink.objects.create(
        engagement=engagement, document_title="Success plan", version_number=1, content_sha256="0" * 64,
        purpose="proposal", recipient_name="Maria Jensen", token_hash=f"{expires.timestamp()}{used}"[:64],
        created_by=by, created_at=at(days_ago(20)), expires_at=expires, used_at=used,
        response="accepted" if used else "", typed_name="Maria Jensen" if used else "",
    )


def test_an_answered_link_fires_once(alice, carol, engagement, evaluate) -> None:
    _link(engagement, carol, expires=at(TODAY + dt.timedelta(days=5)), used=at(days_ago(1)))

    firings = evaluate(make_rule(alice, {"kind": "link_answered"}))
    evaluate(firings[0].rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(1).isoformat(), "fired")]
    assert "Maria Jensen answered" in firings[0].summary


def test_a_link_that_expired_unanswered_fires_and_a_live_one_does_not(alice, carol, engagement, evaluate) -> None:
    _link(engagement, carol, expires=at(days_ago(3)))
    _link(engagement, carol, expires=timezone.now() + dt.timedelta(days=3))

    firings = evaluate(make_rule(alice, {"kind": "link_expired"}), today=timezone.localdate())

    assert [f.event_on for f in firings] == [days_ago(3)]


def test_an_overdue_task_fires_once_when_it_is_late_by_the_days(alice, carol, acme, evaluate) -> None:
    Task.objects.create(title="Send the plan", assignee=carol, account=acme, due_date=days_ago(5))
    Task.objects.create(title="Not late enough", assignee=carol, account=acme, due_date=days_ago(1))

    firings = evaluate(make_rule(alice, {"kind": "task_overdue", "days": 3},
                                 [{"kind": "timeline", "title": "Overdue on {{ account }}"}]))
    evaluate(firings[0].rule)

    assert statuses(firings) == [("Acme Manufacturing", days_ago(2).isoformat(), "fired")]
    assert firings[0].matched["task"] == "Send the plan"


def test_a_daily_schedule_fires_once_a_day_on_the_matching_accounts(alice, acme, globex, evaluate) -> None:
    rule = make_rule(alice, {"kind": "schedule", "every": "day"}, conditions=ENTERPRISE_ONLY, cooldown=0)

    today = evaluate(rule)
    evaluate(rule)
    tomorrow = evaluate(rule, TODAY + dt.timedelta(days=1))

    assert statuses(today) == [("Acme Manufacturing", TODAY.isoformat(), "fired")]
    assert len(tomorrow) == 2


def test_a_weekly_schedule_acts_only_on_its_latest_day_not_the_missed_ones(alice, acme, evaluate) -> None:
    # Switched on with 30 days to catch up, a weekly run still acts once: on the last Monday.
    firings = evaluate(make_rule(alice, {"kind": "schedule", "every": "week", "weekday": 0}))

    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    assert [f.event_on for f in firings] == [monday]
