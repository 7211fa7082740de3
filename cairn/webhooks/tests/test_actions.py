"""Handing events over (emit to subscribers, deliver to one endpoint), replays and tests,
and keeping endpoints: what is refused, named by its field, and what the history keeps."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.core.exceptions import ValidationError

from cairn.webhooks import actions, events
from cairn.webhooks.models import Delivery, Endpoint, Status
from cairn.webhooks.schemas import WebhookEventValue

pytestmark = pytest.mark.django_db


def _endpoint(adam: Any, name: str, chosen: list[str], *, active: bool = True) -> Endpoint:
    return actions.create_endpoint(
        Endpoint(name=name, url=f"https://{name.lower()}.example/hook", events=chosen, active=active), by=adam
    )


def _rule(acme: Any) -> dict[str, Any]:
    return {
        "rule": {"id": 4, "name": "Red and renewing", "version": 2},
        "account": events.account_data(acme), "event_on": "2026-12-01",
        "summary": "Red 90 days before renewal: a task went to Carol.",
        "matched": {"score": 38.5, "renewal_days": 88, "segment": "enterprise", "tags": ["at risk"]},
    }


def test_an_event_goes_only_to_the_switched_on_endpoints_subscribed_to_it(adam, alert) -> None:  # type: ignore[no-untyped-def]
    crm = _endpoint(adam, "Crm", ["rule.fired", "health.alert"])
    slack = _endpoint(adam, "Slack", ["health.alert"])
    _endpoint(adam, "Paused", ["health.alert"], active=False)
    _endpoint(adam, "Rules", ["rule.fired"])
    made = actions.emit("health.alert", alert)
    assert sorted(d.endpoint.name for d in made) == ["Crm", "Slack"]
    assert {d.endpoint_id for d in Delivery.objects.all()} == {crm.pk, slack.pk}
    delivery = Delivery.objects.get(endpoint=crm)
    assert delivery.status == Status.PENDING and delivery.attempts == 0
    assert delivery.next_attempt_at == delivery.created_at
    assert delivery.payload["account"]["owner"] == {"id": alert["account"]["owner"]["id"],
                                                    "name": "Carol Owner", "email": "carol@cairn.test"}
    assert delivery.payload["account"]["url"].endswith(f"/accounts/{alert['account']['id']}/")
    assert sorted(d.endpoint.name for d in actions.emit("rule.fired", _rule_for(alert))) == ["Crm", "Rules"]


def _rule_for(alert: dict[str, Any]) -> dict[str, Any]:
    return {"rule": {"id": 1, "name": "Rule", "version": 1}, "account": alert["account"],
            "event_on": "2026-12-01", "summary": "It acted."}


def test_an_event_nobody_subscribes_to_makes_no_delivery(adam, alert) -> None:  # type: ignore[no-untyped-def]
    _endpoint(adam, "Rules", ["rule.fired"])
    assert actions.emit("health.alert", alert) == []


def test_a_payload_that_does_not_fit_its_event_s_schema_is_refused(adam, acme, alert) -> None:  # type: ignore[no-untyped-def]
    _endpoint(adam, "Crm", ["rule.fired", "health.alert"])
    with pytest.raises(ValueError, match="score"):
        actions.emit("health.alert", alert | {"score": 140})
    with pytest.raises(ValueError, match="unexpected"):
        actions.emit("health.alert", alert | {"unexpected": 1})
    with pytest.raises(ValueError, match=r"Cairn sends no webhook event 'deal\.won'"):
        actions.emit("deal.won", alert)
    assert actions.emit("rule.fired", _rule(acme))[0].payload["matched"]["tags"] == ["at risk"]
    assert not Delivery.objects.filter(event="health.alert").exists()


def test_a_rule_delivers_to_the_endpoint_it_names_subscribed_or_not(adam, acme) -> None:  # type: ignore[no-untyped-def]
    slack = _endpoint(adam, "Slack", ["health.alert"])
    delivery = actions.deliver(slack, "rule.fired", _rule(acme))
    assert delivery.endpoint == slack and delivery.status == Status.PENDING
    assert delivery.payload["rule"] == {"id": 4, "name": "Red and renewing", "version": 2}


def test_a_rule_s_delivery_to_a_switched_off_endpoint_is_logged_as_failed_untried(adam, acme) -> None:  # type: ignore[no-untyped-def]
    paused = _endpoint(adam, "Paused", ["rule.fired"], active=False)
    delivery = actions.deliver(paused, "rule.fired", _rule(acme))
    assert delivery.status == Status.FAILED and delivery.attempts == 0 and delivery.next_attempt_at is None
    assert delivery.last_error == "Not sent: the endpoint is switched off."


def test_a_replay_is_a_new_delivery_of_the_same_event_and_payload(adam, alert) -> None:  # type: ignore[no-untyped-def]
    crm = _endpoint(adam, "Crm", ["health.alert"])
    [first] = actions.emit("health.alert", alert)
    with pytest.raises(ValidationError, match="still being tried"):
        actions.replay(first, adam)
    Delivery.objects.filter(pk=first.pk).update(status=Status.FAILED, attempts=6, next_attempt_at=None)
    first.refresh_from_db()
    again = actions.replay(first, adam)
    assert again.pk != first.pk and again.uuid != first.uuid
    assert (again.event, again.payload, again.replay_of, again.requested_by) == (
        first.event, first.payload, first, adam
    )
    assert again.status == Status.PENDING and again.attempts == 0
    actions.update_endpoint(crm, {"active": False}, by=adam)
    first.refresh_from_db()
    with pytest.raises(ValidationError, match=r"Crm is switched off: switch it on first\."):
        actions.replay(first, adam)


def test_a_test_delivery_names_the_endpoint_and_who_sent_it(adam) -> None:  # type: ignore[no-untyped-def]
    crm = _endpoint(adam, "Crm", ["rule.fired"])
    ping = actions.ping(crm, adam)
    assert ping.event == "ping" and ping.requested_by == adam
    assert ping.payload == {"message": "A test delivery from Cairn.", "endpoint": {"id": crm.pk, "name": "Crm"},
                            "requested_by": "Adam Admin"}


def test_a_bad_address_an_unknown_event_and_a_taken_name_are_refused_by_field(adam) -> None:  # type: ignore[no-untyped-def]
    _endpoint(adam, "Crm", ["rule.fired"])
    cases = [
        ({"url": "not an address"}, "url", "Enter a valid URL."),
        ({"url": "ftp://files.example/hook"}, "url", "Give an http:// or https:// address."),
        ({"events": ["deal.won"]}, "events", "Cairn sends no event 'deal.won' to subscribe to"),
        ({"events": ["ping"]}, "events", "Cairn sends no event 'ping' to subscribe to"),
        ({"events": []}, "events", "Choose at least one event."),
        ({"name": "CRM"}, "name", "An endpoint of this name exists already."),
    ]
    for change, field, message in cases:
        data = {"name": "Other", "url": "https://other.example/", "events": ["rule.fired"]} | change
        with pytest.raises(ValidationError) as refused:
            actions.create_endpoint(Endpoint(**data), by=adam)
        assert message in " ".join(refused.value.message_dict[field]), (change, refused.value.message_dict)
    assert Endpoint.objects.count() == 1


def test_events_are_kept_once_each_in_a_fixed_order(adam) -> None:  # type: ignore[no-untyped-def]
    made = _endpoint(adam, "Crm", ["health.alert", "rule.fired", "health.alert"])
    assert Endpoint.objects.get(pk=made.pk).events == ["rule.fired", "health.alert"]


def test_rotating_the_secret_is_in_the_history_but_no_secret_is(adam) -> None:  # type: ignore[no-untyped-def]
    crm = _endpoint(adam, "Crm", ["rule.fired"])
    old = crm.secret
    rotated = actions.rotate_secret(crm, by=adam)
    assert rotated.secret != old and len(rotated.secret) >= 40 and rotated.secret_rotated_at is not None
    records = list(Endpoint.history.filter(id=crm.pk).order_by("history_date"))  # type: ignore[attr-defined]
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].history_user == adam and records[-1].secret_rotated_at == rotated.secret_rotated_at
    assert "secret" not in {f.name for f in type(records[0])._meta.fields}


def test_only_the_editable_fields_change(adam) -> None:  # type: ignore[no-untyped-def]
    crm = _endpoint(adam, "Crm", ["rule.fired"])
    with pytest.raises(ValidationError) as refused:
        actions.update_endpoint(crm, {"secret": "mine"}, by=adam)
    assert refused.value.message_dict == {"secret": ["This cannot be changed here."]}


def test_the_api_offers_exactly_the_events_an_endpoint_may_subscribe_to() -> None:
    assert list(get_args(WebhookEventValue)) == events.SUBSCRIBABLE
    assert {key for key, _ in Delivery._meta.get_field("event").choices} == set(events.EVENTS)  # type: ignore[union-attr,misc]


def test_every_event_s_example_fits_its_schema_and_reads_as_a_sentence() -> None:
    for kind in events.EVENTS.values():
        data = kind.example.model_dump(mode="json")
        assert events.checked(kind.key, data) == data
        assert events.text(kind.key, data).endswith(".")
        assert kind.schema()["title"] == kind.model.__name__


def test_a_health_alert_raised_today_goes_to_the_subscribers_once_committed(adam, acme, caplog) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from cairn.health.alerts import alerts_raised
    from cairn.health.models import AlertKind, HealthAlert

    slack = _endpoint(adam, "Slack", ["health.alert"])
    today = timezone.localdate()
    news = HealthAlert.objects.create(account=acme, kind=AlertKind.DROPPED, scored_on=today, score=41.0,
                                      raised_on=today)
    backfill = HealthAlert.objects.create(account=acme, kind=AlertKind.TURNED_RED, scored_on=today - dt.timedelta(days=7),
                                          score=35.0, raised_on=today - dt.timedelta(days=7),
                                          resolved_on=today - dt.timedelta(days=1))
    alerts_raised.send(sender=HealthAlert, ids=[news.pk, backfill.pk])
    [delivery] = Delivery.objects.filter(endpoint=slack)
    assert delivery.payload | {"account": None} == {
        "account": None, "kind": "dropped", "label": "Dropped sharply", "score": 41.0, "scored_on": today.isoformat(),
    }
    assert delivery.payload["account"]["name"] == "Acme Manufacturing"
    # A score outside the schema is logged, and the health refresh that raised it goes on.
    odd = HealthAlert.objects.create(account=acme, kind=AlertKind.TURNED_RED, scored_on=today, score=180.0,
                                     raised_on=today)
    alerts_raised.send(sender=HealthAlert, ids=[odd.pk])
    assert Delivery.objects.count() == 1
    assert f"Health alert {odd.pk} could not be handed to the webhooks." in caplog.text
