from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEADER = "leader", "CS leader"
    CSM = "csm", "CSM"
    READONLY = "readonly", "Read-only"


class User(AbstractUser):
    """A member of the CS organization. What they may do follows from their role."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CSM)
    title = models.CharField(max_length=120, blank=True)
    # Who gave whom which role, and who was deactivated when; passwords and logins are
    # not history worth keeping.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="people_user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_leader(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEADER) or self.is_superuser

    @property
    def is_readonly(self) -> bool:
        return self.role == Role.READONLY and not self.is_superuser


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the key is shown once, at creation.

    A token acts as its user. One with the ingest scope also sends usage events, support
    tickets and NPS answers for every account, as an integration does (see
    permissions.can_ingest): only admins and leaders make such tokens, and the scope lapses
    when its user is no longer one.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    ingest = models.BooleanField(
        "ingest scope", default=False,
        help_text="Sends usage events, tickets and NPS answers for every account.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, *, ingest: bool = False) -> tuple[ApiToken, str]:
        key = "cairn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=key[6:14], key_hash=_hash(key), ingest=ingest
        )
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The active user's token with this key, marked as used; None for any other key."""
        token = cls.objects.select_related("user").filter(key_hash=_hash(key)).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = cls.find(key)
        return token.user if token is not None else None
