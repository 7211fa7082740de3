"""The customer's strategy: the shared PESTLE and its overrides, the strategy chain, the
links from our solution and the graph drawn from them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cairn.customers.models import Account, Product
from cairn.engagements.models import Engagement, Outcome
from cairn.preparation import actions, queries
from cairn.preparation.models import (
    Contribution,
    PestleDriver,
    SharedPestle,
    SolutionLink,
    StrategyElement,
)
from cairn.testing_pdf import svg_not_blank

pytestmark = pytest.mark.django_db


def _url(engagement: Engagement, name: str, *args: int) -> str:
    return reverse(name, args=[engagement.pk, *args])


def _titles(account: Account) -> dict[str, str]:
    return {d.driver.title: d.origin for d in queries.effective_pestle(account).drivers}


@pytest.fixture
def shared(alice: Any) -> SharedPestle:
    analysis = actions.save_shared_analysis(
        SharedPestle(industry="Manufacturing", region="EMEA"), by=alice
    )
    for title, category, kind in [
        ("Energy prices stay high", "economic", "negative"),
        ("EU energy efficiency directive", "legal", "positive"),
        ("Skilled labour shortage", "social", "negative"),
    ]:
        actions.save_item(PestleDriver(analysis=analysis, title=title, category=category,
                                       driver_type=kind, impact="high"), by=alice)
    return analysis


def _shared(title: str) -> PestleDriver:
    return PestleDriver.objects.get(analysis__isnull=False, title=title)


def test_accounts_of_one_industry_and_region_share_the_analysis_and_override_alone(
    shared: SharedPestle, acme: Account, bolt: Account, carol: Any, alice: Any
) -> None:
    expected = {"Energy prices stay high": "shared", "EU energy efficiency directive": "shared",
                "Skilled labour shortage": "shared"}
    assert _titles(acme) == expected
    assert _titles(bolt) == expected  # "manufacturing" / "emea ": the match ignores case and spaces

    # Acme replaces one driver, hides another and adds its own: Bolt sees none of it.
    actions.override_driver(acme, _shared("Energy prices stay high"),
                            {"title": "Gas contract ends in 2027", "impact": "high"}, by=carol)
    actions.hide_driver(acme, _shared("Skilled labour shortage"), by=carol)
    actions.save_item(PestleDriver(account=acme, title="Carbon tax in France", category="political",
                                   driver_type="negative", impact="medium"), by=carol)
    assert _titles(acme) == {"Gas contract ends in 2027": "replaced",
                             "EU energy efficiency directive": "shared",
                             "Carbon tax in France": "own"}
    assert _titles(bolt) == expected

    # A change to the shared analysis shows in both, except where Acme overrode it.
    for title in ("EU energy efficiency directive", "Energy prices stay high"):
        driver = _shared(title)
        driver.title = title + " (revised)"
        actions.save_item(driver, by=alice)
    actions.save_item(PestleDriver(analysis=shared, title="Automation grants", category="technological",
                                   driver_type="positive", impact="medium"), by=alice)
    assert _titles(acme) == {"Gas contract ends in 2027": "replaced",
                             "EU energy efficiency directive (revised)": "shared",
                             "Carbon tax in France": "own", "Automation grants": "shared"}
    assert set(_titles(bolt)) == {"Energy prices stay high (revised)",
                                  "EU energy efficiency directive (revised)",
                                  "Skilled labour shortage", "Automation grants"}

    # Back to shared: the override goes, the shared driver applies again as it is now.
    actions.restore_driver(acme, _shared("Energy prices stay high (revised)"), by=carol)
    assert _titles(acme)["Energy prices stay high (revised)"] == "shared"

    # Setting the shared analysis aside keeps only Acme's own drivers.
    actions.set_use_shared(acme, False, note="Acme is a special case", by=carol)
    assert _titles(acme) == {"Carbon tax in France": "own"}
    assert len(_titles(bolt)) == 4


def test_deleting_a_shared_driver_keeps_an_accounts_replacement_as_its_own(
    shared: SharedPestle, acme: Account, bolt: Account, carol: Any, alice: Any
) -> None:
    driver = _shared("Energy prices stay high")
    actions.override_driver(acme, driver, {"title": "Gas contract ends"}, by=carol)
    actions.hide_driver(bolt, driver, by=carol)
    actions.delete_shared_driver(driver, by=alice)
    assert _titles(acme)["Gas contract ends"] == "own"
    assert not PestleDriver.objects.filter(account=bolt).exists()


def test_one_override_per_shared_driver_and_account(
    shared: SharedPestle, acme: Account, carol: Any
) -> None:
    driver = _shared("Energy prices stay high")
    actions.override_driver(acme, driver, {"title": "First"}, by=carol)
    actions.override_driver(acme, driver, {"title": "Second"}, by=carol)
    assert PestleDriver.objects.filter(account=acme, replaces=driver).get().title == "Second"
    with pytest.raises(ValidationError) as exc:
        actions.save_item(PestleDriver(account=acme, replaces=driver, title="Third",
                                       category="economic", driver_type="negative"), by=carol)
    assert "replaces" in exc.value.message_dict or "account" in exc.value.message_dict


def test_only_leaders_edit_the_shared_analysis_and_csms_their_accounts_overrides(
    shared: SharedPestle, engagement: Engagement, as_alice: Any, as_carol: Any, as_dave: Any,
    as_rita: Any,
) -> None:
    driver = _shared("Energy prices stay high")
    data = {"category": "economic", "title": "Changed", "driver_type": "negative", "impact": "low"}
    for client in (as_carol, as_dave, as_rita):
        assert client.post(_url(engagement, "preparation_shared_driver_edit", driver.pk), data).status_code == 403
    assert as_alice.post(_url(engagement, "preparation_shared_driver_edit", driver.pk), data).status_code == 302
    for client in (as_dave, as_rita):
        assert client.post(_url(engagement, "preparation_driver_override", driver.pk), data).status_code == 403
        assert client.post(_url(engagement, "preparation_driver_hide", driver.pk)).status_code == 403
    override = {**data, "title": "Acme's version"}
    assert as_carol.post(_url(engagement, "preparation_driver_override", driver.pk), override).status_code == 302
    page = as_carol.get(_url(engagement, "preparation_strategy")).content.decode()
    assert "Acme&#x27;s version" in page and "overridden here" in page
    assert SharedPestle.objects.get().drivers.get(pk=driver.pk).title == "Changed"


def test_a_leader_creates_the_shared_analysis_from_an_account(
    as_alice: Any, as_carol: Any, engagement: Engagement
) -> None:
    url = _url(engagement, "preparation_shared_pestle")
    assert as_carol.post(url, {"industry": "Manufacturing", "region": "EMEA"}).status_code == 403
    response = as_alice.post(url, {"industry": "Manufacturing", "region": ""})
    assert response.status_code == 400 and "region" in response.context["form"].errors
    assert as_alice.post(url, {"industry": "Manufacturing", "region": "EMEA"}).status_code == 302
    assert queries.shared_analysis_for(engagement.account) is not None


def _chain(account: Account, carol: Any) -> dict[str, StrategyElement]:
    def add(kind: str, title: str, **kw: Any) -> StrategyElement:
        return actions.save_item(StrategyElement(account=account, kind=kind, title=title, **kw), by=carol)

    vision = add("vision", "Europe's most energy-efficient manufacturer")
    goal = add("goal", "Halve energy per unit by 2030", parent=vision)
    objective = add("objective", "20 % less energy by 2027", parent=goal)
    mission = add("mission", "Make things that last, sustainably")
    strategy = add("strategy", "Measure before we improve", parent=mission, serves=goal)
    tactic = add("tactic", "Meter every line", parent=strategy, serves=objective)
    return {"vision": vision, "goal": goal, "objective": objective, "mission": mission,
            "strategy": strategy, "tactic": tactic}


def test_the_strategy_chain_keeps_its_ladders(acme: Account, bolt: Account, carol: Any, dave: Any) -> None:
    chain = _chain(acme, carol)
    for kind, parent, field in [("goal", chain["mission"], "parent"),
                                ("tactic", chain["goal"], "serves"),
                                ("vision", chain["goal"], "parent")]:
        with pytest.raises(ValidationError) as exc:
            actions.save_item(StrategyElement(account=acme, kind=kind, title="x", **{field: parent}),
                              by=carol)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_item(StrategyElement(account=bolt, kind="goal", title="x", parent=chain["vision"]),
                          by=dave)
    assert "parent" in exc.value.message_dict


def test_our_solution_links_to_the_chain_and_the_graph_shows_the_way_to_the_vision(
    as_carol: Any, engagement: Engagement, products: list[Product], outcome: Outcome, carol: Any,
) -> None:
    chain = _chain(engagement.account, carol)
    monitor = products[0]
    response = as_carol.post(_url(engagement, "preparation_link_create"),
                             {"product": monitor.pk, "element": chain["tactic"].pk,
                              "note": "Meters every line in a week"})
    assert response.status_code == 302
    response = as_carol.post(_url(engagement, "preparation_contribution_create"), {
        "product": monitor.pk, "function": "Live energy per line", "output": "Waste is seen",
        "contribution": "-12 % energy per unit", "outcome": outcome.pk})
    assert response.status_code == 302
    found = queries.strategy_chain(engagement)
    assert [e.kind for e in found.paths[0]["path"]] == ["tactic", "strategy", "objective", "goal", "vision"]
    data = found.to_dict()
    assert data["contributions"][0]["outcome"] == "Energy use per unit"
    page = as_carol.get(_url(engagement, "preparation_strategy")).content.decode()
    start = page.index('<svg class="strategy-graph"')
    svg = page[start: page.index("</svg>", start) + 6]
    for text in ("Energy Monitor", "Live energy per line", "-12 % energy per unit", "Meter every line"):
        assert text in svg
    assert 'stroke-dasharray="5 3"' in svg  # the serving link
    assert svg_not_blank(svg)


def test_a_link_takes_only_the_engagements_products_and_a_linkable_element(
    engagement: Engagement, products: list[Product], carol: Any
) -> None:
    chain = _chain(engagement.account, carol)
    stranger = Product.objects.create(name="Not bought")
    with pytest.raises(ValidationError) as exc:
        actions.save_item(SolutionLink(engagement=engagement, product=stranger,
                                       element=chain["tactic"]), by=carol)
    assert "product" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_item(SolutionLink(engagement=engagement, element=chain["mission"]), by=carol)
    assert "element" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_item(Contribution(engagement=engagement, product=stranger, function="f",
                                       output="o", contribution="c"), by=carol)
    assert "product" in exc.value.message_dict
    assert not SolutionLink.objects.exists() and not Contribution.objects.exists()


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_others_cannot_change_the_strategy(
    persona: str, request: pytest.FixtureRequest, engagement: Engagement, carol: Any
) -> None:
    client = request.getfixturevalue(persona)
    element = _chain(engagement.account, carol)["vision"]
    assert client.get(_url(engagement, "preparation_strategy")).status_code == 200
    assert client.post(_url(engagement, "preparation_element_create"),
                       {"kind": "vision", "title": "Mine"}).status_code == 403
    assert client.post(_url(engagement, "preparation_element_delete", element.pk)).status_code == 403
    assert client.post(_url(engagement, "preparation_link_create"),
                       {"element": element.pk}).status_code == 403
    assert StrategyElement.objects.count() == 6


def test_the_engagement_page_shows_the_graph(
    as_rita: Any, engagement: Engagement, products: list[Product], carol: Any
) -> None:
    empty = as_rita.get(reverse("engagement", args=[engagement.pk])).content.decode()
    assert "Where our solution serves their vision" in empty and "Meter every line" not in empty
    _chain(engagement.account, carol)

    page = as_rita.get(reverse("engagement", args=[engagement.pk])).content.decode()

    assert '<svg class="strategy-graph"' in page and "Meter every line" in page


@pytest.mark.parametrize("count", [2, 15])
def test_the_strategy_page_takes_the_same_queries_whatever_its_size(
    count: int, as_carol: Any, engagement: Engagement, products: list[Product], outcome: Outcome,
    shared: SharedPestle, carol: Any, acme: Account, playbook_version: Any,
    django_assert_num_queries: Any,
) -> None:
    for i in range(count):
        chain = _chain(engagement.account, carol)
        actions.save_item(SolutionLink(engagement=engagement, product=products[i % 2],
                                       element=chain["tactic"]), by=carol)
        actions.save_item(Contribution(engagement=engagement, product=products[i % 2],
                                       function=f"F{i}", output=f"O{i}", contribution=f"+{i} %",
                                       outcome=outcome), by=carol)
        actions.save_item(PestleDriver(account=acme, title=f"Own {i}", category="social",
                                       driver_type="positive"), by=carol)
    actions.hide_driver(acme, _shared("Skilled labour shortage"), by=carol)
    url = _url(engagement, "preparation_strategy")
    as_carol.get(url)
    with django_assert_num_queries(12):
        assert as_carol.get(url).status_code == 200


# --- the list of shared analyses -------------------------------------------------------------


def test_the_list_shows_each_analysis_with_its_drivers_accounts_and_last_change(
    as_carol: Any, engagement: Engagement, shared: SharedPestle, acme: Account, bolt: Account,
    carol: Any, alice: Any,
) -> None:
    import datetime as dt

    from django.utils import timezone

    retail = actions.save_shared_analysis(SharedPestle(industry="Retail", region="APAC"), by=alice)
    cobalt = Account.objects.create(name="Cobalt Works", industry="MANUFACTURING", region="EMEA",
                                    owner=carol)
    actions.set_use_shared(cobalt, False, note="Defence contracts only", by=carol)
    Account.objects.create(name="Delta Foods", industry="Manufacturing", region="Americas", owner=carol)
    long_ago = timezone.now() - dt.timedelta(days=400)
    SharedPestle.objects.update(updated_at=long_ago)
    before = timezone.now()
    actions.delete_shared_driver(_shared("Skilled labour shortage"), by=alice)

    response = as_carol.get(_url(engagement, "preparation_shared_analyses"))

    assert response.status_code == 200
    rows = {row.analysis.pk: row for row in response.context["rows"]}
    assert list(rows) == [shared.pk, retail.pk]
    manufacturing = rows[shared.pk]
    assert manufacturing.counts == [0, 1, 0, 0, 1, 0]  # P E S T L E: economic and legal left
    assert [a.name for a in manufacturing.accounts] == ["Acme Manufacturing", "Bolt Industries"]
    assert (manufacturing.account_count, manufacturing.set_aside) == (2, 1)
    assert manufacturing.last_change >= before  # the removed driver, not the old analysis date
    assert rows[retail.pk].last_change == long_ago and rows[retail.pk].counts == [0] * 6
    assert rows[retail.pk].accounts == [] and rows[retail.pk].account_count == 0
    page = response.content.decode()
    assert "Bolt Industries" in page and "set aside by 1 account" in page and "Retail" in page
    assert 'badge blue">Acme Manufacturing\'s</span>' in page  # the engagement's own account


def test_the_list_names_a_few_accounts_and_counts_the_rest(
    as_rita: Any, engagement: Engagement, shared: SharedPestle, acme: Account, carol: Any
) -> None:
    for i in range(7):
        Account.objects.create(name=f"Works {i}", industry="Manufacturing", region="EMEA", owner=carol)
    row = as_rita.get(_url(engagement, "preparation_shared_analyses")).context["rows"][0]
    assert [a.name for a in row.accounts] == ["Acme Manufacturing", "Works 0", "Works 1", "Works 2",
                                               "Works 3"]
    assert (row.account_count, row.more_accounts) == (8, 3)


def test_the_strategy_and_shared_pages_link_to_the_list(as_carol: Any, engagement: Engagement) -> None:
    url = _url(engagement, "preparation_shared_analyses")
    for name in ("preparation_strategy", "preparation_shared_pestle"):
        assert f'href="{url}"' in as_carol.get(_url(engagement, name)).content.decode()


@pytest.mark.parametrize("persona", ["as_alice", "as_carol", "as_dave", "as_rita"])
def test_the_list_has_the_permissions_of_the_shared_pestle_page(
    persona: str, request: pytest.FixtureRequest, engagement: Engagement, shared: SharedPestle
) -> None:
    client = request.getfixturevalue(persona)
    shared_page = client.get(_url(engagement, "preparation_shared_pestle"))
    listed = client.get(_url(engagement, "preparation_shared_analyses"))
    assert listed.status_code == shared_page.status_code == 200
    assert "Manufacturing" in listed.content.decode()


def test_the_list_needs_a_login_and_an_engagement(client: Any, engagement: Engagement, as_carol: Any) -> None:
    response = client.get(_url(engagement, "preparation_shared_analyses"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert as_carol.get(reverse("preparation_shared_analyses", args=[999999])).status_code == 404


def _analyses(count: int, alice: Any, carol: Any) -> None:
    for i in range(count):
        analysis = actions.save_shared_analysis(
            SharedPestle(industry=f"Industry {i:02}", region="EMEA"), by=alice)
        for category in ("political", "economic", "legal"):
            actions.save_item(PestleDriver(analysis=analysis, title=f"{category} {i}", category=category,
                                           driver_type="negative"), by=alice)
        for j in range(7):
            account = Account.objects.create(name=f"Account {i}-{j}", industry=f"industry {i:02}",
                                             region="emea", owner=carol)
            if j == 6:
                actions.set_use_shared(account, False, by=carol)


def test_the_list_pages_through_the_analyses(
    as_carol: Any, engagement: Engagement, alice: Any, carol: Any
) -> None:
    from cairn.preparation.strategy_views import ANALYSES_PER_PAGE

    _analyses(ANALYSES_PER_PAGE + 3, alice, carol)
    url = _url(engagement, "preparation_shared_analyses")
    first = as_carol.get(url)
    assert len(first.context["rows"]) == ANALYSES_PER_PAGE and "Page 1 of 2" in first.content.decode()
    second = as_carol.get(url + "?page=2")
    assert [row.analysis.industry for row in second.context["rows"]] == [
        f"Industry {i}" for i in range(ANALYSES_PER_PAGE, ANALYSES_PER_PAGE + 3)
    ]
    assert all(row.counts == [1, 1, 0, 0, 1, 0] and row.account_count == 6 and row.set_aside == 1
               for row in second.context["rows"])


@pytest.mark.parametrize("count", [2, 25])
def test_the_list_takes_the_same_queries_whatever_its_size(
    count: int, as_carol: Any, engagement: Engagement, alice: Any, carol: Any,
    django_assert_num_queries: Any,
) -> None:
    _analyses(count, alice, carol)
    url = _url(engagement, "preparation_shared_analyses")
    as_carol.get(url)
    with django_assert_num_queries(QUERIES["shared_analyses"]):
        assert as_carol.get(url).status_code == 200


QUERIES = {"shared_analyses": 10}
