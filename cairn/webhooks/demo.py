"""Demo content for outbound webhooks.

Sam (CS operations, the demo's admin) connected Beacon's CRM two months ago: it receives what
the automation rules do and every health alert, so account managers see them beside the deal.
Three weeks ago he added the team's Slack channel #cs-alerts for the health alerts. Ten days
ago he rotated the CRM's secret after the CRM team changed its keys. Each endpoint answered
its test at once. The CRM was in maintenance the night of its first alert: the delivery got
503 twice and arrived at the third attempt. Slack timed out through an outage: one alert's
delivery was tried six times and given up; Sam replayed it the next morning and it arrived.

The alerts are the demo's own (cairn.health), raised at the nightly refresh; without them
(the permission tests load the demo without usage) two alerts of the story stand in. The
receivers are on the reserved .example domain and the demo never sends: every delivery is
written with its attempts, dated in the story relative to `today`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from cairn.customers.models import Account
from cairn.health.models import AlertKind, HealthAlert
from cairn.operations.demo_clock import at
from cairn.people.models import User
from cairn.webhooks import actions, events
from cairn.webhooks.models import MAX_ATTEMPTS, Attempt, Delivery, Endpoint, Status
from cairn.webhooks.receivers import alert_data
from cairn.webhooks.sender import BACKOFF

CRM_NAME = "CRM sync (Beacon CRM)"
CRM_URL = "https://crm.beacon.example/hooks/cairn"
SLACK_NAME = "Slack #cs-alerts"
SLACK_URL = "https://hooks.slack.example/services/T0BEACON/B0CSALERTS/cairn-demo"
CRM_SINCE, SLACK_SINCE, ROTATED = 60, 24, 10  # days ago
ADMIN = "ops"

CRM_OK = (200, '{"received":true,"activity":"logged"}', "")
SLACK_OK = (200, "ok", "")
MAINTENANCE = (
    503, "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1>"
    "<p>Beacon CRM is down for maintenance; back in a few minutes.</p></body></html>", "",
)
TIMED_OUT = (None, "", "Timed out after 10 s without an answer.")
# When the demo has no alerts: (account key, kind, score, days ago).
STAND_INS = (
    ("meridian-health", AlertKind.TURNED_RED, 38.0, 9), ("kestrel-freight", AlertKind.DROPPED, 55.0, 4),
)

Answer = tuple[int | None, str, str]


def load(
    accounts: dict[str, Account], users: dict[str, User], today: dt.date,
    stamp: Callable[[dt.date], None],
) -> None:
    admin = users.get(ADMIN)
    if admin is None:
        return
    days = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    crm = actions.create_endpoint(
        Endpoint(name=CRM_NAME, url=CRM_URL, events=["rule.fired", "health.alert"]), by=admin
    )
    stamp(days(CRM_SINCE))
    slack = actions.create_endpoint(
        Endpoint(name=SLACK_NAME, url=SLACK_URL, events=["health.alert"]), by=admin
    )
    stamp(days(SLACK_SINCE))
    _rotate(crm, admin, at(days(ROTATED), 10))
    stamp(days(ROTATED))

    _ping(crm, admin, at(days(CRM_SINCE), 10) + dt.timedelta(minutes=4), CRM_OK)
    _ping(slack, admin, at(days(SLACK_SINCE), 10) + dt.timedelta(minutes=7), SLACK_OK)
    alerts = _alerts(accounts, today)
    crm_alerts = [i for i, (moment, _) in enumerate(alerts) if moment.date() >= days(CRM_SINCE)]
    slack_alerts = [i for i, (moment, _) in enumerate(alerts) if moment.date() >= days(SLACK_SINCE)]
    # The CRM's maintenance night met its first alert; the Slack outage the latest one that
    # could be replayed the next morning, before today.
    maintenance = crm_alerts[0] if crm_alerts else None
    outage = max((i for i in slack_alerts if alerts[i][0].date() < days(1)), default=None)
    for number, (moment, data) in enumerate(alerts):
        if number in crm_alerts:
            _delivery(crm, "health.alert", data, moment, [MAINTENANCE, MAINTENANCE, CRM_OK]
                      if number == maintenance else [CRM_OK])
        if number == outage:
            failed = _delivery(slack, "health.alert", data, moment, [TIMED_OUT] * MAX_ATTEMPTS)
            replayed_at = at(moment.date() + dt.timedelta(days=1), 9) + dt.timedelta(minutes=12)
            _delivery(slack, "health.alert", data, replayed_at, [SLACK_OK], replay_of=failed, by=admin)
        elif number in slack_alerts:
            _delivery(slack, "health.alert", data, moment, [SLACK_OK])


def _rotate(endpoint: Endpoint, admin: User, when: dt.datetime) -> None:
    actions.rotate_secret(endpoint, by=admin)
    Endpoint.objects.filter(pk=endpoint.pk).update(secret_rotated_at=when)
    history = Endpoint.history.model.objects  # type: ignore[attr-defined]
    latest = history.filter(id=endpoint.pk).order_by("-history_id").first()
    if latest is not None:
        history.filter(pk=latest.pk).update(secret_rotated_at=when)


def _alerts(accounts: dict[str, Account], today: dt.date) -> list[tuple[dt.datetime, dict[str, Any]]]:
    """The health alerts since the CRM was connected, before today, oldest first: when the nightly refresh
    raised each (02:00 and a few minutes) and its payload."""
    since = today - dt.timedelta(days=CRM_SINCE)
    found = HealthAlert.objects.filter(
        account__in=list(accounts.values()), raised_on__gte=since, raised_on__lt=today
    ).select_related("account__owner").order_by("raised_on", "pk")
    raised = list(found)
    if not raised:
        for key, kind, score, ago in STAND_INS:
            if key in accounts:
                day = today - dt.timedelta(days=ago)
                raised.append(HealthAlert(account=accounts[key], kind=kind, score=score, scored_on=day,
                                          raised_on=day))
    return [
        (at(alert.raised_on, 2) + dt.timedelta(minutes=3 + i % 7),
         events.checked("health.alert", alert_data(alert)))
        for i, alert in enumerate(raised)
    ]


def _gaps(count: int) -> list[dt.timedelta]:
    """When each attempt is made after the delivery was created: a few seconds, then the
    sender's pauses."""
    gaps, total = [], dt.timedelta(seconds=2)
    for number in range(count):
        gaps.append(total)
        if number < len(BACKOFF):
            total += BACKOFF[number]
    return gaps


