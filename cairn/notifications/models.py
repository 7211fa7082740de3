"""Notifications: the in-app inbox, each person's choice of delivery per kind, the daily
digests sent, and the e-mail templates a leader edits.

A **notification** is one item in one person's inbox. When it is made, the recipient's
preference for its kind decides whether it is also e-mailed at once, kept for the next daily
digest, or left in the inbox; `email_state` then records that it was e-mailed once at most.

A **digest** is one daily e-mail to one person: at most one per person and local day.

An **e-mail template** is the subject, the HTML and the plain text of one kind of e-mail,
written in Django's template language with a few merge fields; its changes are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cairn.fields import NAME, NOTE, TITLE
from cairn.notifications.kinds import NOTIFIED, Delivery, Kind
from cairn.validation import FieldedConstraints

LINK_CHARS = 300
INTERNAL_PATH = (
    "Give a path inside Cairn: it starts with a single / (such as /accounts/12/), "
    "not an address of another site."
)


def internal_path(value: str) -> None:
    """A path on this site: one leading slash, no scheme or host, no spaces or control
    characters. Browsers read `//host` and `/\\host` as another site."""
    if not value:
        return
    if (
        not value.startswith("/") or value.startswith(("//", "/\\"))
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise ValidationError(INTERNAL_PATH, code="internal_path")


class EmailState(models.TextChoices):
    PENDING = "pending", "Waiting to be e-mailed"
    SENT = "sent", "E-mailed"
    SKIPPED = "skipped", "Not e-mailed"
    FAILED = "failed", "The e-mail failed"


class Digest(models.Model):
    """One daily e-mail of one person's work. Its row is written before the e-mail goes, so
    a second run on the same day (another worker, a run by hand) finds it and sends none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The local day it was sent for.")
    run = models.UUIDField(db_index=True, help_text="The run that sent it.")
    email_state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"], name="notifications_digest_one_per_day",
                violation_error_message="This person already had a digest that day.",
            ),
            models.CheckConstraint(
                condition=Q(email_state__in=EmailState.values), name="notifications_digest_state_valid",
                violation_error_message="Choose a known e-mail state.",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest of {self.day:%d %b %Y} for {self.user_id}"


class Notification(FieldedConstraints):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=[(k, Kind(k).label) for k in NOTIFIED])
    title = models.CharField(max_length=TITLE)
    body = models.TextField(blank=True, max_length=NOTE)
    link = models.CharField(
        max_length=LINK_CHARS, blank=True, validators=[internal_path],
        help_text="The page the notification is about, inside Cairn.",
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, null=True, blank=True,
        related_name="notifications",
    )
    # Not auto_now_add: the demo dates its notifications in its story.
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(
        max_length=8, choices=Delivery.choices, default=Delivery.OFF,
        help_text="How it was to be e-mailed, by the recipient's preference when it was made.",
    )
    email_state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.SKIPPED)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications",
        help_text="The daily digest it was e-mailed in.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notifications_inbox"),
            models.Index(fields=["email_state", "delivery"], name="notifications_to_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NOTIFIED), name="notifications_notification_kind_valid",
                violation_error_message="Choose a kind of notification.",
            ),
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values), name="notifications_notification_delivery_valid",
                violation_error_message="Choose at once, in the daily digest or off.",
            ),
            models.CheckConstraint(
                condition=Q(email_state__in=EmailState.values),
                name="notifications_notification_state_valid",
                violation_error_message="Choose a known e-mail state.",
            ),
            models.CheckConstraint(
                condition=Q(link="") | (
                    Q(link__startswith="/") & ~Q(link__startswith="//") & ~Q(link__startswith="/\\")
                ),
                name="notifications_notification_link_internal",
                violation_error_message=INTERNAL_PATH,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Preference(FieldedConstraints):
    """A person's choice for one kind; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notifications_preference_one_per_kind",
                violation_error_message="This person already has a setting for this kind.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notifications_preference_kind_valid",
                violation_error_message="Choose a kind of notification.",
            ),
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values), name="notifications_preference_delivery_valid",
                violation_error_message="Choose at once, in the daily digest or off.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.DIGEST, delivery=Delivery.NOW),
                name="notifications_preference_digest_daily",
                violation_error_message="The digest is sent every morning or not at all.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_delivery_display()}"


class EmailTemplate(FieldedConstraints):
    """One kind of e-mail: its subject, HTML and plain text in Django's template language.
    Cairn ships one of each key (cairn.notifications.defaults); leaders edit them."""

    key = models.CharField(
        max_length=40,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and _.")],
        help_text="How Cairn and automation rules name it.",
    )
    name = models.CharField(max_length=NAME)
    description = models.TextField(
        "merge fields", blank=True, max_length=NOTE,
        help_text="The values the template can print, one per line.",
    )
    subject = models.CharField(max_length=TITLE)
    html = models.TextField("HTML body", max_length=NOTE)
    text = models.TextField("plain-text body", max_length=NOTE)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "key"]
        verbose_name = "e-mail template"
        constraints = [
            models.UniqueConstraint(
                fields=["key"], name="notifications_template_unique_key",
                violation_error_message="There is already a template with this key.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notification_template", args=[self.pk])

    def clean(self) -> None:
        from cairn.notifications.rendering import check_template

        errors = {}
        for name in ("subject", "html", "text"):
            problem = check_template(getattr(self, name) or "", self.key, name)
            if problem:
                errors[name] = problem
        if errors:
            raise ValidationError(errors)
