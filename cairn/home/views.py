"""Where people land: a leader on the book, a CSM on their own accounts."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cairn import pages
from cairn.home import charts, queries
from cairn.http import AuthedRequest
from cairn.people.models import Role

VIEWS = {"book": "The book", "mine": "My book"}


def home(request: AuthedRequest) -> HttpResponse:
    """The book for leaders, admins and readers; their own book for CSMs. Either may look at
    the other with `view`."""
    user = request.user
    view = request.GET.get("view")
    if view not in VIEWS:
        view = "mine" if user.role == Role.CSM else "book"
    today = timezone.localdate()
    context: dict[str, object] = {"view": view, "views": VIEWS, "today": today}
    if view == "mine":
        context.update(
            book=queries.book(today, owner=user.pk),
            pipeline=queries.pipeline(today, owner=user.pk),
            renewals=queries.my_renewals(today, user.pk),
            overdue_tasks=queries.my_overdue(today, user.pk),
            **pages.context_for("home", request, user),
        )
        return render(request, "home/mine.html", context)
    book = queries.snapshot(today)
    periods = book.retention
    context.update(
        book=queries.book(today, held=book.holdings),
        taken_at=book.taken_at,
        snapshot_minutes=queries.SNAPSHOT_SECONDS // 60,
        pipeline=queries.pipeline(today),
        health=charts.health_columns(queries.health_mix(today)),
        periods=periods,
        retention=charts.percent_lines(
            [p.label for p in periods],
            [("NRR", "nrr", [p.nrr for p in periods]), ("GRR", "grr", [p.grr for p in periods])],
        ),
        phases=book.phases,
        team=queries.team(today, book.by_owner),
        unowned=book.by_owner.get(None, queries.Holdings()).accounts,
        risk_days=queries.RISK_DAYS,
        pipeline_days=queries.PIPELINE_DAYS,
    )
    return render(request, "home/book.html", context)
