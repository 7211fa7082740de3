"""What other apps add to a page they do not own.

The account page shows metrics and the timeline, the engagement page the repository's
documents, "my work" the commitment plan's overdue contacts. The app that owns the page must
not import the apps that fill it (they import the page's app for its models, and the two
would depend on each other), so each filling app registers a provider in its
`AppConfig.ready()`, and the page's view merges what the providers return into its context.
Each provider reads what it adds in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Provider = Callable[[HttpRequest, Any], dict[str, Any]]

# The pages that take providers; a provider for any other name is a mistake.
PAGES = frozenset({"account", "engagement", "my_work", "home"})

_PROVIDERS: dict[str, list[Provider]] = {page: [] for page in PAGES}


def provide(page: str, provider: Provider) -> None:
    """Register `provider(request, obj)` for `page`; registering it twice adds it once."""
    if page not in PAGES:
        raise ValueError(f"No page {page!r} takes providers: choose one of {sorted(PAGES)}.")
    if provider not in _PROVIDERS[page]:
        _PROVIDERS[page].append(provider)


def context_for(page: str, request: HttpRequest, obj: Any) -> dict[str, Any]:
    """Everything the registered providers add to `page` for `obj` (the account, the
    engagement, or the user for "my work" and their home page)."""
    context: dict[str, Any] = {}
    for provider in _PROVIDERS[page]:
        for key, value in provider(request, obj).items():
            # Sections (templates a page includes in turn) gather from every provider.
            if key.endswith("_sections") and key in context:
                context[key] = [*context[key], *value]
            else:
                context[key] = value
    return context
