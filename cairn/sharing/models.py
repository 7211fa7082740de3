"""Customer links: one secret, expiring, single-use link to a frozen document version.

Single use means one answer: once answered, the link still shows the customer a read-only
copy of the version they answered (page and PDF) until it expires, and takes no more answers.

The token is shown once, in the URL given to the CSM; the database keeps only its SHA-256,
so a copy of the database opens no link. A link names the exact DocumentVersion sent, and
keeps the title, number and a hash of that version's content, so the record of what the
customer accepted survives even if the document is later deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.fields import NOTE
from cairn.validation import FieldedConstraints


class Response(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class LinkState(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    WITHDRAWN = "withdrawn", "Document withdrawn"


class SharedLink(FieldedConstraints):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="shared_links"
    )
    version = models.ForeignKey(
        "documents.DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        related_name="shared_links",
        help_text="The frozen version the customer reads and answers on.",
    )
    document_title = models.CharField(max_length=200)
    version_number = models.PositiveIntegerField()
    content_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the version's text or file when it was sent."
    )
    purpose = models.CharField(max_length=40)
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, related_name="shared_links"
    )
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(blank=True)
    message = models.TextField(
        blank=True, help_text="A note from the CSM, shown on the page.", max_length=NOTE
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=10, choices=Response.choices, blank=True)
    typed_name = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True, max_length=NOTE)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When Cairn noted that the link expired unanswered (cairn.sharing.expiry), so it does once.
    expiry_noted_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["engagement", "-created_at"], name="sharing_link_engagement")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="sharing_link_expires_after_creation",
                violation_error_message="A link must expire after it is created.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(used_at__isnull=True, response="")
                    | models.Q(used_at__isnull=False, response__in=Response.values)
                ),
                name="sharing_link_answered_once",
                violation_error_message="An answered link records its answer, and only then.",
            ),
            models.CheckConstraint(
                condition=~models.Q(response=Response.ACCEPTED) | ~models.Q(typed_name=""),
                name="sharing_accept_needs_name",
                violation_error_message="Type your full name to accept.",
            ),
            models.CheckConstraint(
                condition=~models.Q(response=Response.DECLINED) | ~models.Q(comment=""),
                name="sharing_decline_needs_comment",
                violation_error_message="Say why you decline, so we can rework it.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_title} v{self.version_number} for {self.recipient_name}"

    def state(self, now: object = None) -> str:
        """Where the link stands now: answered, revoked, expired, withdrawn or open."""
        moment = now or timezone.now()
        if self.response:
            return self.response
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.expires_at <= moment:  # type: ignore[operator]
            return LinkState.EXPIRED
        if self.version_id is None:
            return LinkState.WITHDRAWN
        return LinkState.OPEN

    def can_read(self, now: object = None) -> bool:
        """Whether the link still shows its version: an open link to be answered, and an
        answered one as a read-only copy of what was answered, until the link expires.
        A revoked or expired link, or one whose document was deleted, shows nothing."""
        moment = now or timezone.now()
        if self.version_id is None or self.expires_at <= moment:  # type: ignore[operator]
            return False
        return self.state(moment) in (LinkState.OPEN, LinkState.ACCEPTED, LinkState.DECLINED)

    def state_label(self) -> str:
        return LinkState(self.state()).label

    @property
    def is_open(self) -> bool:
        return self.state() == LinkState.OPEN
