"""One person's daily digest as plain values for the `digest` template: their work and the
notifications kept for it, each with a link into Cairn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone

from cairn.notifications.kinds import label_of
from cairn.notifications.mail import absolute
from cairn.notifications.models import Notification
from cairn.notifications.queries import SECTION_ROWS, Work
from cairn.notifications.rendering import Plain


def _day(day: dt.date) -> str:
    return formats.date_format(day, "d M Y")


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "d M Y H:i")


def _left(day: dt.date, today: dt.date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 1:
        return f"in {days} days"
    return "1 day overdue" if days == -1 else f"{-days:,} days overdue"


def _money(value: Decimal | None) -> str:
    return f"{value:,.0f}" if value is not None else ""


def _section(rows: Sequence[Any]) -> list[Any]:
    return list(rows[:SECTION_ROWS])


def values(work: Work, notes: Sequence[Notification], today: dt.date) -> dict[str, Plain]:
    """The digest's own merge fields (the person's are added by cairn.notifications.mail)."""
    my_work = reverse("my_work")
    overdue = [
        {"title": t.title, "account": t.account.name, "due": _day(t.due_date),
         "days_late": (today - t.due_date).days, "link": absolute(t.get_absolute_url())}
        for t in _section(work.overdue)
    ]
    due_today = [
        {"title": t.title, "account": t.account.name, "link": absolute(t.get_absolute_url())}
        for t in _section(work.due_today)
    ]
    alerts = [
        {"account": a.account.name, "kind": a.get_kind_display(), "raised_on": _day(a.raised_on),
         "score": f"{a.score:.0f}" if a.score is not None else "",
         "link": absolute(a.account.get_absolute_url())}
        for a in _section(work.alerts)
    ]
    renewals = [
        {"account": r.account.name, "date": _day(r.renewal_date), "days_left": _left(r.renewal_date, today),
         "arr": _money(r.arr), "stage": r.get_stage_display(), "link": absolute(r.get_absolute_url())}
        for r in _section(work.renewals)
    ]
    reviews = [
        {"account": p.account.name, "kind": p.get_kind_display(), "date": _day(p.next_date),
         "days_left": _left(p.next_date, today), "link": absolute(p.get_absolute_url())}
        for p in _section(work.reviews)
    ]
    notifications = [
        {"title": n.title, "body": n.body, "account": n.account.name if n.account else "",
         "kind": label_of(n.kind), "when": _when(n.created_at), "link": absolute(n.link or my_work)}
        for n in notes
    ]
    return {
        "day": formats.date_format(today, "D d M Y"),
        "count": len(work) + len(notes),
        "overdue": overdue, "due_today": due_today, "alerts": alerts, "renewals": renewals,
        "reviews": reviews, "notifications": notifications, "my_work_url": absolute(my_work),
    }
