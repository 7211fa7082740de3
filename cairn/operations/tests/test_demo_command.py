"""`cairn demo` on a database without the demo: loading, resetting, and refusing to.

What the demo holds once loaded is tested in test_demo.py, on one load for all its tests.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.customers.models import Account, Contact, Subscription
from cairn.documents.models import Document, DocumentVersion
from cairn.engagements.models import Engagement, EngagementActivity, Evaluation, Outcome, PhaseMove
from cairn.health.models import HealthAlert, ManualRating
from cairn.health.trust.models import WeightSuggestion
from cairn.people.models import User
from cairn.timeline.models import Entry, Task

pytestmark = pytest.mark.django_db

COUNTED = [Account, Contact, Subscription, Engagement, EngagementActivity, Outcome, PhaseMove,
           Document, DocumentVersion, Entry, Task, User, Evaluation, HealthAlert, ManualRating,
           WeightSuggestion]


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_reset_reloads_the_demo_and_leaves_other_data_alone(acme: Account) -> None:
    demo()
    loaded = counts()
    Account.objects.filter(external_id="demo-orchard-lane").delete()

    output = demo("--reset")

    assert "Demo data removed." in output
    assert "Demo data loaded." in output
    assert Account.objects.filter(external_id="demo-orchard-lane").exists()
    assert Account.objects.filter(pk=acme.pk).exists()
    after = counts()
    # acme and its owner carol were there before the first run, and are still there.
    assert after == loaded


def test_the_demo_refuses_to_take_over_an_existing_user_name(django_user_model) -> None:  # type: ignore[no-untyped-def]
    django_user_model.objects.create_user(username="priya", password="x" * 12)

    with pytest.raises(CommandError, match="reserved for the demo"):
        demo()

    assert not Account.objects.exists()
