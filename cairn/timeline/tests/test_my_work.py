"""My work and the timeline through the HTTP client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.timeline.actions import create_task
from cairn.timeline.models import Entry, Task

pytestmark = pytest.mark.django_db


def test_my_work_lists_overdue_first_then_due_soon(as_carol, carol, acme, engagement):
    today = timezone.localdate()
    create_task(title="Send the recap", assignee=carol, account=acme, engagement=engagement,
                created_by=carol, due_date=today + dt.timedelta(days=3))
    create_task(title="Chase the signature", assignee=carol, account=acme, engagement=engagement,
                created_by=carol, due_date=today - dt.timedelta(days=2))
    create_task(title="Someday idea", assignee=carol, account=acme, created_by=carol)
    page = as_carol.get(reverse("my_work")).content.decode()
    assert page.index("Chase the signature") < page.index("Send the recap") < page.index("Someday idea")
    assert "overdue" in page


def test_my_work_shows_only_my_tasks(as_dave, carol, acme):
    create_task(title="Carol's call", assignee=carol, account=acme, created_by=carol)
    assert "Carol&#x27;s call" not in as_dave.get(reverse("my_work")).content.decode()


def test_completing_a_task_with_htmx_updates_the_row_and_the_timeline(as_carol, carol, acme):
    task = create_task(title="Book the QBR", assignee=carol, account=acme, created_by=carol)
    response = as_carol.post(reverse("task_toggle", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert "Reopen" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "done"
    assert Entry.objects.filter(account=acme, title="Task done: Book the QBR").exists()


def test_another_csm_cannot_complete_my_task(as_dave, carol, acme):
    task = create_task(title="Mine", assignee=carol, account=acme, created_by=carol)
    assert as_dave.post(reverse("task_toggle", args=[task.pk])).status_code == 403


def test_logging_a_meeting_puts_it_on_both_feeds(as_carol, acme, engagement):
    as_carol.post(reverse("engagement_log", args=[engagement.pk]),
                  {"kind": "meeting", "title": "Kick-off with the plant managers", "body": "Agreed scope"})
    entry = Entry.objects.get(kind="meeting")
    assert entry.engagement == engagement and entry.account == acme
    assert "Kick-off with the plant managers" in as_carol.get(acme.get_absolute_url()).content.decode()


def test_a_log_without_summary_is_refused_with_the_field_named(as_carol, acme):
    response = as_carol.post(reverse("account_log", args=[acme.pk]), {"kind": "call", "title": ""},
                             follow=True)
    assert "Summary: This field is required." in response.content.decode()
    assert not Entry.objects.filter(kind="call").exists()


def test_a_reader_cannot_log_on_the_timeline(as_rita, acme):
    assert as_rita.post(reverse("account_log", args=[acme.pk]),
                        {"kind": "note", "title": "x"}).status_code == 403


def test_a_task_can_be_tied_to_a_checklist_activity(as_carol, carol, engagement):
    item = engagement.activities.first()
    response = as_carol.post(
        reverse("task_create", args=[engagement.pk]) + f"?activity={item.pk}",
        {"title": "Book handover", "assignee": carol.pk, "due_date": "2026-12-01", "activity": item.pk},
    )
    assert response.status_code == 302
    assert Task.objects.get().activity == item


def test_the_return_address_after_a_toggle_never_leaves_the_site(as_carol, carol, acme):
    task = create_task(title="Call", assignee=carol, account=acme, created_by=carol)
    response = as_carol.post(reverse("task_toggle", args=[task.pk]),
                             {"next": "https://evil.example/phish"})
    assert response.url == reverse("my_work")
    response = as_carol.post(reverse("task_toggle", args=[task.pk]), {"next": acme.get_absolute_url()})
    assert response.url == acme.get_absolute_url()


def test_an_activity_id_that_is_not_a_number_is_not_found(as_carol, engagement):
    url = reverse("task_create", args=[engagement.pk]) + "?activity=abc"
    assert as_carol.get(url).status_code == 404


def test_a_task_is_edited_and_reassigned_with_a_trace(as_carol, carol, dave, acme):
    task = create_task(title="Call", assignee=carol, account=acme, created_by=carol)
    response = as_carol.post(reverse("task_edit", args=[task.pk]),
                             {"title": "Call the COO", "assignee": dave.pk, "due_date": ""})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Call the COO" and task.assignee == dave
    assert Entry.objects.filter(title="Task reassigned to Dave Outsider: Call the COO").exists()


def test_a_task_cannot_go_to_a_read_only_user(as_carol, carol, rita, acme):
    task = create_task(title="Call", assignee=carol, account=acme, created_by=carol)
    response = as_carol.post(reverse("task_edit", args=[task.pk]),
                             {"title": "Call", "assignee": rita.pk})
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.assignee == carol


def test_a_task_is_deleted_by_someone_who_may_change_it(as_carol, as_dave, carol, acme):
    task = create_task(title="Call", assignee=carol, account=acme, created_by=carol)
    assert as_dave.post(reverse("task_delete", args=[task.pk])).status_code == 403
    as_carol.post(reverse("task_delete", args=[task.pk]))
    assert not Task.objects.filter(pk=task.pk).exists()
    assert Entry.objects.filter(title="Task deleted: Call").exists()


def test_a_task_on_the_account_itself(as_carol, carol, acme):
    response = as_carol.post(reverse("account_task_create", args=[acme.pk]),
                             {"title": "Renewal call", "assignee": carol.pk, "due_date": "2026-12-01"})
    assert response.url == acme.get_absolute_url()
    task = Task.objects.get()
    assert task.account == acme and task.engagement is None
