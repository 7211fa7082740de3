from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from cairn.people.models import User


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(
        label="Initial password",
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
