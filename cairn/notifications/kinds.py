"""What Cairn notifies people about, and how each person wants to hear of it.

Each kind has a default delivery, used for everyone who has not chosen one. The `digest` kind
is not something that happens but the daily e-mail of one's work: its delivery says whether
that e-mail is sent (`digest`) or not (`off`).
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    AUTOMATION = "automation", "Automation rules"
    HEALTH_ALERT = "health_alert", "Health alerts on my accounts"
    TASK_ASSIGNED = "task_assigned", "Tasks given to me by others"
    LINKS = "links", "Customer links that expired unanswered"
    DIGEST = "digest", "Daily digest of my work"
    WEBHOOK_FAILED = "webhook_failed", "Webhooks that stopped delivering"


class Delivery(models.TextChoices):
    NOW = "now", "At once"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "Off"


DEFAULTS: dict[str, str] = {
    Kind.AUTOMATION: Delivery.NOW,
    Kind.HEALTH_ALERT: Delivery.NOW,
    Kind.TASK_ASSIGNED: Delivery.DIGEST,
    Kind.LINKS: Delivery.NOW,
    Kind.DIGEST: Delivery.DIGEST,
    Kind.WEBHOOK_FAILED: Delivery.NOW,
}

# What each kind is about, under its name on the preferences page.
EXPLAINED: dict[str, str] = {
    Kind.AUTOMATION: "When a rule you receive e-mails from fires on an account.",
    Kind.HEALTH_ALERT: "When an account you own turns red or drops sharply.",
    Kind.TASK_ASSIGNED: "When someone else gives you a task.",
    Kind.LINKS: "When a link you sent a customer (a proposal, a sign-off) expired without an answer.",
    Kind.DIGEST: "Every morning: overdue tasks, tasks due today, open health alerts, renewals within "
                 "30 days, business reviews within 14 days, and the notifications kept for it.",
    Kind.WEBHOOK_FAILED: "When a webhook keeps failing and is switched off (admins only).",
}

# Kinds a notification can be of: the digest is a preference only.
NOTIFIED: tuple[str, ...] = tuple(k for k in Kind.values if k != Kind.DIGEST)

# The choices of the digest kind: the e-mail is sent every morning or not at all.
DIGEST_CHOICES: list[tuple[str, str]] = [(Delivery.DIGEST, "Every morning"), (Delivery.OFF, "Off")]


def choices_for(kind: str) -> list[tuple[str, str]]:
    if kind == Kind.DIGEST:
        return DIGEST_CHOICES
    return list(Delivery.choices)


def label_of(kind: str) -> str:
    return str(dict(Kind.choices).get(kind, kind))


def delivery_label(kind: str, delivery: str) -> str:
    return str(dict(choices_for(kind)).get(delivery, delivery))


def kinds_for(is_admin: bool) -> list[str]:
    """The kinds a person may receive: webhook failures go to admins only."""
    return [k for k in Kind.values if is_admin or k != Kind.WEBHOOK_FAILED]
