"""Changes to customer records. Each validates the whole object and records who changed it."""

from __future__ import annotations

from typing import TypeVar

from django.db import models, transaction

from cairn.customers.models import Account, ChurnPolicy, Contact, Subscription
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


POLICY_REFUSAL = "Only CS leaders set the churn definition."


@transaction.atomic
def save_policy(grace_days: int, *, by: User) -> ChurnPolicy:
    """Set the churn policy's grace period; the policy's history names `by`."""
    policy = ChurnPolicy.objects.select_for_update().filter(pk=1).first() or ChurnPolicy(pk=1)
    policy.grace_days = grace_days
    policy.updated_by = by
    policy.full_clean(validate_unique=False)
    policy._history_user = by  # type: ignore[attr-defined]
    policy.save()
    return policy
