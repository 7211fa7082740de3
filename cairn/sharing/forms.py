"""Forms of customer links: the CSM's send form and the customer's two answers."""

from __future__ import annotations

from django import forms

from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.fields import NOTE
from cairn.forms import choice
from cairn.sharing.actions import COMMENT_MAX, MAX_DAYS, TYPED_NAME_MAX, default_days


class SendForm(forms.Form):
    """Send a frozen version to one of the account's contacts (any app's send page)."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), label="Send to",
        help_text="The customer stakeholder who should answer.",
    )
    days = forms.IntegerField(
        min_value=1, max_value=MAX_DAYS, label="Valid for (days)",
        help_text="After this the link stops working; send a new one if needed.",
    )
    message = forms.CharField(
        max_length=NOTE,
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Personal note",
        help_text="Shown to the customer above the document.",
    )
    send_email = forms.BooleanField(
        required=False, label="E-mail the link to the contact",
        help_text="Otherwise copy the link from the next page and send it yourself.",
    )

    def __init__(self, *args: object, engagement: Engagement, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choice(self, "contact").queryset = Contact.objects.filter(account_id=engagement.account_id)
        self.fields["days"].initial = default_days()


class AcceptForm(forms.Form):
    typed_name = forms.CharField(
        max_length=TYPED_NAME_MAX, label="Your full name",
        help_text="Typing your name records your acceptance, with the time and your network address.",
        error_messages={"required": "Type your full name to accept."},
    )
    comment = forms.CharField(
        required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment (optional)",
    )


class DeclineForm(forms.Form):
    comment = forms.CharField(
        max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        label="What should change?",
        error_messages={"required": "Say why you decline, so we can rework it."},
    )
