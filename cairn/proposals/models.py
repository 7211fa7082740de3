"""The customer engagement proposal of an engagement (the success plan).

Its text is a written Document (type PROPOSAL) in the central repository, so it is versioned,
searchable and editable there like every document. This model keeps what the document
does not: the services we offer (an input of the text) and which version the customer
accepted, through which link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cairn.fields import NOTE


class Proposal(models.Model):
    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="proposal"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    services = models.TextField(
        blank=True,
        help_text="What our team does for the customer: workshops, training, reviews, support.",
        max_length=NOTE,
    )
    accepted_version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="The version the customer accepted last; it stays frozen.",
    )
    accepted_link = models.ForeignKey(
        "sharing.SharedLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Proposal for {self.engagement}"
