"""Portfolio and account pages through the HTTP client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account, Contact, Product, Subscription
from cairn.engagements.actions import EngagementData, start_engagement
from cairn.engagements.models import Engagement

pytestmark = pytest.mark.django_db


def make_accounts(n: int, owner, version, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    product, _ = Product.objects.get_or_create(name="Monitor")
    today = timezone.localdate()
    for i in range(start, start + n):
        account = Account.objects.create(name=f"Customer {i:04}", owner=owner, segment="smb")
        Subscription.objects.create(
            account=account, product=product, arr=1000 + i, start_date=today,
            end_date=today + dt.timedelta(days=30 + i),
        )
        start_engagement(
            account, EngagementData(initiative=f"Initiative {i}", owner=owner, start_date=today),
            by=owner, version=version,
        )


def test_logging_in_is_required_everywhere(client, acme, engagement):
    for url in ("/", acme.get_absolute_url(), engagement.get_absolute_url(), reverse("my_work")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def bulk_portfolio(n: int, owner, version, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Accounts with a subscription and a running engagement each, inserted in bulk."""
    product, _ = Product.objects.get_or_create(name="Monitor")
    today = timezone.localdate()
    first = version.phases.order_by("position").first()
    accounts = Account.objects.bulk_create(
        Account(name=f"Bulk {i:05}", owner=owner, segment="smb") for i in range(start, start + n)
    )
    Subscription.objects.bulk_create(
        Subscription(account=a, product=product, arr=1000, start_date=today,
                     end_date=today + dt.timedelta(days=90))
        for a in accounts
    )
    Engagement.objects.bulk_create(
        Engagement(account=a, initiative="Roll-out", owner=owner, start_date=today,
                   playbook_version=version, current_phase=first)
        for a in accounts
    )


def test_the_portfolio_runs_the_same_queries_for_10_and_1000_accounts(
    as_carol, carol, playbook_version
):
    def count(**params: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get(reverse("portfolio"), params).status_code == 200
        return len(ctx.captured_queries)

    bulk_portfolio(10, carol, playbook_version)
    few = [count(), count(sort="-arr", renewal="90", phase="preparation"), count(standing="former")]
    bulk_portfolio(990, carol, playbook_version, start=10)
    assert [count(), count(sort="-arr", renewal="90", phase="preparation"),
            count(standing="former")] == few


def test_the_portfolio_filters_by_phase_owner_segment_and_renewal(
    as_alice, carol, dave, playbook_version
):
    make_accounts(3, carol, playbook_version)
    other = Account.objects.create(name="Zeta Logistics", owner=dave, segment="enterprise")
    start_engagement(
        other, EngagementData(initiative="Fleet", owner=dave, start_date=timezone.localdate()),
        by=dave, version=playbook_version,
    )
    from cairn.engagements.actions import move_to_phase

    engagement = other.engagements.get()
    move_to_phase(engagement, playbook_version.phases.get(key="onboarding"), by=dave,
                  override=True, reason="Signed")

    page = as_alice.get(reverse("portfolio"), {"phase": "onboarding"}).content.decode()
    assert "Zeta Logistics" in page and "Customer 0000" not in page
    page = as_alice.get(reverse("portfolio"), {"owner": carol.pk}).content.decode()
    assert "Customer 0001" in page and "Zeta Logistics" not in page
    page = as_alice.get(reverse("portfolio"), {"segment": "enterprise"}).content.decode()
    assert "Zeta Logistics" in page and "Customer 0002" not in page
    page = as_alice.get(reverse("portfolio"), {"renewal": "30"}).content.decode()
    assert "Customer 0000" in page and "Customer 0002" not in page
    page = as_alice.get(reverse("portfolio"), {"q": "zeta"}).content.decode()
    assert "Zeta Logistics" in page and "Customer 0000" not in page
    page = as_alice.get(reverse("portfolio"), {"sort": "-arr"}).content.decode()
    assert page.index("Customer 0002") < page.index("Customer 0000")


def test_former_customers_leave_the_portfolio_unless_asked_for(as_alice, carol, playbook_version):
    make_accounts(1, carol, playbook_version)
    today = timezone.localdate()
    product = Product.objects.get(name="Monitor")
    gone = Account.objects.create(name="Gone Bakeries", owner=carol, segment="smb")
    Subscription.objects.create(
        account=gone, product=product, arr=500, status="churned",
        start_date=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=35),
    )
    Account.objects.create(name="New Prospect", owner=carol)  # no subscription yet: a customer

    page = as_alice.get(reverse("portfolio")).content.decode()
    assert "Customer 0000" in page and "New Prospect" in page and "Gone Bakeries" not in page
    former = as_alice.get(reverse("portfolio"), {"standing": "former"}).content.decode()
    assert "Gone Bakeries" in former and "Former customer</span>" in former
    assert "Customer 0000" not in former and "New Prospect" not in former
    everyone = as_alice.get(reverse("portfolio"), {"standing": "all"}).content.decode()
    assert "Gone Bakeries" in everyone and "Customer 0000" in everyone


