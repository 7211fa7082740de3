"""The customer's organization: the org chart drawn and edited in place, the value chain,
the capability map."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.preparation import actions
from cairn.preparation.models import Capability, ValueChainFunction
from cairn.preparation.tests.conftest import make_contacts
from cairn.testing_pdf import svg_not_blank

pytestmark = pytest.mark.django_db


def _url(engagement: Engagement, name: str, *args: int) -> str:
    return reverse(name, args=[engagement.pk, *args])


def _svg(html: str, css_class: str) -> str:
    start = html.index(f'<svg class="{css_class}"')
    return html[start: html.index("</svg>", start) + len("</svg>")]


def test_the_org_chart_draws_every_contact_coloured_by_department(
    as_rita: Any, engagement: Engagement
) -> None:
    make_contacts(engagement.account, 7)
    page = as_rita.get(_url(engagement, "preparation_organization")).content.decode()
    svg = _svg(page, "org-svg")
    assert "Greta Boss" in svg and "Person6 Number6" in svg
    assert svg.count("<path") == 6  # one reporting line per person below the boss
    for department in ("Executive", "Operations", "IT", "Finance"):
        assert department in page
    assert svg_not_blank(svg)
    assert "Change reporting lines" not in page  # rita reads only


def test_placing_a_contact_in_place_redraws_the_chart_and_keeps_history(
    as_carol: Any, engagement: Engagement, carol: Any
) -> None:
    _boss, first, second = make_contacts(engagement.account, 3)
    response = as_carol.post(
        _url(engagement, "preparation_place_contact", second.pk),
        {"reports_to": first.pk, "department": "Digital"}, HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="org-chart"' in html and "Digital" in html and "placed" in html
    second.refresh_from_db()
    assert second.reports_to == first and second.department == "Digital"
    assert second.history.first().history_user == carol


def test_a_reporting_loop_is_refused_beside_the_row_and_nothing_saved(
    as_carol: Any, engagement: Engagement
) -> None:
    boss, first, _second = make_contacts(engagement.account, 3)
    response = as_carol.post(
        _url(engagement, "preparation_place_contact", boss.pk),
        {"reports_to": first.pk, "department": "Executive"}, HTTP_HX_REQUEST="true",
    )
    assert "reporting loop" in response.content.decode()
    boss.refresh_from_db()
    assert boss.reports_to is None


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_others_cannot_move_people_in_the_chart(
    persona: str, request: pytest.FixtureRequest, engagement: Engagement
) -> None:
    _boss, first, _ = make_contacts(engagement.account, 3)
    client = request.getfixturevalue(persona)
    response = client.post(_url(engagement, "preparation_place_contact", first.pk),
                           {"reports_to": "", "department": "Gone"})
    assert response.status_code == 403
    assert Contact.objects.get(pk=first.pk).department != "Gone"


def test_the_value_chain_starts_from_porter_and_keeps_its_order(
    as_carol: Any, engagement: Engagement
) -> None:
    assert as_carol.post(_url(engagement, "preparation_value_chain_start")).status_code == 302
    primary = list(ValueChainFunction.objects.filter(engagement=engagement, kind="primary"))
    assert [f.name for f in primary][:2] == ["Inbound logistics", "Operations"]
    as_carol.post(_url(engagement, "preparation_function_move", primary[1].pk), {"direction": "up"})
    names = list(ValueChainFunction.objects.filter(engagement=engagement, kind="primary")
                 .values_list("name", flat=True))
    assert names[:2] == ["Operations", "Inbound logistics"]
    response = as_carol.post(_url(engagement, "preparation_function_edit", primary[1].pk), {
        "kind": "primary", "name": "Operations", "impact": "direct",
        "impact_note": "Energy use is measured per line"})
    assert response.status_code == 302
    page = as_carol.get(_url(engagement, "preparation_organization")).content.decode()
    assert "impact-direct" in page and "Energy use is measured per line" in page


def test_a_function_name_is_unique_in_the_chain(as_carol: Any, engagement: Engagement) -> None:
    as_carol.post(_url(engagement, "preparation_function_create"),
                  {"kind": "primary", "name": "Operations", "impact": "none"})
    response = as_carol.post(_url(engagement, "preparation_function_create"),
                             {"kind": "support", "name": "operations", "impact": "none"})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert ValueChainFunction.objects.count() == 1


def test_capabilities_nest_in_three_levels(engagement: Engagement, carol: Any) -> None:
    high = actions.save_item(Capability(engagement=engagement, level="high", name="Production"), by=carol)
    with pytest.raises(ValidationError) as exc:
        actions.save_item(Capability(engagement=engagement, level="low", name="Changeover",
                                     parent=high), by=carol)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_item(Capability(engagement=engagement, level="mid", name="Line running"), by=carol)
    assert "parent" in exc.value.message_dict
    mid = actions.save_item(Capability(engagement=engagement, level="mid", name="Line running",
                                       parent=high), by=carol)
    with pytest.raises(ValidationError) as exc:
        actions.save_item(Capability(engagement=engagement, level="mid", name="Planning",
                                     parent=high, people="Planners"), by=carol)
    assert "people" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_item(Capability(engagement=engagement, level="low", name="Changeover",
                                     parent=mid, changed=True), by=carol)
    assert "change" in exc.value.message_dict
    low = actions.save_item(Capability(
        engagement=engagement, level="low", name="Changeover", parent=mid, people="Shift leads",
        process="Paper checklist", tools="Spreadsheets", changed=True,
        change="Live energy per changeover", slow=True, costly=True), by=carol)
    assert low.flag_names == ["slow", "costly"]
    assert Capability.objects.count() == 3


def test_the_capability_form_names_the_wrong_field(as_carol: Any, engagement: Engagement) -> None:
    response = as_carol.post(_url(engagement, "preparation_capability_create"),
                             {"level": "mid", "name": "Orphan"})
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert not Capability.objects.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_organization_page_takes_the_same_queries_whatever_its_size(
    count: int, as_carol: Any, engagement: Engagement, carol: Any, django_assert_num_queries: Any
) -> None:
    make_contacts(engagement.account, count)
    actions.start_value_chain(engagement, by=carol)
    high = actions.save_item(Capability(engagement=engagement, level="high", name="Sales"), by=carol)
    for i in range(count):
        mid = actions.save_item(Capability(engagement=engagement, level="mid", name=f"M{i}",
                                           parent=high), by=carol)
        actions.save_item(Capability(engagement=engagement, level="low", name=f"L{i}", parent=mid,
                                     inefficient=True), by=carol)
    url = _url(engagement, "preparation_organization")
    as_carol.get(url)
    with django_assert_num_queries(7):
        assert as_carol.get(url).status_code == 200
