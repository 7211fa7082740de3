from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from cairn.customers.models import Account, Contact, Product, Segment, Subscription
from cairn.fields import NAME
from cairn.forms import choice
from cairn.playbooks.models import Phase

User = get_user_model()

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccountForm(forms.ModelForm):
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Account
        fields = [
            "name", "external_id", "industry", "region", "employees", "website", "segment",
            "owner", "parent",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").queryset = User.objects.filter(is_active=True).exclude(role="readonly")
        parents = Account.objects.only("id", "name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        choice(self, "parent").queryset = parents
        self.fields["parent"].label = "Parent account"


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "title", "department", "email", "phone", "reports_to"]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account
        colleagues = account.contacts.all()
        if self.instance.pk:
            colleagues = colleagues.exclude(pk=self.instance.pk)
        choice(self, "reports_to").queryset = colleagues


class SubscriptionForm(forms.ModelForm):
    new_product = forms.CharField(
        required=False, max_length=150, label="Or a new product",
        help_text="Type a name to add a product that is not in the list yet.",
    )

    class Meta:
        model = Subscription
        fields = ["product", "quantity", "arr", "start_date", "end_date", "status"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account
        self.fields["product"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = (data.get("new_product") or "").strip()
        if name and not data.get("product"):
            existing = Product.objects.filter(name__iexact=name).first()
            data["product"] = existing or Product(name=name)
        if not data.get("product"):
            self.add_error("product", "Choose a product or type a new one.")
        return data

    def _get_validation_exclusions(self) -> set[str]:
        # A product typed in is saved with the subscription; until then the model cannot
        # check it, and the save re-validates the whole subscription anyway.
        exclusions: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        product = self.cleaned_data.get("product")
        if product is not None and product.pk is None:
            exclusions.add("product")
        return exclusions

    def save(self, commit: bool = True) -> Subscription:
        product = self.cleaned_data["product"]
        if product.pk is None:
            product.save()
        self.instance.product = product
        return super().save(commit=commit)


RENEWAL_WINDOWS = [("", "Any time"), ("30", "Next 30 days"), ("90", "Next 90 days"),
                   ("180", "Next 180 days"), ("overdue", "Past due")]
SORTS = [("name", "Name"), ("renewal", "Next renewal"), ("-arr", "ARR, highest first"),
         ("owner", "Owner"), ("-updated", "Recently changed"), ("score", "Health, lowest first"),
         ("-score", "Health, highest first"), ("change", "Health, biggest fall first"),
         ("-risk", "Churn risk, highest first")]
STANDINGS = [("", "Customers"), ("former", "Former customers"), ("all", "Customers and former")]
LIGHTS = [("", "Any health"), ("red", "Red"), ("amber", "Amber"), ("green", "Green"),
          ("none", "Not enough data")]


class PortfolioFilter(forms.Form):
    q = forms.CharField(max_length=NAME, required=False, label="Search")
    standing = forms.ChoiceField(
        required=False, choices=STANDINGS, label="Show",
        help_text="Former customers churned every subscription and renew nothing.",
    )
    phase = forms.ChoiceField(required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    segment = forms.ChoiceField(required=False, choices=[("", "Any segment"), *Segment.choices])
    renewal = forms.ChoiceField(required=False, choices=RENEWAL_WINDOWS, label="Renewal")
    light = forms.ChoiceField(required=False, choices=LIGHTS, label="Health")
    dropped = forms.IntegerField(
        required=False, min_value=1, max_value=100, label="Fell by more than",
        help_text="Points lost in the last 30 days.",
        widget=forms.NumberInput(attrs={"placeholder": "points", "size": 6}),
    )
    sort = forms.ChoiceField(required=False, choices=SORTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").queryset = User.objects.filter(is_active=True).exclude(role="readonly")
        # Phases are matched by key, so the filter works across playbook versions.
        phases = Phase.objects.order_by("position").values_list("key", "name").distinct()
        seen: dict[str, str] = {}
        for key, name in phases:
            seen.setdefault(key, name)
        cast(forms.ChoiceField, self.fields["phase"]).choices = [("", "Any phase"), *seen.items()]