def test_the_portfolio_paginates(as_carol, carol, playbook_version):
    make_accounts(27, carol, playbook_version)
    first = as_carol.get(reverse("portfolio")).content.decode()
    assert "Page 1 of 2" in first and "Customer 0026" not in first
    second = as_carol.get(reverse("portfolio"), {"page": 2}).content.decode()
    assert "Customer 0026" in second


def test_an_empty_portfolio_says_how_to_start(as_carol):
    page = as_carol.get(reverse("portfolio")).content.decode()
    assert "No customers yet" in page and "Import from CRM" in page


def test_the_account_page_shows_contacts_subscriptions_engagements_and_timeline(
    as_rita, acme, engagement
):
    Contact.objects.create(account=acme, first_name="Grace", last_name="Hopper", title="CIO")
    page = as_rita.get(acme.get_absolute_url()).content.decode()
    for text in ("Grace Hopper", "Energy use down 20 %", "Engagement started"):
        assert text in page


def test_a_csm_creates_an_account_and_errors_name_the_field(as_carol, carol):
    bad = as_carol.post(reverse("account_create"), {"name": "", "website": "not a url"})
    page = bad.content.decode()
    assert 'id="id_name_error"' in page and 'id="id_website_error"' in page
    assert not Account.objects.exists()
    good = as_carol.post(reverse("account_create"), {"name": "Globex", "owner": carol.pk})
    account = Account.objects.get(name="Globex")
    assert good.url == account.get_absolute_url()
    assert account.history.first().history_user == carol


def test_account_names_are_unique_regardless_of_case(as_carol, acme):
    response = as_carol.post(reverse("account_create"), {"name": "ACME manufacturing"})
    assert "An account with this name already exists." in response.content.decode()


@pytest.mark.parametrize(("persona", "allowed"), [
    ("as_carol", True), ("as_alice", True), ("as_adam", True), ("as_dave", False), ("as_rita", False),
])
def test_who_may_edit_an_account(acme, persona, allowed, request):
    client = request.getfixturevalue(persona)
    response = client.post(reverse("account_edit", args=[acme.pk]), {"name": "Acme Renamed"})
    acme.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and acme.name == "Acme Renamed"
    else:
        assert response.status_code == 403 and acme.name == "Acme Manufacturing"


def test_a_read_only_user_cannot_create_accounts(as_rita):
    assert as_rita.post(reverse("account_create"), {"name": "Nope"}).status_code == 403
    assert not Account.objects.filter(name="Nope").exists()


def test_contacts_form_an_org_chart_and_refuse_loops(as_carol, acme):
    boss = Contact.objects.create(account=acme, first_name="Ada", title="CEO")
    report = Contact.objects.create(account=acme, first_name="Bob", reports_to=boss)
    response = as_carol.post(
        reverse("contact_edit", args=[acme.pk, boss.pk]),
        {"first_name": "Ada", "reports_to": report.pk},
    )
    assert "reporting loop" in response.content.decode()
    page = as_carol.get(reverse("org_chart", args=[acme.pk])).content.decode()
    # The chart only: the head carries a random nonce, which may spell a name.
    chart = page[page.index("<main"):]
    assert chart.index("Ada") < chart.index("Bob")


def test_a_subscription_can_add_a_new_product_and_validates_dates(as_carol, acme):
    url = reverse("subscription_create", args=[acme.pk])
    bad = as_carol.post(url, {"new_product": "Sensors", "quantity": 5, "arr": "1200",
                              "start_date": "2026-05-01", "end_date": "2026-01-01",
                              "status": "active"})
    assert "The end date must not be before the start date." in bad.content.decode()
    assert not Subscription.objects.exists()
    as_carol.post(url, {"new_product": "Sensors", "quantity": 5, "arr": "1200",
                        "start_date": "2026-01-01", "end_date": "2026-12-31", "status": "active"})
    assert Subscription.objects.get().product.name == "Sensors"


def test_the_history_page_says_who_changed_what(as_carol, acme):
    as_carol.post(reverse("account_edit", args=[acme.pk]), {"name": "Acme Manufacturing",
                                                            "industry": "Chemicals"})
    page = as_carol.get(reverse("account_history", args=[acme.pk])).content.decode()
    assert "Carol Owner" in page and "Chemicals" in page


