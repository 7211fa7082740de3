from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.fields import NOTE
from cairn.validation import FieldedConstraints, assignable


class Segment(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMB = "smb", "SMB"
    TECH_TOUCH = "tech_touch", "Tech touch"


class Account(FieldedConstraints):
    """A customer organization."""

    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The id of this account in the CRM or product."
    )
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True, help_text="Company size")
    website = models.URLField(blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_accounts",
        help_text="The CSM who owns the relationship.",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="customers_account_name_unique",
                violation_error_message="An account with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="customers_account_external_id_unique",
                violation_error_message="Another account already has this external id.",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="customers_account_not_own_parent",
                violation_error_message="An account cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("account", args=[self.pk])

    def clean(self) -> None:
        assignable(self.owner, "owner")
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "An account cannot be its own parent."})
        # Walk up the chosen parent's ancestors: meeting this account would make a loop.
        seen: set[int] = set()
        node = self.parent
        while node is not None and node.pk not in seen:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": "This would make the account its own ancestor."})
            seen.add(node.pk)
            node = node.parent


class Contact(FieldedConstraints):
    """A person at the customer. `reports_to` lets Cairn draw the org chart."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("email"),
                condition=~models.Q(email=""),
                name="customers_contact_email_unique_per_account",
                violation_error_message="This account already has a contact with this e-mail.",
            ),
            models.CheckConstraint(
                condition=~models.Q(reports_to=models.F("id")),
                name="customers_contact_not_own_manager",
                violation_error_message="A contact cannot report to themselves.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        manager = self.reports_to
        if manager is not None and manager.account_id != self.account_id:
            raise ValidationError({"reports_to": "A contact reports to someone at the same account."})
        seen: set[int] = set()
        while manager is not None and manager.pk not in seen:
            if self.pk is not None and manager.pk == self.pk:
                raise ValidationError({"reports_to": "This would make a reporting loop."})
            seen.add(manager.pk)
            manager = manager.reports_to


class Product(FieldedConstraints):
    name = models.CharField(max_length=150)
    sku = models.CharField(max_length=60, blank=True)
    description = models.TextField(blank=True, max_length=NOTE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="customers_product_name_unique",
                violation_error_message="A product with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    TRIAL = "trial", "Trial"
    RENEWED = "renewed", "Renewed"
    CHURNED = "churned", "Churned"
    EXPIRED = "expired", "Expired"


class Subscription(FieldedConstraints):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="subscriptions")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="subscriptions")
    quantity = models.PositiveIntegerField(default=1)
    arr = models.DecimalField("ARR", max_digits=14, decimal_places=2, default=0)
    start_date = models.DateField()
    end_date = models.DateField(help_text="End of the term: the renewal date.")
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["end_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="customers_subscription_ends_after_start",
                violation_error_message="The end date must not be before the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(arr__gte=0),
                name="customers_subscription_arr_not_negative",
                violation_error_message="ARR cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} for {self.account}"


# The churn policy's grace period: the default and the longest a leader may set.
GRACE_DAYS_DEFAULT = 30
GRACE_DAYS_MAX = 365


class ChurnPolicy(FieldedConstraints):
    """How Cairn decides that an account churned (cairn.customers.churn): one record a leader
    sets. Until one is saved, `current()` gives the defaults."""

    grace_days = models.PositiveSmallIntegerField(
        "grace period (days)",
        default=GRACE_DAYS_DEFAULT,
        validators=[MinValueValidator(0), MaxValueValidator(GRACE_DAYS_MAX)],
        help_text="How many days a paying subscription may stay ended, without another one in "
        "force, before the account counts as churned: a late renewal within it is no churn.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "churn policy"
        verbose_name_plural = "churn policy"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1),
                name="customers_churnpolicy_one_record",
                violation_error_message="There is one churn policy.",
            ),
            models.CheckConstraint(
                condition=models.Q(grace_days__gte=0, grace_days__lte=GRACE_DAYS_MAX),
                name="customers_churnpolicy_grace_in_range",
                violation_error_message=f"The grace period is from 0 to {GRACE_DAYS_MAX} days.",
            ),
        ]

    def __str__(self) -> str:
        return "Churn policy"

    @classmethod
    def current(cls) -> ChurnPolicy:
        """The saved policy, or an unsaved one with the defaults."""
        return cls.objects.filter(pk=1).select_related("updated_by").first() or cls(pk=1)
