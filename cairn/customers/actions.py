"""Changes to customer records. Each validates the whole object and records who changed it."""

from __future__ import annotations

from typing import TypeVar

from django.db import models, transaction

from cairn.customers.models import Account, Contact, Subscription
from cairn.people.models import User

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def save_record(instance: M, *, by: User) -> M:
    """Validate (fields and named constraints) and save, with `by` in the history."""
    instance.full_clean()
    instance._history_user = by  # type: ignore[attr-defined]
    instance.save()
    return instance


@transaction.atomic
def delete_record(instance: Account | Contact | Subscription, *, by: User) -> None:
    instance._history_user = by  # type: ignore[union-attr]
    instance.delete()
