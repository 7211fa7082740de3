"""The notification pages through the HTTP client: the inbox (unread first, opened, marked
read, in constant queries), the header's count loaded after the page, the settings per kind,
and the unsubscribe link of an e-mail, which works without logging in and says plainly when
it was tampered with."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.notifications import actions, mail
from cairn.notifications.kinds import Delivery, Kind
from cairn.notifications.models import Notification, Preference
from cairn.notifications.tests.conftest import only_email

pytestmark = pytest.mark.django_db


def _note(user: Any, title: str, *, minutes_ago: int = 0, read: bool = False, **fields: Any) -> Notification:
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=user, kind=fields.pop("kind", Kind.AUTOMATION), title=title, created_at=created,
        read_at=created if read else None, **fields,
    )


def _said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# --- The inbox -------------------------------------------------------------------------------


def test_the_inbox_shows_unread_first_then_the_newest_with_account_and_time(as_carol, carol, dave, acme):
    _note(carol, "Read yesterday", minutes_ago=60 * 24, read=True)
    _note(carol, "Unread last week", minutes_ago=60 * 24 * 7, account=acme, link=acme.get_absolute_url())
    _note(carol, "Read just now", minutes_ago=1, read=True)
    _note(dave, "Dave's own")
    page = as_carol.get(reverse("notifications")).content.decode()
    assert page.index("Unread last week") < page.index("Read just now") < page.index("Read yesterday")
    assert "Dave's own" not in page
    assert "1 unread" in page and "Acme Manufacturing" in page and "Automation rules" in page
    assert "Mark all read" in page and page.count(">Mark read<") == 1 and page.count(">Open<") == 1


def test_an_empty_inbox_says_so_and_offers_no_buttons(as_rita):
    page = as_rita.get(reverse("notifications")).content.decode()
    assert "Nothing here yet" in page and "Mark all read" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(as_carol, carol, acme):
    note = _note(carol, "Acme turned red", link=acme.get_absolute_url())
    response = as_carol.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == acme.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_not_found_and_stays_unread(as_dave, carol):
    note = _note(carol, "Carol's")
    assert as_dave.get(reverse("notification_open", args=[note.pk])).status_code == 404
    assert as_dave.post(reverse("notifications_read"), {"id": [note.pk]}).status_code == 302
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_read_and_mark_all_read(as_carol, carol, dave):
    first, second, third = (_note(carol, f"Item {n}") for n in range(3))
    theirs = _note(dave, "Dave's")
    response = as_carol.post(reverse("notifications_read"), {"id": [first.pk, "x", "99999999999"], "page": "2"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications") + "?page=2"
    first.refresh_from_db()
    assert first.read_at is not None
    response = as_carol.post(reverse("notifications_read_all"))
    assert "2 notifications marked read." in _said(response)
    assert not Notification.objects.filter(recipient=carol, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Nothing was unread." in _said(as_carol.post(reverse("notifications_read_all")))
    assert as_carol.get(reverse("notifications_read_all")).status_code == 405
    assert second.pk and third.pk


def test_the_inbox_runs_the_same_queries_for_two_and_sixty_notifications(as_carol, carol, acme):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_carol.get(reverse("notifications")).status_code == 200
        return len(queries)

    for n in range(2):
        _note(carol, f"Early {n}", account=acme)
    few = count()
    for n in range(58):
        _note(carol, f"Later {n}", account=acme, read=n % 2 == 0)
    assert count() == few
    page = as_carol.get(reverse("notifications"), {"page": 3}).content.decode()
    assert "Page 3 of 3" in page


def test_the_header_loads_the_unread_count_after_the_page(as_carol, carol):
    page = as_carol.get(reverse("notifications")).content.decode()
    assert f'hx-get="{reverse("notification_count")}" hx-trigger="load"' in page
    assert as_carol.get(reverse("notification_count")).content.decode().strip() == "Inbox"
    for n in range(3):
        _note(carol, f"New {n}")
    with CaptureQueriesContext(connection) as queries:
        fragment = as_carol.get(reverse("notification_count")).content.decode()
    assert "3 unread" in fragment and ">3<" in fragment
    assert len(queries) == 3  # the session, the user, the count


# --- Settings ----------------------------------------------------------------------------------


def test_the_settings_show_a_select_per_kind_set_to_the_defaults(as_carol, as_adam):
    page = as_carol.get(reverse("notification_preferences")).content.decode()
    for label in ("Automation rules", "Health alerts on my accounts", "Tasks given to me by others",
                  "Daily digest of my work", "At once", "In the daily digest", "Every morning"):
        assert label in page, label
    assert "Webhooks that stopped delivering" not in page  # admins only
    assert "Webhooks that stopped delivering" in as_adam.get(reverse("notification_preferences")).content.decode()
    assert "carol@cairn.test" in page


def test_saving_the_settings_keeps_each_choice(as_carol, carol):
    response = as_carol.post(reverse("notification_preferences"), {
        "automation": "digest", "health_alert": "off", "task_assigned": "now", "links": "digest", "digest": "off",
    })
    assert response.status_code == 302
    assert dict(Preference.objects.filter(user=carol).values_list("kind", "delivery")) == {
        "automation": "digest", "health_alert": "off", "task_assigned": "now", "links": "digest", "digest": "off",
    }


def test_a_choice_a_kind_does_not_offer_is_refused_naming_it(as_carol, carol):
    response = as_carol.post(reverse("notification_preferences"), {
        "automation": "now", "health_alert": "now", "task_assigned": "digest", "links": "now", "digest": "now",
    })
    assert response.status_code == 400 and "digest" in response.context["form"].errors
    assert not Preference.objects.filter(user=carol).exists()


def test_a_read_only_user_keeps_their_own_settings(as_rita, rita):
    response = as_rita.post(reverse("notification_preferences"), {
        "automation": "off", "health_alert": "off", "task_assigned": "off", "links": "off", "digest": "off",
    })
    assert response.status_code == 302
    assert Preference.objects.filter(user=rita, delivery=Delivery.OFF).count() == 5


# --- Unsubscribe ------------------------------------------------------------------------------


def test_the_link_in_an_email_asks_to_confirm_then_stops_that_kind(carol, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify([carol], Kind.HEALTH_ALERT, title="Acme turned red")
    link = only_email(sent).extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stop these e-mails?" in text and "health alerts on my accounts" in text and "(now: at once)" in text
    assert not Preference.objects.filter(user=carol).exists()  # a GET changes nothing
    done = anonymous.post(link)
    assert done.status_code == 200 and "will no longer receive" in done.content.decode()
    assert Preference.objects.get(user=carol, kind=Kind.HEALTH_ALERT).delivery == Delivery.OFF
    assert Preference.objects.filter(user=carol).count() == 1  # the other kinds as they were


def test_one_click_unsubscribe_posts_without_a_csrf_token(carol):
    client = Client(enforce_csrf_checks=True)
    url = reverse("notification_unsubscribe", args=[mail.unsubscribe_token(carol.pk, Kind.DIGEST)])
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Preference.objects.get(user=carol, kind=Kind.DIGEST).delivery == Delivery.OFF


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # another signature
    lambda token: token[:10],  # cut short
    lambda token: "x" * 300,  # not ours at all
])
def test_a_tampered_link_says_so_and_changes_nothing(tamper: Any, carol, as_carol):
    token = tamper(mail.unsubscribe_token(carol.pk, Kind.HEALTH_ALERT))
    url = reverse("notification_unsubscribe", args=[token])
    for response in (Client().get(url), Client().post(url), as_carol.post(url)):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_token_signed_for_something_else_is_refused(carol):
    from django.core import signing

    forged = signing.dumps([carol.pk, Kind.HEALTH_ALERT], salt="another.purpose")
    response = Client().get(reverse("notification_unsubscribe", args=[forged]))
    assert response.status_code == 400


def test_a_link_of_someone_deleted_says_so(django_user_model):
    gone = django_user_model.objects.create_user(username="gone", email="gone@cairn.test")
    token = mail.unsubscribe_token(gone.pk, Kind.AUTOMATION)
    gone.delete()
    assert Client().post(reverse("notification_unsubscribe", args=[token])).status_code == 400


def test_a_non_admin_can_still_stop_webhook_emails_by_link(carol):
    url = reverse("notification_unsubscribe", args=[mail.unsubscribe_token(carol.pk, Kind.WEBHOOK_FAILED)])
    assert Client().post(url).status_code == 200
    assert Preference.objects.get(user=carol, kind=Kind.WEBHOOK_FAILED).delivery == Delivery.OFF
