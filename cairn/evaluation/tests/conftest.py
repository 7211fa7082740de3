from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cairn.adoption.models import Challenge
from cairn.engagements import actions as engagements
from cairn.engagements.models import Evaluation
from cairn.people.models import ApiToken


@pytest.fixture
def round(engagement, carol) -> Evaluation:  # type: ignore[no-untyped-def]
    phase = engagement.playbook_version.phases.get(key="value-realization")
    engagements.move_to_phase(engagement, phase, by=carol, override=True, reason="Migrated")
    return engagements.open_evaluation(engagement, by=carol)


@pytest.fixture
def challenges(engagement) -> list[Challenge]:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return [
        Challenge.objects.create(
            engagement=engagement, challenge="Sponsor left", impact="No decisions for a month.",
            response="Found a new sponsor.", raised_on=today - dt.timedelta(days=30),
            is_lesson=True, lesson="Map two sponsors from the start.",
        ),
        Challenge.objects.create(
            engagement=engagement, challenge="Data late", impact="Baseline missing.",
            raised_on=today - dt.timedelta(days=20),
        ),
    ]


def api(user) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user, 'test')[1]}"})
