"""What a CS team sees on the screens (issue 13, item 4), through the HTTP client:
only the buttons a user may press, counts that follow a tick, new documents filed where
they are added, history in words, numbers and names written for people."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from cairn.documents.models import Document
from cairn.timeline.actions import create_task

pytestmark = pytest.mark.django_db


def _task(engagement, assignee, by):  # type: ignore[no-untyped-def]
    return create_task(
        title="Book the kick-off room", assignee=assignee, account=engagement.account,
        created_by=by, engagement=engagement, due_date=dt.date(2026, 9, 20),
    )


def test_it_shows_a_read_only_user_no_done_button_on_tasks(engagement, carol, as_rita):
    task = _task(engagement, carol, carol)
    page = as_rita.get(engagement.get_absolute_url()).content.decode()
    assert "Book the kick-off room" in page
    assert reverse("task_toggle", args=[task.pk]) not in page
    assert "✓ Done" not in page
    assert reverse("task_edit", args=[task.pk]) not in page
    account_page = as_rita.get(engagement.account.get_absolute_url()).content.decode()
    assert "Book the kick-off room" in account_page
    assert reverse("task_edit", args=[task.pk]) not in account_page


def test_it_shows_an_outsider_no_done_button_on_others_tasks(engagement, carol, as_dave):
    task = _task(engagement, carol, carol)
    page = as_dave.get(engagement.get_absolute_url()).content.decode()
    assert reverse("task_toggle", args=[task.pk]) not in page


def test_an_account_owner_outside_an_engagement_gets_no_edit_link_for_its_tasks(
    engagement, carol, dave, as_dave
):
    # Dave owns the account but not the engagement: its task would refuse him (403).
    account = engagement.account
    account.owner = dave
    account.save()
    theirs = _task(engagement, carol, carol)
    mine = _task(engagement, dave, carol)
    page = as_dave.get(account.get_absolute_url()).content.decode()
    assert reverse("task_edit", args=[theirs.pk]) not in page
    assert reverse("task_edit", args=[mine.pk]) in page
    assert as_dave.get(reverse("task_edit", args=[theirs.pk])).status_code == 403


def test_it_shows_the_owner_and_the_assignee_the_done_button(engagement, carol, dave, as_carol,
                                                             as_dave):
    mine = _task(engagement, carol, carol)
    theirs = _task(engagement, dave, carol)
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert reverse("task_toggle", args=[mine.pk]) in page
    work = as_dave.get(reverse("my_work")).content.decode()
    assert reverse("task_toggle", args=[theirs.pk]) in work
    toggled = as_dave.post(reverse("task_toggle", args=[theirs.pk]), HTTP_HX_REQUEST="true")
    assert "↺ Reopen" in toggled.content.decode()


def test_it_updates_the_phase_count_of_the_checklist_when_an_item_is_ticked(engagement, as_carol):
    phase = engagement.current_phase
    items = engagement.activities.filter(activity__phase=phase)
    total = items.count()
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert f'id="phase-count-{phase.key}"' in page
    assert f"0/{total} done or skipped" in page
    item = items.first()
    response = as_carol.post(
        reverse("activity_update", args=[engagement.pk, item.pk]),
        {"status": "done", "note": ""}, HTTP_HX_REQUEST="true",
    ).content.decode()
    count = re.search(rf'<span id="phase-count-{phase.key}"[^>]*>([^<]*)</span>', response)
    assert count is not None, "the response carries the phase's checklist count"
    assert 'hx-swap-oob="true"' in count.group(0)
    assert f"1/{total} done or skipped" in count.group(1)


def test_it_files_an_upload_under_the_engagements_current_phase_by_default(engagement, as_carol):
    form = as_carol.get(reverse("document_upload", args=[engagement.pk])).content.decode()
    phase = engagement.current_phase
    assert re.search(rf'<option value="{phase.pk}" selected>', form)
    assert re.search(r'<option value="handover_notes" selected>', form)


@pytest.mark.parametrize("phase", ["\u00b2", "9" * 40, "-1", "x"])
def test_a_phase_in_the_address_that_is_not_an_id_falls_back_to_the_current_phase(
    engagement, as_carol, phase
):
    # "²" passed isdigit() and then failed int(): a server error on the upload page.
    for name in ("document_upload", "document_new"):
        response = as_carol.get(reverse(name, args=[engagement.pk]), {"phase": phase})
        assert response.status_code == 200
        assert f'<option value="{engagement.current_phase.pk}" selected>' in response.content.decode()


def test_it_suggests_the_type_of_document_the_phase_produces(engagement, as_carol):
    commitment = engagement.playbook_version.phases.get(key="commitment")
    engagement.current_phase = commitment
    engagement.save()
    form = as_carol.get(reverse("document_upload", args=[engagement.pk])).content.decode()
    assert re.search(rf'<option value="{commitment.pk}" selected>', form)
    assert re.search(r'<option value="proposal" selected>', form)
    upload = SimpleUploadedFile("terms.pdf", b"%PDF-1.4 terms", content_type="application/pdf")
    as_carol.post(
        reverse("document_upload", args=[engagement.pk]),
        {"file": upload, "title": "", "doc_type": "proposal", "phase": commitment.pk},
    )
    doc = Document.objects.get(engagement=engagement, title="terms.pdf")
    assert (doc.phase, doc.doc_type) == (commitment, "proposal")


def test_it_tells_the_history_in_words(engagement, carol, dave, as_carol):
    from cairn.engagements.actions import move_to_phase

    engagement.team.add(dave)
    commitment = engagement.playbook_version.phases.get(key="commitment")
    move_to_phase(engagement, commitment, by=carol, reason="Agreed early", override=True)
    page = as_carol.get(reverse("account_history", args=[engagement.account.pk])).content.decode()
    assert "current_phase" not in page
    assert "{&#x27;" not in page and "{'" not in page
    assert "<strong>Current phase</strong> changed from Preparation to Commitment" in page
    assert "<strong>Team</strong>: added Dave" in page


@pytest.mark.parametrize(("value", "shown"), [
    (0.13921113689095127, "0.14"),
    (212.0, "212"),
    (0.0882028665, "0.088"),
    (18.25, "18.25"),
    (1204.7, "1,205"),
    (None, "—"),
])
def test_it_writes_numbers_with_sensible_decimals(value, shown):
    rendered = Template("{% load display %}{{ v|figure }}").render(Context({"v": value}))
    assert rendered == shown


def test_it_writes_ratios_as_percentages_and_codes_as_words():
    rendered = Template(
        "{% load display %}{{ r|percent }} {{ r|percent:1 }} {{ code|name_label }}"
    ).render(Context({"r": 0.13921113689095127, "code": "REPORT_RUN"}))
    assert rendered == "14\xa0% 13.9\xa0% Report run"


def test_it_shows_utilization_and_change_between_windows_as_percentages():
    rendered = Template(
        "{% load metric_values %}{{ seats|metric_value:'seat_utilization' }} · "
        "{{ change|metric_value:'percent_change' }} · {{ logins|metric_value:'count' }}"
    ).render(Context({"seats": 0.0882028665, "change": -0.0123, "logins": 1394.0}))
    assert rendered == "9\xa0% · -1\xa0% · 1,394"


def test_it_tells_a_documents_and_a_users_history_in_words(engagement, carol, dave, as_carol,
                                                          as_adam):
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    as_carol.post(reverse("document_upload", args=[engagement.pk]),
                  {"file": upload, "title": "Plan", "doc_type": "handover_notes",
                   "phase": engagement.current_phase.pk})
    doc = Document.objects.get(engagement=engagement, title="Plan")
    commitment = engagement.playbook_version.phases.get(key="commitment")
    doc.doc_type, doc.phase = "proposal", commitment
    doc.save()
    page = as_carol.get(reverse("document_versions", args=[doc.pk])).content.decode()
    assert "<strong>Type</strong> changed from Handover notes to Proposal" in page
    assert "<strong>Phase</strong> changed from Preparation to Commitment" in page
    assert "Doc_type" not in page and "→" not in page

    dave.role = "leader"
    dave.save()
    users = as_adam.get(reverse("user_edit", args=[dave.pk])).content.decode()
    assert "<strong>Role</strong> changed from CSM to CS leader" in users
