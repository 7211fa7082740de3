"""The demo's revenue history gives a year of retention figures that tell a story."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cairn.customers.models import Subscription, SubscriptionStatus
from cairn.renewals.models import Renewal, Stage
from cairn.retention import queries

pytestmark = pytest.mark.django_db


def test_a_year_of_figures_with_expansion_contraction_churn_and_new_logos(loaded_demo):  # type: ignore[no-untyped-def]
    months = queries.figures("month", 12)
    assert all(p.cohort_logos >= 5 for p in months)
    assert sum(p.expansion > 0 for p in months) >= 2
    assert sum(p.contraction > 0 for p in months) >= 2
    assert sum(p.lost_logos for p in months) >= 3
    assert sum(p.new_logos for p in months) >= 3
    assert all(p.grr is not None and 0.9 <= p.grr <= 1 for p in months)
    assert all(p.nrr is not None and 0.9 <= p.nrr <= 1.3 for p in months)
    quarters = queries.figures("quarter", 4)
    assert all(p.grr is not None and p.grr >= 0.9 for p in quarters)
    split = queries.breakdown("quarter")
    # The three CSMs, and the self-serve pool, which has none.
    assert len(split.by_segment) >= 3 and len(split.by_owner) == 4
    assert queries.NO_OWNER in {g.label for g in split.by_owner}


def test_the_added_terms_do_not_overlap_and_the_first_renewal_is_recorded(loaded_demo):  # type: ignore[no-untyped-def]
    first = Renewal.objects.get(account__name="Halvorsen Maritime", stage=Stage.EXPANDED)
    (old,) = first.subscriptions.all()
    assert old.status == SubscriptionStatus.RENEWED and old.end_date == first.renewal_date
    assert Subscription.objects.filter(
        account=first.account, product=old.product, start_date=first.renewal_date + dt.timedelta(days=1),
        arr=first.final_amount,
    ).exists()
    assert not Renewal.objects.filter(created_at__gte=loaded_demo.started).exists()
    assert not Subscription.objects.filter(created_at__gte=loaded_demo.started).exists()


def test_the_demo_page_renders(loaded_demo, client):  # type: ignore[no-untyped-def]
    from cairn.people.models import User

    client.force_login(User.objects.get(username="demo"))
    response = client.get(reverse("retention"), {"grain": "quarter"})
    assert response.status_code == 200 and "Halvorsen" not in response.content.decode()
    assert "Priya" in response.content.decode()
