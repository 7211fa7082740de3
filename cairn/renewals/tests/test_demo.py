"""The demo's renewals tell their story: churns recorded when they happened with their
reasons, renewals coming up worked as far as their story goes, and ARR at risk to see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cairn.renewals import queries
from cairn.renewals.models import Renewal, Stage
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def test_the_former_customers_churned_on_their_day_with_a_reason(loaded_demo):
    churned = Renewal.objects.filter(stage=Stage.CHURNED).select_related("reason")
    assert churned.count() == 4
    for renewal in churned:
        assert renewal.reason is not None and renewal.closed_on == renewal.renewal_date
        entry = Entry.objects.get(account=renewal.account, kind=EntryKind.RENEWAL)
        assert timezone.localdate(entry.occurred_at) == renewal.renewal_date < dt.date.today()


def test_renewals_come_up_worked_and_nothing_is_stamped_with_the_load_time(loaded_demo):
    today = timezone.localdate()
    open_ = Renewal.objects.filter(stage__in=[Stage.NOT_STARTED, Stage.IN_PROGRESS, Stage.COMMITTED])
    assert open_.count() >= 7
    assert open_.filter(stage=Stage.COMMITTED, forecast_amount__isnull=False).exists()
    assert not Renewal.objects.filter(created_at__gte=loaded_demo.started).exists()
    assert not Entry.objects.filter(kind=EntryKind.RENEWAL, occurred_at__gte=loaded_demo.started).exists()
    windows = {w.days: w for w in queries.windows(today)}
    assert windows[30].count >= 1 and windows[180].arr > windows[30].arr
