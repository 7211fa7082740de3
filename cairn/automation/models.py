"""Rules that act on the book, the log of what they did, the plays they start and the flags
they set.

A **rule** is data (cairn.automation.definition): a trigger, conditions on the account, and
actions. It has an owner and a description, is switched on or off, and every change to what
it does makes a new version (the history keeps each one, and each firing names the version
that fired).

A **firing** is one situation on one account that the rule acted on, with the values that
matched. The pair (rule, account, event key) is unique, so the same situation cannot fire
twice, however many workers evaluate at once; a firing held back by the rule's cooldown is
logged too, as suppressed, so the log says why nothing happened.

A **play** is a named set of tasks a rule (or a person) starts on an account.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.automation.definition import FLAG_CHARS, Assignee, TriggerKind
from cairn.fields import NAME, NOTE, TITLE
from cairn.validation import FieldedConstraints

MAX_COOLDOWN_DAYS = 365


class Rule(FieldedConstraints):
    name = models.CharField(max_length=NAME)
    description = models.TextField(blank=True, max_length=NOTE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="automation_rules"
    )
    enabled = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, choices=TriggerKind.choices)
    # The rest of the definition, checked against cairn.automation.definition on save.
    trigger_settings = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    cooldown_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(MAX_COOLDOWN_DAYS)],
        help_text="After firing on an account, the rule waits this many days before it fires "
        "on that account again.",
    )
    version = models.PositiveIntegerField(default=1)
    # Evaluation looks at what happened after this day (and on it); set when switched on.
    evaluated_through = models.DateField(null=True, blank=True)
    enabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["evaluated_through", "updated_at"])

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger__in=TriggerKind.values), name="automation_rule_trigger_valid",
                violation_error_message="Choose a trigger from the list.",
            ),
            models.CheckConstraint(
                condition=Q(cooldown_days__lte=MAX_COOLDOWN_DAYS),
                name="automation_rule_cooldown_bounded",
                violation_error_message=f"A cooldown is at most {MAX_COOLDOWN_DAYS} days.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("automation_rule", args=[self.pk])


class FiringStatus(models.TextChoices):
    FIRED = "fired", "Fired"
    SUPPRESSED = "suppressed", "Held back by the cooldown"


class Firing(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    version = models.PositiveIntegerField()
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="rule_firings"
    )
    # Names the situation: the same key is the same situation (a score date, a ticket, a
    # renewal term), so it is acted on once.
    event_key = models.CharField(max_length=120)
    event_on = models.DateField(help_text="The day the situation arose.")
    status = models.CharField(max_length=12, choices=FiringStatus.choices)
    summary = models.CharField(max_length=TITLE, help_text="Why it fired, in words.")
    matched = models.JSONField(default=dict, blank=True)
    # What the actions did: the tasks, e-mails, entries, flags, deliveries they made.
    outcomes = models.JSONField(default=list, blank=True)
    fired_at = models.DateTimeField()

    class Meta:
        ordering = ["-fired_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "account", "event_key"], name="automation_firing_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["rule", "account", "-event_on"], name="automation_firing_recent"),
            models.Index(fields=["account", "-fired_at"], name="automation_firing_account"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.account_id}: {self.event_key}"


class Play(FieldedConstraints):
    name = models.CharField(max_length=NAME, unique=True)
    description = models.TextField(blank=True, max_length=NOTE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlayStep(models.Model):
    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=TITLE, help_text="May use merge fields: {{ account }}.")
    description = models.TextField(blank=True, max_length=NOTE)
    assignee = models.CharField(max_length=20, choices=Assignee.choices, default=Assignee.OWNER)
    due_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(365)], help_text="Due this many days after it starts."
    )

    class Meta:
        ordering = ["play", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__in=Assignee.values), name="automation_step_assignee_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_days__lte=365), name="automation_step_due_bounded"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AccountFlag(models.Model):
    """A flag on an account ("At risk"), set by a rule or a person, open until cleared."""

    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="flags")
    name = models.CharField(max_length=FLAG_CHARS)
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["account", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], condition=Q(cleared_at__isnull=True),
                name="automation_flag_one_open",
                violation_error_message="The account already carries this flag.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
