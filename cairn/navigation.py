from __future__ import annotations

from django.http import HttpRequest

from cairn.people import permissions

SECTIONS = [
    ("home", "Home"),
    ("portfolio", "Portfolio"),
    ("my_work", "My work"),
    ("document_search", "Repository"),
    ("playbooks", "Playbooks"),
    ("time_report", "Time"),
    ("metrics", "Metrics"),
    ("usage", "Usage"),
    ("health", "Health"),
    ("renewals", "Renewals"),
    ("retention", "Retention"),
    ("opportunities", "Expansion"),
    ("reviews", "Reviews"),
    ("lessons", "Lessons"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {
        "nav_sections": SECTIONS,
        "nav_current": current,
        "can_write": permissions.can_write(user),
        "can_manage_users": permissions.can_manage_users(user),
        "can_edit_playbooks": permissions.can_edit_playbooks(user),
    }
