"""Sending against a real receiver on 127.0.0.1: signed, retried with a growing pause until it
is accepted or six attempts failed, every attempt logged with its answer or its error."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cairn.jobs import runner
from cairn.jobs.models import Job
from cairn.webhooks import actions, sender, tasks
from cairn.webhooks.models import RESPONSE_CHARS, Attempt, Delivery, Status

pytestmark = pytest.mark.django_db

NOTHING = {"delivered": 0, "retrying": 0, "failed": 0, "skipped": 0}


def _counts(**some: int) -> dict[str, int]:
    return NOTHING | some


def test_a_receiver_that_fails_twice_then_succeeds_gets_one_delivery_logged_with_its_retries_and_signed(
    endpoint, receiver, alert
) -> None:  # type: ignore[no-untyped-def]
    receiver.script(500, 500, 200)
    [delivery] = actions.emit("health.alert", alert)
    start = timezone.now()

    assert sender.send_due(start) == _counts(retrying=1)
    assert sender.send_due(start + dt.timedelta(seconds=59)) == NOTHING  # waits its minute
    assert sender.send_due(start + dt.timedelta(seconds=61)) == _counts(retrying=1)
    assert sender.send_due(start + dt.timedelta(minutes=5)) == NOTHING  # then five more
    assert sender.send_due(start + dt.timedelta(minutes=6, seconds=2)) == _counts(delivered=1)
    assert sender.send_due(start + dt.timedelta(days=2)) == NOTHING

    assert Delivery.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 3
    assert delivery.last_status_code == 200 and delivery.next_attempt_at is None
    assert delivery.delivered_at == start + dt.timedelta(minutes=6, seconds=2)
    attempts = list(Attempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code, a.response) for a in attempts] == [
        (1, 500, "answer 500"), (2, 500, "answer 500"), (3, 200, "answer 200"),
    ]
    assert all(a.error == "" and a.duration_ms >= 0 for a in attempts)

    assert len(receiver.requests) == 3
    assert all(request.signed for request in receiver.requests)
    assert {r.headers["X-Cairn-Delivery"] for r in receiver.requests} == {str(delivery.uuid)}
    first = receiver.requests[0]
    assert first.headers["X-Cairn-Event"] == "health.alert"
    assert first.headers["User-Agent"] == "Cairn-Webhooks/1"
    assert first.headers["Content-Type"] == "application/json"
    assert sender.verify(endpoint.secret, first.headers["X-Cairn-Timestamp"], first.body,
                         first.headers["X-Cairn-Signature"])
    assert not sender.verify("another secret", first.headers["X-Cairn-Timestamp"], first.body,
                             first.headers["X-Cairn-Signature"])
    envelope = json.loads(first.body)
    assert envelope["id"] == str(delivery.uuid) and envelope["event"] == "health.alert"
    assert envelope["data"]["account"]["name"] == "Acme Manufacturing"
    assert envelope["data"]["scored_on"] == "2026-12-01"
    assert envelope["text"] == "Health alert for Acme Manufacturing: Turned red (score 38, scored 01 Dec 2026)."
    assert dt.datetime.fromisoformat(envelope["created_at"]) == delivery.created_at


def test_the_pauses_grow_from_a_minute_to_twelve_hours_and_the_sixth_failure_gives_up(
    endpoint, receiver, alert
) -> None:  # type: ignore[no-untyped-def]
    receiver.script(*[503] * 10)
    [delivery] = actions.emit("health.alert", alert)
    moment = timezone.now()
    pauses = []
    for _ in range(5):
        assert sender.send_due(moment) == _counts(retrying=1)
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None
        pauses.append(delivery.next_attempt_at - moment)
        moment = delivery.next_attempt_at
    assert pauses == [dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
    assert sender.send_due(moment) == _counts(failed=1)
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and delivery.attempts == 6 and delivery.next_attempt_at is None
    assert sender.send_due(moment + dt.timedelta(days=30)) == NOTHING
    assert len(receiver.requests) == 6
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [503] * 6


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_logged_as_an_error_and_tried_again(adam, alert) -> None:  # type: ignore[no-untyped-def]
    from cairn.webhooks.models import Endpoint

    actions.create_endpoint(Endpoint(name="Nobody home", url=f"http://127.0.0.1:{_closed_port()}/",
                                     events=["health.alert"]), by=adam)
    [delivery] = actions.emit("health.alert", alert)
    assert sender.send_due(timezone.now()) == _counts(retrying=1)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None and attempt.response == ""
    assert attempt.error == "Connection refused: nothing is listening at that address."
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING and delivery.last_error == attempt.error


def test_a_receiver_that_does_not_answer_in_time_is_logged_as_timed_out(
    endpoint, receiver, alert, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sender, "TIMEOUT_SECONDS", 0.2)
    receiver.delay = 1.0
    [delivery] = actions.emit("health.alert", alert)
    assert sender.send_due(timezone.now()) == _counts(retrying=1)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error == "Timed out after 0.2 s without an answer."
    assert 150 <= attempt.duration_ms < 1000


def test_a_redirect_is_logged_and_not_followed(endpoint, receiver, alert) -> None:  # type: ignore[no-untyped-def]
    receiver.answers = [(302, "moved", {"Location": "http://127.0.0.1:9/elsewhere"})]
    [delivery] = actions.emit("health.alert", alert)
    assert sender.send_due(timezone.now()) == _counts(retrying=1)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 302
    assert attempt.error == "Redirected to http://127.0.0.1:9/elsewhere: not followed."
    assert len(receiver.requests) == 1


def test_only_an_excerpt_of_a_long_answer_is_kept_without_its_nul_characters(
    endpoint, receiver, alert
) -> None:  # type: ignore[no-untyped-def]
    receiver.answers = [(200, "a\x00b" + "x" * 50_000)]
    [delivery] = actions.emit("health.alert", alert)
    assert sender.send_due(timezone.now()) == _counts(delivered=1)
    delivery.refresh_from_db()
    assert len(delivery.last_response) == RESPONSE_CHARS
    assert delivery.last_response.startswith("abxxx")
    assert delivery.attempt_log.get().response == delivery.last_response


def test_a_switched_off_endpoint_s_due_deliveries_wait_until_it_is_switched_on(
    endpoint, receiver, alert, adam
) -> None:  # type: ignore[no-untyped-def]
    actions.emit("health.alert", alert)
    actions.update_endpoint(endpoint, {"active": False}, by=adam)
    assert sender.send_due(timezone.now()) == NOTHING
    actions.update_endpoint(endpoint, {"active": True}, by=adam)
    assert sender.send_due(timezone.now()) == _counts(delivered=1)
    assert len(receiver.requests) == 1


def test_a_claimed_attempt_is_not_claimed_again_by_a_sender_that_read_the_same_row(
    endpoint, alert
) -> None:  # type: ignore[no-untyped-def]
    [made] = actions.emit("health.alert", alert)
    mine, theirs = Delivery.objects.get(pk=made.pk), Delivery.objects.get(pk=made.pk)
    now = timezone.now()
    assert sender.claim(mine, now) is True
    assert sender.claim(theirs, now) is False
    # Claimed, it is not due until its lease runs out (a sender that died mid-attempt).
    assert sender.due(now + dt.timedelta(minutes=4)) == []
    assert [d.pk for d in sender.due(now + sender.LEASE)] == [made.pk]


def test_a_new_delivery_is_queued_for_the_worker_once_its_transaction_commits(
    endpoint, receiver, alert, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [delivery] = actions.emit("health.alert", alert)
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    queued = DBTaskResult.objects.get(task_path=tasks.send_deliveries.module_path)
    assert queued.args_kwargs["args"] == [[delivery.pk]]
    # The worker runs the task: it sends that delivery.
    assert tasks.send_deliveries.call([delivery.pk]) == _counts(delivered=1)
    assert len(receiver.requests) == 1 and receiver.requests[0].signed


def test_nothing_is_queued_when_the_caller_s_transaction_rolls_back(
    endpoint, alert, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.emit("health.alert", alert)
        raise RuntimeError("the caller failed")
    assert callbacks == [] and not Delivery.objects.exists()


def test_the_scheduled_job_sends_what_is_due_every_minute(endpoint, receiver, alert) -> None:  # type: ignore[no-untyped-def]
    actions.emit("health.alert", alert)
    job = Job.objects.get(name="webhook_deliveries")
    Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now() - dt.timedelta(seconds=1))
    runs = [run for run in runner.run_due() if run.job_id == job.pk]
    assert [run.summary for run in runs] == [_counts(delivered=1)]
    job.refresh_from_db()
    assert dt.timedelta(seconds=50) < job.next_run_at - timezone.now() <= dt.timedelta(minutes=1)
    assert len(receiver.requests) == 1


def test_the_signature_is_the_hmac_of_timestamp_and_body(monkeypatch: Any) -> None:
    body = b'{"id":"1"}'
    signature = sender.sign("s3cret", 1_700_000_000, body)
    assert signature == "sha256=" + __import__("hmac").new(
        b"s3cret", b'1700000000.{"id":"1"}', "sha256"
    ).hexdigest()
    assert sender.verify("s3cret", "1700000000", body.decode(), signature)
    assert not sender.verify("s3cret", "1700000001", body, signature)
    assert not sender.verify("s3cret", "not a number", body, signature)
