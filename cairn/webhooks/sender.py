"""Sending deliveries: sign the envelope, POST it, log the attempt, and try again later with
a growing pause until it arrives or six attempts have failed.

Each attempt is claimed first by a compare-and-set UPDATE that moves the delivery's
`next_attempt_at` on from the value the sender read: with two workers (or a queued task and
the scheduled job) racing over the same due delivery, one UPDATE changes a row and the other
changes none, so each attempt is sent once, on SQLite and on PostgreSQL alike. A worker that
dies mid-attempt leaves the delivery claimed for LEASE; it is then due again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django_tasks_db.utils import is_locked_database_exception

from cairn.webhooks import events
from cairn.webhooks.models import ERROR_CHARS, MAX_ATTEMPTS, RESPONSE_CHARS, Attempt, Delivery, Status

logger = logging.getLogger(__name__)

USER_AGENT = "Cairn-Webhooks/1"
TIMEOUT_SECONDS = 10.0
# The pause after attempt n (1 to 5) failed; the sixth failure gives up.
BACKOFF = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
    dt.timedelta(hours=2), dt.timedelta(hours=12),
)
assert len(BACKOFF) == MAX_ATTEMPTS - 1
# Longer than any attempt takes (its timeout applies to each read, not to the whole answer).
LEASE = dt.timedelta(minutes=5)
BATCH = 100
# A pass stops claiming after this long, so the scheduled jobs behind it are not held up by a
# row of receivers that time out; what is left is due at the next pass.
BUDGET_SECONDS = 45.0
READ_BYTES = 4 * RESPONSE_CHARS  # an excerpt's worth, in the widest UTF-8
LOCK_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)  # seconds, between tries of a locked write


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of
    `{timestamp}.{body}`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: int | str, body: bytes | str, signature: str) -> bool:
    """What a receiver checks: the signature header matches the timestamp header and the raw
    body, compared in constant time. (It should also refuse a timestamp minutes old.)"""
    raw = body.encode() if isinstance(body, str) else body
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    return hmac.compare_digest(sign(secret, moment, raw), signature)


def body_of(delivery: Delivery) -> bytes:
    envelope = events.envelope(str(delivery.uuid), delivery.event, delivery.created_at, delivery.payload)
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def headers_of(delivery: Delivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Cairn-Event": delivery.event,
        "X-Cairn-Delivery": str(delivery.uuid),
        "X-Cairn-Timestamp": str(timestamp),
        "X-Cairn-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }


@dataclasses.dataclass(frozen=True)
class Outcome:
    status_code: int | None
    response: str
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other that is not 2xx: the delivery is tried again
    later, at the address the admin gave. Following it would send the signed payload to
    wherever the receiver points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _excerpt(raw: bytes) -> str:
    # PostgreSQL cannot store a NUL, and a receiver may answer with one.
    return raw.decode("utf-8", errors="replace").replace("\x00", "")[:RESPONSE_CHARS]


def _read(answer: Any) -> bytes:
    try:
        return bytes(answer.read(READ_BYTES))
    except (OSError, http.client.HTTPException):
        return b""  # the status is what counts; the excerpt is a courtesy


def _why(exc: BaseException) -> str:
    """The error in words a reader of the log understands."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused: nothing is listening at that address."
    if isinstance(reason, TimeoutError):
        return f"Timed out after {TIMEOUT_SECONDS:g} s without an answer."
    if isinstance(reason, socket.gaierror):
        return "The host name could not be resolved."
    if isinstance(reason, ssl.SSLError):
        return f"The secure connection failed: {reason}"
    if isinstance(reason, http.client.HTTPException):
        return f"The connection closed without a valid answer ({type(reason).__name__})."
    return str(reason) or type(reason).__name__


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST the body and say how it went; never raises for the receiver's failure."""
    started = time.monotonic()
    code: int | None = None
    response, error = "", ""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http/https only: the model's constraint)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            code, response = answer.status, _excerpt(_read(answer))
    except urllib.error.HTTPError as exc:
        code, response = exc.code, _excerpt(_read(exc))
        if 300 <= exc.code < 400:
            error = f"Redirected to {exc.headers.get('Location', 'another address')}: not followed."
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        error = _why(exc)
    duration = round((time.monotonic() - started) * 1000)
    return Outcome(code, response, error[:ERROR_CHARS], duration)


