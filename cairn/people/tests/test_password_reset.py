"""A forgotten password is reset by e-mail: Django's views, in Cairn's pages, open without a
login; an unknown address gets the same answer; the link works once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from cairn.people.models import User
from cairn.people.tests.test_login_throttle import lock_out, status
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new and long enough passphrase 7"


def ask_for_link(email: str) -> str:
    """Ask for a reset link as someone logged out; returns what the page they land on says."""
    client = Client()
    response = client.post(reverse("password_reset"), {"email": email}, follow=True)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    # The page's main part: the head carries a CSRF token that differs on every page.
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"^(http\S+/password-reset/\S+/)$", str(message.body), re.MULTILINE)
    assert match, message.body
    return match.group(1)


def set_new_password(link: str, password: str = NEW_PASSWORD) -> Client:
    """Open the link and choose a new password, as the e-mail's reader does."""
    client = Client()
    form = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert form.status_code == 200
    assert form.context["validlink"], "the link was refused"
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("password_reset_complete")
    return client


def test_the_login_page_offers_a_reset_that_opens_without_logging_in() -> None:
    client = Client()

    login = client.get(reverse("login")).content.decode()
    page = client.get(reverse("password_reset"))

    assert f'<a href="{reverse("password_reset")}">Forgot your password?</a>' in login
    assert page.status_code == 200
    assert "Reset your password" in page.content.decode()


def test_a_forgotten_password_is_reset_by_e_mail_and_the_new_one_works(carol: User) -> None:
    ask_for_link("carol@cairn.test")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@cairn.test"]
    assert message.subject == "Reset your Cairn password"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    link = link_in(message)
    # The address people use, whatever host name the request came in with.
    assert link.startswith(f"{settings.SITE_URL}/people/password-reset/")

    set_new_password(link)

    done = Client().get(reverse("password_reset_complete")).content.decode()
    assert "Your new password is saved." in done
    assert status("carol", NEW_PASSWORD) == 302
    assert status("carol", PASSWORD, address="192.0.2.9") == 200  # the old one is refused


def test_an_unknown_e_mail_gets_the_same_answer_and_no_mail(carol: User) -> None:
    known = ask_for_link("carol@cairn.test")
    mail.outbox.clear()

    unknown = ask_for_link("nobody@cairn.test")

    assert unknown == known
    assert "If a Cairn account uses that address" in unknown
    assert mail.outbox == []


def test_a_deactivated_user_gets_no_reset_mail(carol: User) -> None:
    carol.is_active = False
    carol.save()

    ask_for_link("carol@cairn.test")

    assert mail.outbox == []


def test_a_reset_link_works_once(carol: User) -> None:
    ask_for_link("carol@cairn.test")
    link = link_in(mail.outbox[0])
    set_new_password(link)

    again = Client().get(link.removeprefix(settings.SITE_URL), follow=True)

    page = again.content.decode()
    assert not again.context["validlink"]
    assert "This link no longer works" in page
    assert f'href="{reverse("password_reset")}"' in page
    carol.refresh_from_db()
    assert carol.check_password(NEW_PASSWORD)


def test_a_tampered_link_is_refused(carol: User) -> None:
    ask_for_link("carol@cairn.test")
    link = link_in(mail.outbox[0])
    tampered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]

    response = Client().get(tampered.removeprefix(settings.SITE_URL), follow=True)

    assert not response.context["validlink"]


def test_a_new_password_is_checked_like_any_other_naming_the_field(carol: User) -> None:
    ask_for_link("carol@cairn.test")
    client = Client()
    form = client.get(link_in(mail.outbox[0]).removeprefix(settings.SITE_URL), follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )

    assert response.status_code == 200
    assert "too short" in " ".join(response.context["form"].errors["new_password2"])
    assert 'id="id_new_password2_error"' in response.content.decode()
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)


def test_resetting_the_password_lifts_the_lockout_of_the_user_name(carol: User) -> None:
    lock_out("carol", address="203.0.113.9")
    assert status("carol", PASSWORD, address="192.0.2.9") == 429

    ask_for_link("carol@cairn.test")
    set_new_password(link_in(mail.outbox[0]))

    assert status("carol", NEW_PASSWORD, address="192.0.2.9") == 302
