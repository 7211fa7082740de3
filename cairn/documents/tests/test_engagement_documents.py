"""What the engagement page gets from the repository: a list in one query, and its include."""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.documents import actions
from cairn.documents.queries import documents_for_engagement


def _add(engagement, user, n: int, phases) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        actions.create_written(
            engagement,
            actions.Details(title=f"Doc {i:02}", phase=phases[i % len(phases)] if phases else None),
            "text", by=user,
        )


def _render(engagement, can_edit: bool = True) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        documents = documents_for_engagement(engagement)
        html = render_to_string("documents/_engagement_documents.html", {
            "engagement": engagement, "documents": documents, "can_edit": can_edit,
        })
    return html, len(queries)


def test_documents_are_listed_grouped_by_phase_with_the_unphased_last(engagement, carol):
    phases = list(engagement.playbook_version.phases.order_by("position")[:2])
    actions.create_written(engagement, actions.Details(title="Loose note"), "x", by=carol)
    actions.create_written(engagement, actions.Details(title="Strategy", phase=phases[1]), "x",
                           by=carol)
    actions.create_written(engagement, actions.Details(title="Handover", phase=phases[0]), "x",
                           by=carol)
    html, _ = _render(engagement)
    assert html.index(phases[0].name) < html.index("Handover") < html.index(phases[1].name)
    assert html.index("Strategy") < html.index("No particular phase") < html.index("Loose note")
    assert reverse("document_new", args=[engagement.pk]) in html
    assert reverse("document_upload", args=[engagement.pk]) in html
    assert reverse("document_from_template", args=[engagement.pk]) in html


def test_the_include_hides_the_write_links_from_people_who_cannot_write(engagement, carol):
    _add(engagement, carol, 1, [])
    html, _ = _render(engagement, can_edit=False)
    assert reverse("document_new", args=[engagement.pk]) not in html
    assert "Doc 00" in html


def test_an_engagement_without_documents_shows_an_empty_state(engagement):
    html, _ = _render(engagement)
    assert "No documents yet" in html


def test_the_engagement_documents_take_a_constant_number_of_queries(engagement, carol):
    phases = list(engagement.playbook_version.phases.all())
    _add(engagement, carol, 2, phases)
    _, few = _render(engagement)
    _add(engagement, carol, 18, phases)
    html, many = _render(engagement)
    assert many == few == 1
    assert html.count("<li>") == 20


def test_templates_are_not_among_the_engagement_documents(written, carol, engagement):
    actions.save_as_template(written, by=carol)
    assert [d.title for d in documents_for_engagement(engagement)] == ["Handover from sales"]


def test_the_version_list_takes_a_constant_number_of_queries(as_rita, written, carol):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_rita.get(reverse("document_versions", args=[written.pk])).status_code == 200
        return len(queries)

    # The first update moves the document out of its phase: the details history then names a
    # phase, which the page looks up in one query however many changes name one.
    actions.update_written(written, actions.Details(title=written.title), "v1", base_version=1,
                           by=carol)
    few = count()
    for number in range(2, 19):
        phase = written.engagement.current_phase if number % 2 else None
        actions.update_written(written, actions.Details(title=written.title, phase=phase),
                               f"v{number}", base_version=number, by=carol)
    assert count() == few


def test_the_engagement_page_lists_its_documents_with_the_write_links(as_carol, written,
                                                                      engagement):
    page = as_carol.get(engagement.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert written.get_absolute_url() in content
    assert reverse("document_new", args=[engagement.pk]) in content