def test_the_history_page_runs_the_same_queries_as_history_grows(as_carol, carol, acme):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get(reverse("account_history", args=[acme.pk])).status_code == 200
        return len(ctx.captured_queries)

    as_carol.post(reverse("account_edit", args=[acme.pk]), {"name": "Acme Manufacturing"})
    few = count()
    for i in range(10):
        as_carol.post(reverse("account_edit", args=[acme.pk]),
                      {"name": "Acme Manufacturing", "industry": f"Industry {i}"})
        Contact.objects.create(account=acme, first_name=f"Person {i}")
    assert count() == few


def test_team_changes_read_as_who_joined_and_cost_no_query_each(
    as_carol, carol, dave, acme, engagement
):
    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = as_carol.get(reverse("account_history", args=[acme.pk]))
        return response.content.decode(), len(ctx.captured_queries)

    engagement.team.add(dave)
    text, few = page()
    assert "Dave" in text and "{'engagement'" not in text
    for i in range(6):
        engagement.team.remove(dave) if i % 2 == 0 else engagement.team.add(dave)
    assert page()[1] == few


def test_a_stale_filter_does_not_switch_off_the_others(as_alice, carol, playbook_version):
    make_accounts(2, carol, playbook_version)
    page = as_alice.get(reverse("portfolio"), {"q": "Customer 0001", "owner": 999999}).content.decode()
    assert "Customer 0001" in page and "Customer 0000" not in page


def test_a_duplicate_name_is_reported_on_the_name_field(as_carol, acme):
    response = as_carol.post(reverse("account_create"), {"name": "acme MANUFACTURING"})
    assert 'id="id_name_error"' in response.content.decode()


def test_an_account_cannot_become_its_own_grandparent(as_carol, acme, carol):
    child = Account.objects.create(name="Acme Plant Lyon", owner=carol, parent=acme)
    response = as_carol.post(reverse("account_edit", args=[acme.pk]),
                             {"name": "Acme Manufacturing", "parent": child.pk})
    assert "its own ancestor" in response.content.decode()
    acme.refresh_from_db()
    assert acme.parent is None


def test_pages_forbid_scripts_from_anywhere_but_cairn(as_carol):
    policy = as_carol.get(reverse("portfolio"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy


def _health(account: Account, score: float | None, light: str, change_30d: float | None) -> None:
    from cairn.health.models import AccountHealth

    AccountHealth.objects.create(
        account=account, scored_on=timezone.localdate(), score=score, light=light,
        change_30d=change_30d,
    )


def test_the_portfolio_sorts_and_filters_by_health(as_alice, carol):
    falling = Account.objects.create(name="Falling Co", owner=carol)
    steady = Account.objects.create(name="Steady Co", owner=carol)
    risky = Account.objects.create(name="Risky Co", owner=carol)
    Account.objects.create(name="Unscored Co", owner=carol)
    _health(falling, 65, "amber", -25)
    _health(steady, 90, "green", 1)
    _health(risky, 30, "red", -5)

    def names(query: str) -> list[str]:
        response = as_alice.get(reverse("portfolio") + "?" + query)
        return [a.name for a in response.context["accounts"]]

    assert names("sort=score") == ["Risky Co", "Falling Co", "Steady Co", "Unscored Co"]
    assert names("sort=-score") == ["Steady Co", "Falling Co", "Risky Co", "Unscored Co"]
    assert names("sort=change") == ["Falling Co", "Risky Co", "Steady Co", "Unscored Co"]
    assert names("light=red") == ["Risky Co"]
    assert names("light=none") == ["Unscored Co"]
    assert names("dropped=10") == ["Falling Co"]
    assert names("dropped=3&sort=score") == ["Risky Co", "Falling Co"]
    body = as_alice.get(reverse("portfolio") + "?light=amber").content.decode()
    assert 'title="Amber">65<' in body and "▼-25" in body


def test_the_portfolio_runs_the_same_queries_with_health_for_2_and_20_accounts(
    as_carol, carol, playbook_version
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get("/?sort=score").status_code == 200
        return len(ctx.captured_queries)

    make_accounts(2, carol, playbook_version)
    for account in Account.objects.all():
        _health(account, 50, "amber", -3)
    few = count()
    make_accounts(18, carol, playbook_version, start=2)
    for account in Account.objects.filter(health__isnull=True)[:10]:
        _health(account, 80, "green", 4)
    assert count() == few


def test_a_bad_health_filter_names_the_field(as_alice):
    body = as_alice.get(reverse("portfolio") + "?dropped=-4").content.decode()

    assert "Ensure this value is greater than or equal to 1." in body


def test_the_account_page_shows_metrics_and_loads_usage_after_the_page(as_rita, acme):
    page = as_rita.get(acme.get_absolute_url()).content.decode()
    assert "Metrics" in page
    panel_url = reverse("account_usage_panel", args=[acme.pk])
    assert f'hx-get="{panel_url}"' in page
    panel = as_rita.get(panel_url)
    assert panel.status_code == 200
    assert "No events in the last 28 days" in panel.content.decode()
