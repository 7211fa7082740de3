from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from cairn.people.models import User


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(
        label="Initial password",
        max_length=1024,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to generate one; it is shown once, after saving.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "title", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if password:
            candidate = User(
                username=self.data.get("username", ""), email=self.data.get("email", ""),
                first_name=self.data.get("first_name", ""),
                last_name=self.data.get("last_name", ""),
            )
            password_validation.validate_password(password, candidate)
        return password


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "title", "role", "is_active"]
        labels = {"is_active": "Active (may log in)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="Where you will use it, e.g. “CRM sync”."
    )
    ingest = forms.BooleanField(
        label="Ingest scope", required=False,
        help_text="For an integration: sends usage events, tickets and NPS answers for every "
        "account.",
    )

    def __init__(self, *args: Any, may_ingest: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only admins and leaders set up integrations (permissions.can_issue_ingest_tokens).
        if not may_ingest:
            del self.fields["ingest"]
