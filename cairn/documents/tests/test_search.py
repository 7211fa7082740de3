"""Full-text search of the repository; the same tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.customers.models import Account
from cairn.documents import actions
from cairn.engagements.actions import EngagementData, start_engagement


def _write(engagement, user, title: str, body: str, doc_type: str = "other"):  # type: ignore[no-untyped-def]
    return actions.create_written(
        engagement, actions.Details(title=title, doc_type=doc_type), body, by=user
    )


@pytest.fixture
def other_engagement(carol, playbook_version):  # type: ignore[no-untyped-def]
    globex = Account.objects.create(name="Globex", owner=carol)
    return start_engagement(
        globex, EngagementData(initiative="Faster invoicing", owner=carol,
                               start_date=dt.date(2026, 1, 5)),
        by=carol, version=playbook_version,
    )


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.title for d in response.context["page_obj"].object_list]


def test_every_word_must_match_somewhere(as_rita, engagement, carol):
    _write(engagement, carol, "Adoption plan", "Training for the warehouse team")
    _write(engagement, carol, "Adoption roadmap", "Milestones for the office")
    _write(engagement, carol, "Lessons", "Warehouse staff resisted the change")
    response = as_rita.get(reverse("document_search"), {"q": "adoption warehouse"})
    assert response.status_code == 200
    assert _titles(response) == ["Adoption plan"]


def test_title_matches_come_first(as_rita, engagement, carol):
    _write(engagement, carol, "Notes", "The renewal is in March")
    _write(engagement, carol, "Renewal strategy", "How we keep them")
    _write(engagement, carol, "Minutes", "Renewal discussed briefly")
    response = as_rita.get(reverse("document_search"), {"q": "renewal"})
    titles = _titles(response)
    assert titles[0] == "Renewal strategy"
    assert sorted(titles[1:]) == ["Minutes", "Notes"]


def test_search_is_case_insensitive_and_finds_file_names_and_file_texts(
    as_rita, engagement, carol, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    actions.create_uploaded(
        engagement, actions.Details(title="Signed proposal"),
        SimpleUploadedFile("acme-proposal-final.pdf", b"%PDF"), by=carol,
    )
    actions.create_uploaded(
        engagement, actions.Details(title="Export"),
        SimpleUploadedFile("users.csv", b"name,department\nMaria,Procurement\n"), by=carol,
    )
    by_name = as_rita.get(reverse("document_search"), {"q": "ACME-PROPOSAL-FINAL.pdf"})
    assert _titles(by_name) == ["Signed proposal"]
    by_text = as_rita.get(reverse("document_search"), {"q": "procurement"})
    assert _titles(by_text) == ["Export"]


def test_only_the_current_version_is_searched(as_rita, engagement, carol):
    document = _write(engagement, carol, "Strategy", "Old idea: blockchain")
    actions.update_written(document, actions.Details(title="Strategy"), "New idea: training",
                           base_version=1, by=carol)
    assert _titles(as_rita.get(reverse("document_search"), {"q": "blockchain"})) == []
    assert _titles(as_rita.get(reverse("document_search"), {"q": "training"})) == ["Strategy"]


def test_results_show_an_escaped_snippet_with_the_words_marked(as_rita, engagement, carol):
    _write(engagement, carol, "Risks", "Intro. " * 40 + "The <b>budget</b> may be cut in Q3.")
    response = as_rita.get(reverse("document_search"), {"q": "budget"})
    content = response.content.decode()
    assert "&lt;b&gt;<mark>budget</mark>&lt;/b&gt; may be cut" in content
    assert "…" in content


def test_filters_by_type_account_and_engagement(as_rita, engagement, other_engagement, carol):
    _write(engagement, carol, "Acme report", "quarterly numbers", doc_type="report")
    _write(engagement, carol, "Acme plan", "quarterly plan", doc_type="adoption_plan")
    _write(other_engagement, carol, "Globex report", "quarterly numbers", doc_type="report")
    url = reverse("document_search")
    by_type = as_rita.get(url, {"q": "quarterly", "doc_type": "report"})
    assert sorted(_titles(by_type)) == ["Acme report", "Globex report"]
    by_account = as_rita.get(url, {"q": "quarterly", "account": other_engagement.account_id})
    assert _titles(by_account) == ["Globex report"]
    assert b"account: Globex" in by_account.content
    by_engagement = as_rita.get(url, {"engagement": engagement.pk, "doc_type": "adoption_plan"})
    assert _titles(by_engagement) == ["Acme plan"]


def test_wildcards_and_quotes_in_a_query_are_plain_text(as_rita, engagement, carol):
    _write(engagement, carol, "Growth", "Grew 20% year on year")
    _write(engagement, carol, "Other", "Nothing special")
    assert _titles(as_rita.get(reverse("document_search"), {"q": "20%"})) == ["Growth"]
    for query in ("%", "_", "' OR 1=1 --", '"', "\\"):
        response = as_rita.get(reverse("document_search"), {"q": query})
        assert response.status_code == 200
        assert "Other" not in _titles(response)


def test_nothing_found_shows_an_empty_state(as_rita, engagement, carol):
    _write(engagement, carol, "Plan", "text")
    response = as_rita.get(reverse("document_search"), {"q": "zebra"})
    assert b"Nothing found" in response.content
    assert b"zebra" in response.content


def test_the_repository_page_without_a_query_shows_recent_documents_and_templates(
    as_rita, engagement, carol
):
    document = _write(engagement, carol, "Kick-off notes", "text")
    actions.save_as_template(document, by=carol, title="Kick-off template")
    response = as_rita.get(reverse("document_search"))
    assert response.status_code == 200
    assert [d.title for d in response.context["recent"]] == ["Kick-off notes"]
    assert [d.title for d in response.context["templates"]] == ["Kick-off template"]
    assert response.context["nav_current"] == "document_search"


def test_the_empty_repository_explains_where_documents_come_from(as_rita, db):
    response = as_rita.get(reverse("document_search"))
    assert b"No documents yet" in response.content
    assert b"No templates yet" in response.content


def test_the_search_page_runs_a_constant_number_of_queries(as_rita, engagement, carol):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = as_rita.get(reverse("document_search"), {"q": "energy"})
        assert response.status_code == 200
        return len(queries)

    for i in range(2):
        _write(engagement, carol, f"Energy report {i}", "energy figures")
    few = count()
    for i in range(2, 20):
        _write(engagement, carol, f"Energy report {i}", "energy figures")
    assert count() == few


def test_the_recent_and_templates_page_runs_a_constant_number_of_queries(
    as_rita, engagement, carol
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            as_rita.get(reverse("document_search"))
        return len(queries)

    def add(n: int) -> None:
        for i in range(n):
            document = _write(engagement, carol, f"Doc {i}", "text")
            actions.save_as_template(document, by=carol)

    add(2)
    few = count()
    add(18)
    assert count() == few


def test_snippets_read_as_text_without_markdown_punctuation(as_rita, engagement, carol):
    _write(engagement, carol, "Kick-off", "## Agenda\n\n**Sponsor** intro, see [the plan](https://x.example)")
    content = as_rita.get(reverse("document_search"), {"q": "sponsor"}).content.decode()
    assert "Agenda <mark>Sponsor</mark> intro, see the plan" in content
