"""The e-mail templates Cairn ships, their merge fields and the sample values their preview
shows. A leader edits the stored copies (EmailTemplate); these are where they start from and
what a broken edit falls back to when an e-mail must still go out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RULE_EMAIL = "rule_email"
DIGEST = "digest"
NOTIFICATION = "notification"
CUSTOMER_MESSAGE = "customer_message"

# E-mails to people of Cairn carry a link to stop that kind of e-mail; a template cannot lose it.
TO_USERS = frozenset({RULE_EMAIL, DIGEST, NOTIFICATION})

FOOTER_HTML = (
    '<p style="color:#666;font-size:12px;margin-top:24px">You receive this because of your '
    'notification settings in Cairn. <a href="{{ unsubscribe_url }}">Stop these e-mails</a> · '
    '<a href="{{ preferences_url }}">Notification settings</a></p>'
)
FOOTER_TEXT = (
    "--\nStop these e-mails: {{ unsubscribe_url }}\nNotification settings: {{ preferences_url }}"
)

COMMON_FIELDS = (
    "recipient: the name of the person it is sent to\n"
    "unsubscribe_url: the link that stops this kind of e-mail (keep it)\n"
    "preferences_url: the link to the person's notification settings"
)


@dataclass(frozen=True)
class BuiltIn:
    key: str
    name: str
    description: str
    subject: str
    html: str
    text: str
    sample: dict[str, Any]


RULE = BuiltIn(
    key=RULE_EMAIL,
    name="Automation rule e-mail",
    description=(
        "account: the account's name\nowner: the account owner's name\nrule: the rule's name\n"
        "reason: why the rule fired, in words\nevent_on: the day the situation arose\n"
        "arr: the account's ARR\nscore: the health score\nlight: the health light\n"
        "renewal_date: the next renewal date\nphase: the engagement's current phase\n"
        "title: the notification's title\nlink: the account's page in Cairn\n" + COMMON_FIELDS
    ),
    subject="{{ rule }}: {{ account }}",
    html=(
        "<p>Hello {{ recipient }},</p>\n"
        "<p>The rule <strong>{{ rule }}</strong> fired on <strong>{{ account }}</strong>"
        "{% if event_on %} on {{ event_on }}{% endif %}.</p>\n"
        "{% if reason %}<p>{{ reason }}</p>{% endif %}\n"
        "<ul>{% if owner %}<li>Owner: {{ owner }}</li>{% endif %}"
        "{% if light %}<li>Health: {{ light }}{% if score %} ({{ score }}){% endif %}</li>{% endif %}"
        "{% if arr %}<li>ARR: {{ arr }}</li>{% endif %}"
        "{% if renewal_date %}<li>Next renewal: {{ renewal_date }}</li>{% endif %}"
        "{% if phase %}<li>Phase: {{ phase }}</li>{% endif %}</ul>\n"
        '<p><a href="{{ link }}">Open {{ account }} in Cairn</a></p>\n' + FOOTER_HTML
    ),
    text=(
        "Hello {{ recipient }},\n\n"
        "The rule \"{{ rule }}\" fired on {{ account }}{% if event_on %} on {{ event_on }}{% endif %}.\n"
        "{% if reason %}\n{{ reason }}\n{% endif %}\n"
        "{% if owner %}Owner: {{ owner }}\n{% endif %}"
        "{% if light %}Health: {{ light }}{% if score %} ({{ score }}){% endif %}\n{% endif %}"
        "{% if arr %}ARR: {{ arr }}\n{% endif %}"
        "{% if renewal_date %}Next renewal: {{ renewal_date }}\n{% endif %}"
        "{% if phase %}Phase: {{ phase }}\n{% endif %}\n"
        "Open it in Cairn: {{ link }}\n\n" + FOOTER_TEXT
    ),
    sample={
        "account": "Halvorsen Maritime", "owner": "Priya Natarajan", "rule": "Health turned red",
        "reason": "The health score fell from 68 to 41 in a week.", "event_on": "12 Mar 2026",
        "arr": "€240,000", "score": "41", "light": "Red", "renewal_date": "30 Jun 2026",
        "phase": "Value", "title": "Health turned red: Halvorsen Maritime",
    },
)

DIGEST_TEMPLATE = BuiltIn(
    key=DIGEST,
    name="Daily digest of my work",
    description=(
        "day: the day of the digest\ncount: how many items it lists\n"
        "notifications: the notifications kept for the digest, each with title, body, account, "
        "kind, when, link\n"
        "overdue: overdue tasks, each with title, account, due, days_late, link\n"
        "due_today: tasks due today, each with title, account, link\n"
        "alerts: open health alerts on the person's accounts, each with account, kind, raised_on, "
        "score, link\n"
        "renewals: renewals within 30 days, each with account, date, days_left, arr, stage, link\n"
        "reviews: business reviews within 14 days, each with account, kind, date, days_left, link\n"
        "my_work_url: the link to the person's work in Cairn\n" + COMMON_FIELDS
    ),
    subject="Your work for {{ day }}: {{ count }} item{{ count|pluralize }}",
    html=(
        "<p>Good morning {{ recipient }},</p>\n"
        "{% if overdue %}<h3>Overdue tasks</h3><ul>{% for t in overdue %}"
        '<li><a href="{{ t.link }}">{{ t.title }}</a> · {{ t.account }} · due {{ t.due }} '
        "({{ t.days_late }} day{{ t.days_late|pluralize }} late)</li>{% endfor %}</ul>{% endif %}\n"
        "{% if due_today %}<h3>Due today</h3><ul>{% for t in due_today %}"
        '<li><a href="{{ t.link }}">{{ t.title }}</a> · {{ t.account }}</li>{% endfor %}</ul>{% endif %}\n'
        "{% if alerts %}<h3>Open health alerts</h3><ul>{% for a in alerts %}"
        '<li><a href="{{ a.link }}">{{ a.account }}</a>: {{ a.kind }} since {{ a.raised_on }}'
        "{% if a.score %} (score {{ a.score }}){% endif %}</li>{% endfor %}</ul>{% endif %}\n"
        "{% if renewals %}<h3>Renewals within 30 days</h3><ul>{% for r in renewals %}"
        '<li><a href="{{ r.link }}">{{ r.account }}</a>: {{ r.date }} ({{ r.days_left }}) · '
        "{{ r.arr }} · {{ r.stage }}</li>{% endfor %}</ul>{% endif %}\n"
        "{% if reviews %}<h3>Business reviews within 14 days</h3><ul>{% for r in reviews %}"
        '<li><a href="{{ r.link }}">{{ r.account }}</a>: {{ r.kind }} on {{ r.date }} ({{ r.days_left }})'
        "</li>{% endfor %}</ul>{% endif %}\n"
        "{% if notifications %}<h3>Notifications</h3><ul>{% for n in notifications %}"
        '<li><a href="{{ n.link }}">{{ n.title }}</a>{% if n.account %} · {{ n.account }}{% endif %} '
        "· {{ n.when }}{% if n.body %}<br>{{ n.body }}{% endif %}</li>{% endfor %}</ul>{% endif %}\n"
        '<p><a href="{{ my_work_url }}">Open my work in Cairn</a></p>\n' + FOOTER_HTML
    ),
    text=(
        "Good morning {{ recipient }},\n"
        "{% if overdue %}\nOverdue tasks\n{% for t in overdue %}- {{ t.title }} ({{ t.account }}), due "
        "{{ t.due }}, {{ t.days_late }} day{{ t.days_late|pluralize }} late: {{ t.link }}\n"
        "{% endfor %}{% endif %}"
        "{% if due_today %}\nDue today\n{% for t in due_today %}- {{ t.title }} ({{ t.account }}): "
        "{{ t.link }}\n{% endfor %}{% endif %}"
        "{% if alerts %}\nOpen health alerts\n{% for a in alerts %}- {{ a.account }}: {{ a.kind }} since "
        "{{ a.raised_on }}: {{ a.link }}\n{% endfor %}{% endif %}"
        "{% if renewals %}\nRenewals within 30 days\n{% for r in renewals %}- {{ r.account }}: {{ r.date }} "
        "({{ r.days_left }}), {{ r.arr }}, {{ r.stage }}: {{ r.link }}\n{% endfor %}{% endif %}"
        "{% if reviews %}\nBusiness reviews within 14 days\n{% for r in reviews %}- {{ r.account }}: "
        "{{ r.kind }} on {{ r.date }} ({{ r.days_left }}): {{ r.link }}\n{% endfor %}{% endif %}"
        "{% if notifications %}\nNotifications\n{% for n in notifications %}- {{ n.title }}"
        "{% if n.account %} ({{ n.account }}){% endif %}, {{ n.when }}: {{ n.link }}\n{% endfor %}{% endif %}"
        "\nMy work: {{ my_work_url }}\n\n" + FOOTER_TEXT
    ),
    sample={
        "day": "Tue 17 Mar 2026", "count": 7,
        "notifications": [{
            "title": "Lena gave you a task: Send the fuel baseline", "body": "",
            "account": "Halvorsen Maritime",
            "kind": "Tasks given to me by others", "when": "16 Mar 2026 15:20", "link": "https://cairn.example/my-work/",
        }],
        "overdue": [{"title": "Prepare the value report", "account": "Halvorsen Maritime",
                     "due": "15 Mar 2026",
                     "days_late": 2, "link": "https://cairn.example/my-work/"}],
        "due_today": [{"title": "Call Kari about the data platform", "account": "Halvorsen Maritime",
                       "link": "https://cairn.example/my-work/"}],
        "alerts": [{"account": "Brightwater Utilities", "kind": "Turned red", "raised_on": "14 Mar 2026",
                    "score": "38", "link": "https://cairn.example/accounts/"}],
        "renewals": [{"account": "Halvorsen Maritime", "date": "30 Mar 2026", "days_left": "in 13 days",
                      "arr": "€240,000", "stage": "In progress", "link": "https://cairn.example/renewals/"}],
        "reviews": [{"account": "Brightwater Utilities", "kind": "Executive business review",
                     "date": "24 Mar 2026", "days_left": "in 7 days", "link": "https://cairn.example/reviews/"}],
    },
)

GENERIC = BuiltIn(
    key=NOTIFICATION,
    name="Notification",
    description=(
        "title: what happened\nbody: more about it\naccount: the account it is about\n"
        "kind: the kind of notification\nlink: the page it is about in Cairn\n" + COMMON_FIELDS
    ),
    subject="{{ title }}",
    html=(
        "<p>Hello {{ recipient }},</p>\n<p><strong>{{ title }}</strong></p>\n"
        "{% if body %}<p>{{ body|linebreaksbr }}</p>{% endif %}\n"
        '{% if link %}<p><a href="{{ link }}">Open it in Cairn</a></p>{% endif %}\n' + FOOTER_HTML
    ),
    text=(
        "Hello {{ recipient }},\n\n{{ title }}\n{% if body %}\n{{ body }}\n{% endif %}"
        "{% if link %}\nOpen it in Cairn: {{ link }}\n{% endif %}\n" + FOOTER_TEXT
    ),
    sample={
        "title": "Brightwater Utilities turned red", "body": "The health score fell from 62 to 38.",
        "account": "Brightwater Utilities", "kind": "Health alerts on my accounts",
    },
)

CUSTOMER = BuiltIn(
    key=CUSTOMER_MESSAGE,
    name="Message to a customer contact",
    description=(
        "contact_name: the contact's name\naccount: the customer's name\n"
        "sender: the name of the account's owner, who signs it\nsender_title: their job title\n"
        "sender_email: their e-mail address\nreason: why the rule fired, in words\n"
        "renewal_date: the next renewal date\nphase: the engagement's current phase"
    ),
    subject="{{ account }} and us: checking in",
    html=(
        "<p>Dear {{ contact_name }},</p>\n"
        "<p>I wanted to check in on how things are going at {{ account }}. If anything stands in "
        "your way, or you would like to talk about your plans for the coming months, simply reply "
        "to this e-mail and we will find a time.</p>\n"
        "<p>Kind regards,<br>{{ sender }}{% if sender_title %}<br>{{ sender_title }}{% endif %}</p>"
    ),
    text=(
        "Dear {{ contact_name }},\n\n"
        "I wanted to check in on how things are going at {{ account }}. If anything stands in your "
        "way, or you would like to talk about your plans for the coming months, simply reply to this "
        "e-mail and we will find a time.\n\n"
        "Kind regards,\n{{ sender }}{% if sender_title %}\n{{ sender_title }}{% endif %}"
    ),
    sample={
        "contact_name": "Ingrid Solberg", "account": "Halvorsen Maritime", "sender": "Priya Natarajan",
        "sender_title": "Senior Customer Success Manager", "sender_email": "priya@example.com",
        "reason": "No one logged in for 14 days.", "renewal_date": "30 Jun 2026", "phase": "Value",
    },
)

BUILT_IN: dict[str, BuiltIn] = {t.key: t for t in (RULE, DIGEST_TEMPLATE, GENERIC, CUSTOMER)}

# What every e-mail to a person of Cairn gets besides its own values, for the preview.
COMMON_SAMPLE = {
    "recipient": "Priya Natarajan",
    "unsubscribe_url": "https://cairn.example/notifications/unsubscribe/sample/",
    "preferences_url": "https://cairn.example/notifications/preferences/",
    "link": "https://cairn.example/accounts/",
    "my_work_url": "https://cairn.example/my-work/",
}


def sample(key: str) -> dict[str, Any]:
    """The values a template's preview is rendered with."""
    built_in = BUILT_IN.get(key)
    return {**COMMON_SAMPLE, **(built_in.sample if built_in else {})}
