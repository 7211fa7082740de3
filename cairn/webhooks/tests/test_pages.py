"""The webhook pages, through the browser's entry points: admins only (the events page is
for everyone building a receiver), labels rather than internal names, fields named when
refused, the history in words, and lists whose query count does not grow with their rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.webhooks import actions, sender
from cairn.webhooks.models import Attempt, Delivery, Endpoint, Status

pytestmark = pytest.mark.django_db


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _delivered(endpoint: Endpoint, payload: dict[str, Any], code: int = 200) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint, event="health.alert", payload=payload, status=Status.DELIVERED, attempts=1,
        last_status_code=code, delivered_at=timezone.now(),
    )
    Attempt.objects.create(delivery=delivery, number=1, attempted_at=timezone.now(), status_code=code,
                           response='{"received":true}', duration_ms=120)
    return delivery


def test_the_admin_sees_each_endpoint_with_its_events_by_label_and_its_last_delivery(
    as_adam, endpoint, alert
) -> None:  # type: ignore[no-untyped-def]
    _delivered(endpoint, alert, 202)
    page = as_adam.get(reverse("webhooks")).content.decode()
    assert "CRM sync" in page and "Switched on" in page
    assert "An automation rule acted, A health alert was raised" in page
    assert "rule.fired" not in page
    assert "Delivered" in page and "HTTP 202" in page


def test_the_endpoint_list_runs_the_same_queries_for_few_and_many_endpoints(as_adam, adam, alert) -> None:  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for i in range(n):
            made = actions.create_endpoint(Endpoint(name=f"Receiver {Endpoint.objects.count()}", url="https://r.example/",
                                                    events=["health.alert"]), by=adam)
            if i % 2:
                _delivered(made, alert)

    add(2)
    few = _count(as_adam, reverse("webhooks"))
    add(20)
    assert _count(as_adam, reverse("webhooks")) == few


def test_an_empty_list_says_what_webhooks_are_for(as_adam) -> None:  # type: ignore[no-untyped-def]
    page = as_adam.get(reverse("webhooks")).content.decode()
    assert "No webhook endpoints yet" in page and reverse("webhook_create") in page


def test_adding_an_endpoint_with_its_events_chosen_by_checkbox(as_adam, adam) -> None:  # type: ignore[no-untyped-def]
    form = as_adam.get(reverse("webhook_create")).content.decode()
    assert 'type="checkbox" name="events" value="rule.fired"' in form
    assert "An automation rule acted" in form and "Test delivery" not in form  # nobody subscribes to it
    response = as_adam.post(reverse("webhook_create"), {
        "name": "Slack #cs-alerts", "url": "https://hooks.slack.example/T1/B2/c3", "events": ["health.alert"],
        "active": "on",
    })
    made = Endpoint.objects.get(name="Slack #cs-alerts")
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    assert made.events == ["health.alert"] and made.active and made.created_by == adam
    page = as_adam.get(made.get_absolute_url()).content.decode()
    assert made.secret in page and "Nothing delivered yet" in page


def test_a_bad_address_and_no_event_are_named_on_the_form(as_adam) -> None:  # type: ignore[no-untyped-def]
    response = as_adam.post(reverse("webhook_create"), {"name": "CRM", "url": "ftp://crm.example/x"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["events"] == ["Choose at least one event."]
    assert "url" in errors
    response = as_adam.post(reverse("webhook_create"), {"name": "CRM", "url": "http://crm.example/x\x00",
                                                        "events": ["nothing"]})
    assert response.status_code == 400 and {"url", "events"} <= set(response.context["form"].errors)
    assert not Endpoint.objects.exists()


def test_an_ftp_address_is_refused_by_the_model_and_named_on_the_form(as_adam) -> None:  # type: ignore[no-untyped-def]
    # The form's URL field takes ftp:// as a URL; the endpoint's constraint does not.
    response = as_adam.post(reverse("webhook_create"), {"name": "CRM", "url": "ftp://crm.example/x",
                                                        "events": ["rule.fired"]})
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == ["Give an http:// or https:// address."]


def test_editing_switching_off_and_the_history_in_words(as_adam, endpoint) -> None:  # type: ignore[no-untyped-def]
    response = as_adam.post(reverse("webhook_edit", args=[endpoint.pk]), {
        "name": "CRM sync", "url": endpoint.url, "events": ["health.alert"],
    })
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["health.alert"] and endpoint.active is False
    as_adam.post(reverse("webhook_rotate", args=[endpoint.pk]))
    page = as_adam.get(reverse("webhook_history") + f"?endpoint={endpoint.pk}").content.decode()
    assert "History of CRM sync" in page
    assert ("<strong>Events</strong> changed from An automation rule acted, A health alert was raised to "
            "A health alert was raised") in page
    assert "<strong>Switched on</strong> changed from yes to no" in page
    assert "<strong>Secret rotated</strong> set to" in page
    assert endpoint.secret not in page and "Adam Admin" in page


def test_deleting_an_endpoint_keeps_its_history(as_adam, endpoint, alert) -> None:  # type: ignore[no-untyped-def]
    _delivered(endpoint, alert)
    response = as_adam.post(reverse("webhook_delete", args=[endpoint.pk]), follow=True)
    assert "CRM sync deleted" in response.content.decode()
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    page = as_adam.get(reverse("webhook_history")).content.decode()
    assert "CRM sync deleted" in page and "CRM sync created" in page


def test_rotating_the_secret_shows_the_new_one(as_adam, endpoint) -> None:  # type: ignore[no-untyped-def]
    old = endpoint.secret
    page = as_adam.post(reverse("webhook_rotate", args=[endpoint.pk]), follow=True).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in page and old not in page
    assert "the old one no longer signs" in page


def test_a_test_delivery_is_sent_by_the_worker_and_shown_with_its_answer(
    as_adam, endpoint, receiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):
        response = as_adam.post(reverse("webhook_ping", args=[endpoint.pk]))
    ping = Delivery.objects.get(event="ping")
    assert response.status_code == 302 and response["Location"] == ping.get_absolute_url()
    assert "Not tried yet" in as_adam.get(ping.get_absolute_url()).content.decode()
    sender.send_due()
    page = as_adam.get(ping.get_absolute_url()).content.decode()
    assert "Test delivery to CRM sync" in page and "HTTP 200" in page and "Delivered" in page
    assert "&quot;event&quot;: &quot;ping&quot;" in page  # the envelope, indented
    assert receiver.requests[0].signed


def test_the_delivery_page_shows_each_attempt_with_its_answer_and_a_replay(as_adam, endpoint, receiver, alert) -> None:  # type: ignore[no-untyped-def]
    receiver.answers = [(500, "upstream down"), (200, "thanks")]
    [delivery] = actions.emit("health.alert", alert)
    sender.send_due()
    sender.send_due(timezone.now() + dt.timedelta(minutes=2))
    page = as_adam.get(delivery.get_absolute_url()).content.decode()
    assert "Attempt 1" in page and "HTTP 500" in page and "upstream down" in page
    assert "Attempt 2" in page and "thanks" in page and "2 of 6 attempts" in page
    assert "&quot;name&quot;: &quot;Acme Manufacturing&quot;" in page
    response = as_adam.post(reverse("webhook_replay", args=[delivery.pk]))
    again = Delivery.objects.get(replay_of=delivery)
    assert response["Location"] == again.get_absolute_url()
    assert again.get_absolute_url() in as_adam.get(delivery.get_absolute_url()).content.decode()


def test_a_pending_delivery_offers_no_replay_and_refuses_one(as_adam, endpoint, alert) -> None:  # type: ignore[no-untyped-def]
    [delivery] = actions.emit("health.alert", alert)
    page = as_adam.get(delivery.get_absolute_url()).content.decode()
    assert reverse("webhook_replay", args=[delivery.pk]) not in page
    page = as_adam.post(reverse("webhook_replay", args=[delivery.pk]), follow=True).content.decode()
    assert "It is still being tried" in page and Delivery.objects.count() == 1


def test_the_endpoint_page_runs_the_same_queries_for_few_and_many_deliveries(as_adam, endpoint, alert, adam) -> None:  # type: ignore[no-untyped-def]
    url = endpoint.get_absolute_url()
    _delivered(endpoint, alert)
    few = _count(as_adam, url)
    for _ in range(40):
        replayed = _delivered(endpoint, alert)
        Delivery.objects.create(endpoint=endpoint, event="ping", payload={}, replay_of=replayed, requested_by=adam,
                                status=Status.FAILED, last_error="Connection refused")
    assert _count(as_adam, url) == few
    page = as_adam.get(url).content.decode()
    assert "Page 1 of 4" in page and "replay by Adam Admin" in page and "Connection refused" in page


def test_the_delivery_page_runs_the_same_queries_for_few_and_many_attempts(as_adam, endpoint, alert) -> None:  # type: ignore[no-untyped-def]
    delivery = Delivery.objects.create(endpoint=endpoint, event="health.alert", payload=alert,
                                       status=Status.FAILED, attempts=6)
    Attempt.objects.create(delivery=delivery, number=1, attempted_at=timezone.now(), status_code=500)
    few = _count(as_adam, delivery.get_absolute_url())
    Attempt.objects.bulk_create(Attempt(delivery=delivery, number=n, attempted_at=timezone.now(), error="Timed out")
                                for n in range(2, 7))
    assert _count(as_adam, delivery.get_absolute_url()) == few


def test_the_history_page_runs_the_same_queries_for_few_and_many_changes(as_adam, endpoint, adam) -> None:  # type: ignore[no-untyped-def]
    few = _count(as_adam, reverse("webhook_history"))
    for n in range(10):
        actions.update_endpoint(endpoint, {"name": f"CRM {n}"}, by=adam)
        actions.rotate_secret(endpoint, by=adam)
    assert _count(as_adam, reverse("webhook_history")) == few


def test_the_events_page_documents_each_event_and_the_signature_for_everyone(as_rita) -> None:  # type: ignore[no-untyped-def]
    page = as_rita.get(reverse("webhook_events")).content.decode()
    for words in ("rule.fired", "health.alert", "ping", "X-Cairn-Signature", "hmac.compare_digest",
                  "1 min, 5 min, 30 min, 2 h, 12 h", "After 6 failed attempts", "&quot;scored_on&quot;",
                  "JSON schema of"):
        assert words in page, words
    assert reverse("webhooks") not in page  # Rita may not open the list: no link to it


def test_leaders_csms_and_readers_are_refused_every_webhook_page(
    as_alice, as_carol, as_rita, endpoint, alert
) -> None:  # type: ignore[no-untyped-def]
    delivery = _delivered(endpoint, alert)
    reads = [reverse("webhooks"), reverse("webhook_create"), reverse("webhook_history"), endpoint.get_absolute_url(),
             reverse("webhook_edit", args=[endpoint.pk]), delivery.get_absolute_url()]
    writes = [reverse(name, args=[endpoint.pk]) for name in ("webhook_delete", "webhook_rotate", "webhook_ping")]
    writes.append(reverse("webhook_replay", args=[delivery.pk]))
    for client in (as_alice, as_carol, as_rita):
        for url in reads:
            assert client.get(url).status_code == 403, url
        for url in [*writes, reverse("webhook_create")]:
            assert client.post(url, {"name": "x", "url": "https://x.example", "events": ["ping"]}).status_code == 403
    endpoint.refresh_from_db()
    assert Endpoint.objects.count() == 1 and Delivery.objects.count() == 1 and endpoint.secret
    assert endpoint.secret not in as_alice.get(endpoint.get_absolute_url()).content.decode()


def test_the_actions_take_a_post_only_and_an_unknown_endpoint_is_not_found(as_adam, endpoint) -> None:  # type: ignore[no-untyped-def]
    assert as_adam.get(reverse("webhook_rotate", args=[endpoint.pk])).status_code == 405
    assert as_adam.post(reverse("webhook_ping", args=[999_999])).status_code == 404
    assert as_adam.get(reverse("webhook_history") + "?endpoint=99999999999999999999").status_code == 200
