"""notify() and email_contact(): an inbox item for each recipient, e-mailed as each chose (at
once after commit, kept for the digest, or not at all), once at most, in a fixed number of
queries; customer e-mails from a template, answered to the account's owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.customers.models import Contact
from cairn.notifications import actions
from cairn.notifications.kinds import Delivery, Kind
from cairn.notifications.models import EmailState, EmailTemplate, Notification
from cairn.notifications.tests.conftest import html_of, only_email
from cairn.people.models import User

pytestmark = pytest.mark.django_db


def _notify(people: list[Any], kind: str = Kind.HEALTH_ALERT, **kwargs: Any) -> list[Notification]:
    kwargs.setdefault("title", "Acme Manufacturing turned red")
    return actions.notify(people, kind, **kwargs)


def test_at_once_is_emailed_after_commit_with_text_html_and_an_unsubscribe_link(
    carol, acme, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [note] = _notify([carol], body="The score fell from 62 to 38.", link=acme.get_absolute_url(),
                         account=acme)
        assert sent == []  # nothing before the commit
    assert len(callbacks) == 1
    message = only_email(sent)
    assert message.to == ["carol@cairn.test"]
    assert message.subject == "Acme Manufacturing turned red"
    assert "Hello Carol Owner" in message.body and "The score fell from 62 to 38." in message.body
    assert f"http://127.0.0.1:8000{acme.get_absolute_url()}" in message.body
    html = html_of(message)
    assert "<strong>Acme Manufacturing turned red</strong>" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body and unsubscribe.strip("<>") in html
    note.refresh_from_db()
    assert note.delivery == Delivery.NOW and note.email_state == EmailState.SENT and note.emailed_at
    assert note.recipient == carol and note.account == acme and note.read_at is None


def test_a_rolled_back_change_sends_nothing(carol, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([carol])
    assert len(callbacks) == 1 and sent == []


def test_in_the_digest_is_kept_for_the_digest_and_not_emailed_now(
    carol, sent, django_capture_on_commit_callbacks
):
    actions.set_preferences(carol, {Kind.HEALTH_ALERT: Delivery.DIGEST})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [note] = _notify([carol])
    assert callbacks == [] and sent == []
    assert (note.delivery, note.email_state) == (Delivery.DIGEST, EmailState.PENDING)


def test_off_leaves_it_in_the_inbox_only(carol, sent, django_capture_on_commit_callbacks):
    actions.set_preferences(carol, {Kind.HEALTH_ALERT: Delivery.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        [note] = _notify([carol])
    assert sent == []
    assert (note.delivery, note.email_state) == (Delivery.OFF, EmailState.SKIPPED)
    assert Notification.objects.filter(recipient=carol).count() == 1


def test_each_kind_has_its_default_until_someone_chooses(carol, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [given] = _notify([carol], Kind.TASK_ASSIGNED, title="Alice gave you a task")
        [fired] = _notify([carol], Kind.AUTOMATION, title="A rule fired")
    assert given.delivery == Delivery.DIGEST and fired.delivery == Delivery.NOW
    assert [m.subject for m in sent] == ["A rule fired"]


def test_a_digest_item_is_not_kept_for_someone_whose_digest_is_off(carol, sent):
    actions.set_preferences(carol, {Kind.DIGEST: Delivery.OFF})
    [note] = _notify([carol], Kind.TASK_ASSIGNED, title="Alice gave you a task")
    assert (note.delivery, note.email_state) == (Delivery.DIGEST, EmailState.SKIPPED)


def test_each_distinct_active_recipient_gets_one_and_no_address_means_inbox_only(
    carol, dave, alice, sent, django_capture_on_commit_callbacks
):
    dave.is_active = False
    dave.save()
    alice.email = ""
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = _notify([carol, carol, dave, alice, None])
    assert sorted(n.recipient.username for n in made) == ["alice", "carol"]
    assert [m.to for m in sent] == [["carol@cairn.test"]]
    assert Notification.objects.get(recipient=alice).email_state == EmailState.SKIPPED


def test_a_notification_is_never_emailed_twice(carol, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([carol])
    callbacks[0]()
    callbacks[0]()  # run again (a retry): the notification is e-mailed already
    assert len(sent) == 1


def test_notify_runs_the_same_queries_for_one_and_forty_recipients(
    django_user_model, carol, sent, django_capture_on_commit_callbacks
):
    many = [
        django_user_model.objects.create_user(username=f"csm{n}", email=f"csm{n}@cairn.test")
        for n in range(40)
    ]
    actions.set_preferences(many[3], {Kind.HEALTH_ALERT: Delivery.DIGEST})

    def count(people: list[User]) -> tuple[int, int]:
        with django_capture_on_commit_callbacks(execute=False) as callbacks, \
                CaptureQueriesContext(connection) as writing:
            _notify(people)
        with CaptureQueriesContext(connection) as mailing:
            for callback in callbacks:
                callback()
        return len(writing), len(mailing)

    assert count([carol]) == count(many)
    assert len(sent) == 1 + 39


def test_a_link_must_be_a_path_inside_cairn(carol):
    for outside in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        with pytest.raises(ValidationError):
            _notify([carol], link=outside)
    assert not Notification.objects.exists()


def test_the_digest_is_not_a_kind_of_notification(carol):
    with pytest.raises(ValueError, match="not a kind of notification"):
        actions.notify([carol], Kind.DIGEST, title="x")


def test_a_mail_server_failure_is_recorded_and_raises_nothing(
    carol, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "cairn.notifications.tests.test_notify.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        [note] = _notify([carol])
    note.refresh_from_db()
    assert note.email_state == EmailState.FAILED
    assert "could not be sent" in caplog.text


class BrokenBackend:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        raise ConnectionRefusedError("the SMTP server is down")


def test_a_rule_email_uses_its_template_and_the_rules_merge_fields(
    carol, acme, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify([carol], Kind.AUTOMATION, title="Health turned red: Acme", account=acme,
                       link=acme.get_absolute_url(), template="rule_email",
                       context={"rule": "Health turned red", "account": "Acme <Manufacturing>",
                                "reason": "The score fell to 38.", "link": acme.get_absolute_url()})
    message = only_email(sent)
    assert message.subject == "Health turned red: Acme <Manufacturing>"  # the subject is not HTML
    assert "The score fell to 38." in message.body and "Acme <Manufacturing>" in message.body
    html = html_of(message)
    assert "Acme &lt;Manufacturing&gt;" in html and "Acme <Manufacturing>" not in html
    assert f'href="http://127.0.0.1:8000{acme.get_absolute_url()}"' in html


def test_a_template_sees_plain_values_never_model_objects(carol, acme, sent, django_capture_on_commit_callbacks):
    template = EmailTemplate.objects.get(key="notification")
    # Written straight to the row: what a leader could not save, a template still cannot do.
    EmailTemplate.objects.filter(pk=template.pk).update(
        text="{{ thing.owner.password }}|{{ thing.delete }}|{{ thing }} {{ unsubscribe_url }}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify([carol], context={"thing": acme})
    assert only_email(sent).body.startswith("||Acme Manufacturing ")
    assert type(acme).objects.filter(pk=acme.pk).exists()  # nothing was deleted


def test_a_broken_stored_template_falls_back_to_the_built_in_one(
    carol, sent, django_capture_on_commit_callbacks, caplog
):
    EmailTemplate.objects.filter(key="notification").update(text="{% for x in %}")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([carol])
    assert "Acme Manufacturing turned red" in only_email(sent).body
    assert "its built-in version is used" in caplog.text


@pytest.mark.parametrize("key", ["no_such_template", "customer_message", "digest"])
def test_a_person_is_emailed_from_the_generic_notification_unless_the_template_is_for_people(
    key: str, carol, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([carol], template=key)
    message = only_email(sent)
    assert message.subject == "Acme Manufacturing turned red" and "/notifications/unsubscribe/" in message.body


# --- E-mails to customer contacts -------------------------------------------------------------


@pytest.fixture
def maria(acme: Any) -> Contact:
    return Contact.objects.create(account=acme, first_name="Maria", last_name="Jensen", email="maria@acme.example")


def test_a_contact_is_emailed_after_commit_and_answers_go_to_the_owner(
    maria, carol, sent, django_capture_on_commit_callbacks
):
    carol.title = "Customer Success Manager"
    carol.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.email_contact(maria, template="customer_message", context={"reason": "x"},
                                     subject_prefix="[Acme]") is True
        assert sent == []
    message = only_email(sent)
    assert message.to == ["maria@acme.example"] and message.reply_to == ["carol@cairn.test"]
    assert message.subject == "[Acme] Acme Manufacturing and us: checking in"
    assert "Dear Maria Jensen" in message.body and "Carol Owner\nCustomer Success Manager" in message.body
    assert "Dear Maria Jensen" in html_of(message)
    assert "List-Unsubscribe" not in message.extra_headers


def test_a_contact_without_an_address_gets_nothing(acme, sent, django_capture_on_commit_callbacks):
    nobody = Contact.objects.create(account=acme, first_name="Olaf")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert actions.email_contact(nobody, template="customer_message", context={}) is False
    assert callbacks == [] and sent == []


def test_a_template_for_people_of_cairn_is_never_sent_to_a_customer(
    maria, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.email_contact(maria, template="digest", context={})
    assert only_email(sent).subject == "Acme Manufacturing and us: checking in"


# --- Health alerts -----------------------------------------------------------------------------


def test_a_health_alert_raised_today_tells_the_accounts_owner(acme, carol, sent, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from cairn.health.alerts import alerts_raised
    from cairn.health.models import AlertKind, HealthAlert

    today = timezone.localdate()
    news = HealthAlert.objects.create(account=acme, kind=AlertKind.TURNED_RED, scored_on=today, score=38.2,
                                      raised_on=today)
    backfill = HealthAlert.objects.create(account=acme, kind=AlertKind.DROPPED, scored_on=today - dt.timedelta(days=9),
                                          raised_on=today - dt.timedelta(days=9), resolved_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        alerts_raised.send(sender=HealthAlert, ids=[news.pk, backfill.pk])
    [note] = Notification.objects.filter(recipient=carol)
    assert (note.kind, note.title, note.body) == (Kind.HEALTH_ALERT, "Acme Manufacturing turned red",
                                                  "The health score is 38.")
    assert note.account == acme and note.link == acme.get_absolute_url()
    assert only_email(sent).subject == "Acme Manufacturing turned red"
