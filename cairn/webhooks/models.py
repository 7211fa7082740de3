"""Outbound webhooks: the endpoints that receive Cairn's events, each delivery of an event to
an endpoint, and every attempt to send it.

An **endpoint** is a receiver's URL (a CRM's, a Slack incoming webhook's) with the events it
subscribes to and the secret that signs what it receives. A **delivery** is one event for one
endpoint: its payload, whether it arrived, and when it is next tried. An **attempt** is one
POST of it: the answer's status and an excerpt of its body, or the error (refused, timed out).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cairn.fields import NAME
from cairn.validation import FieldedConstraints
from cairn.webhooks import events

URL_CHARS = 500
RESPONSE_CHARS = 2000  # what is kept of an answer's body: enough to read an error page's gist
ERROR_CHARS = 500
MAX_ATTEMPTS = 6


def validate_events(chosen: object) -> None:
    """A list of the events Cairn sends that an endpoint may subscribe to, at least one."""
    if not isinstance(chosen, list) or not all(isinstance(e, str) for e in chosen):
        raise ValidationError("Give the events as a list of their names.")
    unknown = [e for e in chosen if e not in events.SUBSCRIBABLE]
    if unknown:
        known = ", ".join(events.SUBSCRIBABLE)
        raise ValidationError(f"Cairn sends no event {unknown[0]!r} to subscribe to; choose from {known}.")
    if not chosen:
        raise ValidationError("Choose at least one event.")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Endpoint(FieldedConstraints):
    name = models.CharField(max_length=NAME, help_text="Who receives it, as your team calls it.")
    url = models.URLField(
        "URL", max_length=URL_CHARS,
        help_text="The receiver's address (http or https). Cairn POSTs each event to it as JSON.",
    )
    # Shown to admins on the endpoint's page; never in the history (see `history` below).
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    # Editable only so that the history compares it (simple-history skips non-editable fields).
    secret_rotated_at = models.DateTimeField("secret rotated", null=True, blank=True)
    events = models.JSONField(
        "events", default=list, validators=[validate_events], help_text="The events it receives.",
        error_messages={"blank": "Choose at least one event."},
    )
    active = models.BooleanField(
        "switched on", default=True, help_text="Switched off, it receives no new events."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The secret stays out of the history tables; a rotation shows as `secret rotated` changing.
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "webhook endpoint"
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="webhooks_endpoint_name_unique",
                violation_error_message="An endpoint of this name exists already.",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="webhooks_endpoint_url_http",
                violation_error_message="Give an http:// or https:// address.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("webhook_endpoint", args=[self.pk])

    def clean(self) -> None:
        if isinstance(self.events, list):
            self.events = [e for e in events.SUBSCRIBABLE if e in self.events]  # one each, in order

    @property
    def event_labels(self) -> list[str]:
        return [events.label(e) for e in self.events]


class Delivery(FieldedConstraints):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=[(k, e.label) for k, e in events.EVENTS.items()])
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it is next tried; claimed by moving it on (cairn.webhooks.sender.claim). None once
    # it is delivered or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True, max_length=RESPONSE_CHARS)
    last_error = models.CharField(max_length=ERROR_CHARS, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    # Who asked for it (a replay, a test); None when an event caused it.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhooks_delivery_log"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="webhooks_delivery_status_valid",
                violation_error_message="A delivery is pending, delivered or failed.",
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=MAX_ATTEMPTS), name="webhooks_delivery_attempts_range",
                violation_error_message=f"A delivery is tried at most {MAX_ATTEMPTS} times.",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.PENDING) | Q(next_attempt_at__isnull=True),
                name="webhooks_delivery_due_only_pending",
                violation_error_message="Only a pending delivery waits for its next attempt.",
            ),
        ]

    def __str__(self) -> str:
        return f"{events.label(self.event)} to {self.endpoint}"

    def get_absolute_url(self) -> str:
        return reverse("webhook_delivery", args=[self.pk])

    @property
    def event_label(self) -> str:
        return events.label(self.event)


class Attempt(FieldedConstraints):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.TextField(blank=True, max_length=RESPONSE_CHARS)
    error = models.CharField(max_length=ERROR_CHARS, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            # The claim sends each attempt once; this is the database's word on it.
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhooks_attempt_once",
                violation_error_message="This attempt of the delivery is logged already.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MAX_ATTEMPTS), name="webhooks_attempt_number_range",
                violation_error_message=f"A delivery is tried 1 to {MAX_ATTEMPTS} times.",
            ),
            models.CheckConstraint(
                condition=Q(status_code__isnull=True) | Q(status_code__gte=100, status_code__lte=599),
                name="webhooks_attempt_status_code_http",
                violation_error_message="An HTTP status code is between 100 and 599.",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
