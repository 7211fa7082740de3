from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponseBase

# The API authenticates each request by token (or session) itself and answers 401 in JSON;
# a redirect to the login page would be wrong there. Customer links carry their own secret.
_OPEN_PREFIXES = ("/api/", "/static/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith(_OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
