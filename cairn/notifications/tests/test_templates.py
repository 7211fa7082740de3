"""E-mail templates: Cairn ships them once, leaders edit them on a page with a preview, a
template that does not compile (or reaches for what e-mails may not use) is refused naming the
field and the line, and every change is in the history with who made it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cairn.notifications import actions, defaults, rendering
from cairn.notifications.models import EmailTemplate

pytestmark = pytest.mark.django_db


def _rule_email() -> EmailTemplate:
    return EmailTemplate.objects.get(key=defaults.RULE_EMAIL)


def _form(template: EmailTemplate, **changes: str) -> dict[str, str]:
    return {"subject": template.subject, "html": template.html, "text": template.text, **changes}


def test_the_built_in_templates_are_created_once():
    assert sorted(EmailTemplate.objects.values_list("key", flat=True)) == sorted(
        ["customer_message", "digest", "notification", "rule_email"]
    )
    assert actions.ensure_templates() == 0
    EmailTemplate.objects.filter(key="digest").delete()
    assert actions.ensure_templates() == 1


def test_every_built_in_template_passes_its_own_checks():
    for built_in in defaults.BUILT_IN.values():
        for name in ("subject", "html", "text"):
            assert rendering.check_template(getattr(built_in, name), built_in.key, name) is None, (built_in.key, name)


@pytest.mark.parametrize(("field", "source", "said"), [
    ("subject", "{{ rule }: {{ account }}", "Line 1: Could not parse"),
    ("html", "<p>Hello</p>\n{% if account %}\n<p>{{ account }}</p>\n{{ unsubscribe_url }}", "Line 2: Unclosed tag"),
    ("text", "Hello\n\n{{ account|nosuchfilter }} {{ unsubscribe_url }}", "Line 3: the filter |nosuchfilter"),
    ("text", "{% include 'base.html' %} {{ unsubscribe_url }}", "Line 1: the tag {% include %} cannot be used"),
    ("html", "{% load humanize %} {{ unsubscribe_url }}", "the tag {% load %} cannot be used"),
    ("html", "{{ account|safe }} {{ unsubscribe_url }}", "the filter |safe cannot be used"),
    ("text", "{% debug %} {{ unsubscribe_url }}", "the tag {% debug %} cannot be used"),
    ("text", "{{ account|ljust:'1000000000' }} {{ unsubscribe_url }}", "the filter |ljust"),
    ("html", "<p>{{ account }}</p>", "Keep the unsubscribe link"),
])
def test_a_bad_template_is_refused_naming_the_field_and_the_line(field: str, source: str, said: str, alice):
    template = _rule_email()
    with pytest.raises(ValidationError) as refused:
        actions.update_template(template, {field: source}, by=alice)
    errors = refused.value.message_dict
    assert list(errors) == [field], errors
    assert said in errors[field][0], errors[field]
    template.refresh_from_db()
    assert template.subject == defaults.RULE.subject  # nothing saved


def test_a_customer_message_needs_no_unsubscribe_link(alice):
    template = EmailTemplate.objects.get(key=defaults.CUSTOMER_MESSAGE)
    actions.update_template(template, {"text": "Dear {{ contact_name }}, see you soon."}, by=alice)


def test_a_change_is_in_the_history_with_who_made_it(alice):
    template = _rule_email()
    actions.update_template(template, {"subject": "[Cairn] {{ rule }}: {{ account }}"}, by=alice)
    latest = template.history.order_by("-history_id").first()
    assert latest.history_user == alice and latest.subject.startswith("[Cairn]")
    template.refresh_from_db()
    assert template.updated_by == alice


def test_only_the_subject_html_and_text_change():
    with pytest.raises(ValidationError, match="cannot be changed here"):
        actions.update_template(_rule_email(), {"key": "other"}, by=None)  # type: ignore[arg-type]


def test_plain_values_are_all_a_template_sees():
    class Secret:
        password = "hunter2"

        def __str__(self) -> str:
            return "a secret"

    values = rendering.plain_context({"x": Secret(), "rows": [{"a": Secret()}], "n": 3, "none": None})
    assert values == {"x": "a secret", "rows": [{"a": "a secret"}], "n": 3, "none": None}
    assert rendering.render("{{ x.password }}", values, html=False) == ""


# --- Pages -----------------------------------------------------------------------------------


def test_everyone_reads_the_templates_and_only_leaders_see_the_edit_button(as_rita, as_alice):
    page = as_rita.get(reverse("notification_templates")).content.decode()
    assert "Automation rule e-mail" in page and "Daily digest of my work" in page
    assert "rule_email" in page  # the key rules name it by, under its name
    detail = as_rita.get(_rule_email().get_absolute_url())
    assert detail.status_code == 200
    assert ">Edit<" not in detail.content.decode()
    assert ">Edit<" in as_alice.get(_rule_email().get_absolute_url()).content.decode()


def test_the_template_page_shows_a_preview_from_sample_values_and_the_history(as_rita, alice):
    template = _rule_email()
    actions.update_template(template, {"subject": "[Cairn] {{ rule }}: {{ account }}"}, by=alice)
    page = as_rita.get(template.get_absolute_url()).content.decode()
    assert "[Cairn] Health turned red: Halvorsen Maritime" in page  # the preview's subject
    assert "srcdoc=" in page and 'sandbox=""' in page
    assert "Alice Leader" in page and "Subject" in page and "changed from" in page
    assert "Created" in page


def test_the_preview_shows_a_templates_markup_as_text_never_as_part_of_the_page(as_alice):
    template = _rule_email()
    url = reverse("notification_template_edit", args=[template.pk])
    response = as_alice.post(url, {**_form(template, text="<script>alert(1)</script> {{ unsubscribe_url }}"),
                                   "preview": "1"})
    page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'srcdoc="&lt;p&gt;Hello Priya Natarajan,&lt;/p&gt;' in page


def test_a_leader_edits_a_template_and_previews_it_before_saving(as_alice, alice):
    template = _rule_email()
    url = reverse("notification_template_edit", args=[template.pk])
    assert as_alice.get(url).status_code == 200
    previewed = as_alice.post(url, {**_form(template, subject="Look: {{ account }}"), "preview": "1"})
    assert previewed.status_code == 200
    assert "Look: Halvorsen Maritime" in previewed.content.decode()
    template.refresh_from_db()
    assert template.subject == defaults.RULE.subject  # a preview saves nothing
    saved = as_alice.post(url, _form(template, subject="Look: {{ account }}"))
    assert saved.status_code == 302 and saved["Location"] == template.get_absolute_url()
    template.refresh_from_db()
    assert template.subject == "Look: {{ account }}" and template.updated_by == alice


def test_a_syntax_error_is_shown_next_to_its_field_on_the_page(as_alice):
    template = _rule_email()
    url = reverse("notification_template_edit", args=[template.pk])
    response = as_alice.post(url, _form(template, text="Hello\n{% for x in %}{{ unsubscribe_url }}"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["text"] and "Line 2:" in errors["text"][0]


@pytest.mark.parametrize("persona", ["as_carol", "as_rita"])
def test_others_cannot_edit_a_template(persona: str, request: Any):
    client = request.getfixturevalue(persona)
    template = _rule_email()
    url = reverse("notification_template_edit", args=[template.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(template, subject="Mine now")).status_code == 403
    template.refresh_from_db()
    assert template.subject == defaults.RULE.subject


def test_the_templates_are_created_when_the_list_is_first_shown(as_rita):
    EmailTemplate.objects.all().delete()
    assert "Automation rule e-mail" in as_rita.get(reverse("notification_templates")).content.decode()
    assert EmailTemplate.objects.count() == len(defaults.BUILT_IN)
