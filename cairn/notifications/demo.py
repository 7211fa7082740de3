"""Demo content for notifications.

Cairn's e-mail templates, with one edit by Jordan (the leader put "[Cairn]" before the subject
of the automation rules' e-mails twenty days ago). Priya wants tasks given to her at once and
the rules' e-mails in her digest; Tomas switched his daily digest off. Each of the team has a
few notifications from the last two weeks, some read: a sharp drop at Halvorsen Maritime, the
renewal rule on Halvorsen, Brightwater turning red, a rule on Brightwater Renewables, tasks
given by others, and for Sam (the admin) a webhook that stopped delivering.

Nothing is e-mailed while the demo loads: the notifications are written as they stand after
their e-mails went. Every row is dated in the story, relative to `today`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account
from cairn.notifications import actions, defaults
from cairn.notifications.kinds import DEFAULTS, Delivery, Kind
from cairn.notifications.models import Digest, EmailState, EmailTemplate, Notification, Preference
from cairn.people.models import User

EDITED_SUBJECT = "[Cairn] {{ rule }}: {{ account }}"


@dataclass(frozen=True)
class Item:
    who: str
    kind: str
    title: str
    account: str  # an account's key, or "" for none
    days_ago: int
    hour: int
    read: bool
    body: str = ""
    link: str = ""  # the account's page when empty and it has one


ITEMS = (
    Item("priya", Kind.HEALTH_ALERT, "Halvorsen Maritime dropped sharply", "halvorsen-maritime",
         9, 7, True, "The health score fell 18 points in a week: usage of the fuel dashboards halved."),
    Item("priya", Kind.AUTOMATION, "Renewal in 90 days: Halvorsen Maritime", "halvorsen-maritime",
         1, 6, False, "The rule “Renewal in 90 days” fired: start the renewal plan."),
    Item("priya", Kind.TASK_ASSIGNED,
         "Jordan Avery gave you a task: Prepare the value report for the renewal", "halvorsen-maritime",
         3, 14, False, "", "my_work"),
    Item("tomas", Kind.HEALTH_ALERT, "Brightwater Utilities turned red", "brightwater-utilities",
         2, 7, False, "The health score is 38: two open escalations and the SCADA upgrade risk."),
    Item("tomas", Kind.AUTOMATION, "No logins for 14 days: Brightwater Renewables",
         "brightwater-renewables", 5, 6, True,
         "The rule “Quiet account” fired: nobody logged in for 14 days."),
    Item("lena", Kind.TASK_ASSIGNED,
         "Priya Natarajan gave you a task: Agree the sensor gateway test plan with Kari",
         "halvorsen-maritime", 12, 16, True, "", "my_work"),
    Item("demo", Kind.AUTOMATION, "Health turned red: Brightwater Utilities", "brightwater-utilities",
         2, 7, False, "The rule “Red accounts to leaders” fired."),
    Item("ops", Kind.WEBHOOK_FAILED, "The webhook “CRM sync” stopped delivering", "",
         4, 3, False, "Ten deliveries in a row failed (HTTP 503); it was switched off.", "/webhooks/"),
)

# Who chose what (the others keep the defaults).
PREFERENCES: dict[str, dict[str, str]] = {
    "priya": {Kind.TASK_ASSIGNED: Delivery.NOW, Kind.AUTOMATION: Delivery.DIGEST},
    "tomas": {Kind.DIGEST: Delivery.OFF},
}


def load(
    accounts: dict[str, Account], users: dict[str, User], today: dt.date,
    stamp: Callable[[dt.date], None],
) -> None:
    """`stamp(day)` dates what was written since the last stamp on that day."""
    actions.ensure_templates()
    stamp(today - dt.timedelta(days=60))
    for username, chosen in PREFERENCES.items():
        if username in users:
            actions.set_preferences(users[username], chosen)
    stamp(today - dt.timedelta(days=30))
    _edit_template(users.get("demo"))
    stamp(today - dt.timedelta(days=20))
    _notifications(accounts, users, today)


def _edit_template(leader: User | None) -> None:
    """Jordan's edit, unless the template was changed already (a reload keeps it once)."""
    template = EmailTemplate.objects.filter(key=defaults.RULE_EMAIL).first()
    if leader is None or template is None or template.subject != defaults.RULE.subject:
        return
    actions.update_template(template, {"subject": EDITED_SUBJECT}, by=leader)


def _notifications(accounts: dict[str, Account], users: dict[str, User], today: dt.date) -> None:
    chosen = {
        (p.user_id, p.kind): p.delivery
        for p in Preference.objects.filter(user__in=[u.pk for u in users.values()])
    }
    rows = []
    zone, now = timezone.get_current_timezone(), timezone.now()
    for item in ITEMS:
        person = users.get(item.who)
        account = accounts.get(item.account)
        if person is None or (item.account and account is None):
            continue
        day = today - dt.timedelta(days=item.days_ago)
        when = dt.datetime.combine(day, dt.time(item.hour), tzinfo=zone)
        delivery = chosen.get((person.pk, item.kind), DEFAULTS[item.kind])
        # At once: a minute later; in the digest: the next morning's, if that has come yet.
        emailed: dt.datetime | None = {
            str(Delivery.NOW): when + dt.timedelta(minutes=1),
            str(Delivery.DIGEST): dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7), tzinfo=zone),
        }.get(delivery)
        if emailed is not None and emailed >= now:
            emailed = None
        state = EmailState.SENT if emailed else EmailState.SKIPPED
        if delivery == Delivery.DIGEST and emailed is None:
            state = EmailState.PENDING
        link = reverse(item.link) if item.link == "my_work" else item.link
        rows.append(Notification(
            recipient=person, kind=item.kind, title=item.title, body=item.body,
            link=link or (account.get_absolute_url() if account else ""), account=account,
            created_at=when, read_at=when + dt.timedelta(hours=2) if item.read else None, delivery=delivery,
            email_state=state, emailed_at=emailed,
        ))
    Notification.objects.bulk_create(rows)


def wipe(users: list[User]) -> None:
    """Everything of the demo team's notifications; the templates stay (they are Cairn's)."""
    Notification.objects.filter(recipient__in=users).delete()
    Preference.objects.filter(user__in=users).delete()
    Digest.objects.filter(user__in=users).delete()