def due(now: dt.datetime, only: Collection[int] | None = None) -> list[Delivery]:
    """Pending deliveries of switched-on endpoints whose next attempt is due by `now`."""
    found = Delivery.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=now, endpoint__active=True
    ).select_related("endpoint").order_by("next_attempt_at", "pk")
    if only is not None:
        found = found.filter(pk__in=list(only))
    return list(found[:BATCH])


def claim(delivery: Delivery, now: dt.datetime) -> bool:
    """True for the one caller whose UPDATE still finds the attempt count and due time it
    read; False for everyone else, including a caller that finds the database locked by the
    winner (SQLite)."""
    try:
        return Delivery.objects.filter(
            pk=delivery.pk, status=Status.PENDING, attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
        ).update(next_attempt_at=now + LEASE) == 1
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return False
        raise


def _after(delivery: Delivery, outcome: Outcome, now: dt.datetime) -> dict[str, Any]:
    number = delivery.attempts + 1
    changes: dict[str, Any] = {
        "attempts": number, "last_status_code": outcome.status_code,
        "last_response": outcome.response, "last_error": outcome.error,
    }
    if outcome.delivered:
        return changes | {"status": Status.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    if number >= MAX_ATTEMPTS:
        return changes | {"status": Status.FAILED, "next_attempt_at": None}
    return changes | {"next_attempt_at": now + BACKOFF[number - 1]}


def _record(delivery: Delivery, outcome: Outcome, attempted_at: dt.datetime, now: dt.datetime) -> str:
    """Log the attempt and move the delivery on, together. A brief lock (SQLite, another
    worker writing) is waited out: the attempt was made, and its record must not be lost."""
    changes = _after(delivery, outcome, now)
    for pause in (*LOCK_PAUSES, None):
        try:
            with transaction.atomic():
                Attempt.objects.create(
                    delivery=delivery, number=changes["attempts"], attempted_at=attempted_at,
                    status_code=outcome.status_code, response=outcome.response, error=outcome.error,
                    duration_ms=outcome.duration_ms,
                )
                Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(**changes)
        except IntegrityError:
            # Another sender logged this attempt (a claim that outlived its lease): one log.
            logger.warning("Attempt %s of %s was logged already.", changes["attempts"], delivery.uuid)
            return "skipped"
        except OperationalError as exc:
            if pause is None or not is_locked_database_exception(exc):
                raise
            time.sleep(pause)
            continue
        return str(changes.get("status", "retrying"))
    raise AssertionError("unreachable: the last pass returns or raises")


def attempt(delivery: Delivery, now: dt.datetime) -> str:
    """Send a claimed delivery once and log it. Returns delivered, retrying or failed."""
    body = body_of(delivery)
    outcome = post(delivery.endpoint.url, body, headers_of(delivery, body, int(time.time())))
    logger.info(
        "Webhook %s to %s, attempt %s: %s %s", delivery.event, delivery.endpoint.name,
        delivery.attempts + 1, outcome.status_code or "-", outcome.error,
    )
    return _record(delivery, outcome, now, now)


def send_due(now: dt.datetime | None = None, *, only: Collection[int] | None = None) -> dict[str, int]:
    """Claim and send every delivery due by `now` (of `only` these ids, for a task queued
    when they were made). Without `now`, each attempt is timed by the clock; with it, by `now`
    (tests move time on). Returns how many were delivered, will be retried, failed for good,
    or were left to another sender."""
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    counts: Counter[str] = Counter()
    try:
        found = due(clock(), only)
    except OperationalError as exc:
        if not is_locked_database_exception(exc):
            raise
        found = []  # the next pass finds them
    deadline = time.monotonic() + BUDGET_SECONDS
    for delivery in found:
        if time.monotonic() > deadline:
            break
        moment = clock()
        if not claim(delivery, moment):
            counts["skipped"] += 1
            continue
        counts[attempt(delivery, moment)] += 1
    return {key: counts[key] for key in ("delivered", "retrying", "failed", "skipped")}


def scheduled() -> dict[str, Any]:
    """The scheduled job: retry what is due (and send what a lost task did not)."""
    return send_due()