def _ping(endpoint: Endpoint, admin: User, when: dt.datetime, answer: Answer) -> None:
    data = events.checked("ping", {
        "message": "A test delivery from Cairn.", "endpoint": {"id": endpoint.pk, "name": endpoint.name},
        "requested_by": str(admin),
    })
    _delivery(endpoint, "ping", data, when, [answer], by=admin)


def _delivery(
    endpoint: Endpoint, event: str, data: dict[str, Any], created: dt.datetime, answers: list[Answer],
    *, replay_of: Delivery | None = None, by: User | None = None,
) -> Delivery:
    """A delivery with its attempts already made; each took a few hundred milliseconds."""
    moments = [created + gap for gap in _gaps(len(answers))]
    code, response, error = answers[-1]
    delivered = code is not None and 200 <= code < 300
    delivery = Delivery.objects.create(
        endpoint=endpoint, event=event, payload=data, created_at=created,
        status=Status.DELIVERED if delivered else Status.FAILED, attempts=len(answers),
        next_attempt_at=None, delivered_at=moments[-1] if delivered else None,
        last_status_code=code, last_response=response, last_error=error, replay_of=replay_of,
        requested_by=by,
    )
    Attempt.objects.bulk_create(
        Attempt(
            delivery=delivery, number=number, attempted_at=moment, status_code=answer[0],
            response=answer[1], error=answer[2],
            duration_ms=10_000 if answer[0] is None else 180 + (number * 97 + endpoint.pk * 31) % 260,
        )
        for number, (moment, answer) in enumerate(zip(moments, answers, strict=True), start=1)
    )
    return delivery


def wipe(users: list[User]) -> None:
    """The demo's endpoints, with their deliveries; nothing of theirs holds a user."""
    Endpoint.objects.filter(created_by__in=users).delete()
