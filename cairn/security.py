"""A Content-Security-Policy on every page: Cairn's pages load only what Cairn serves.

Scripts come from Cairn's own static files (htmx, cairn.js), never inline, so an injected
script cannot run even if a sanitizer let one through. Style attributes stay allowed for the
few layout variables templates set. The API's JSON and its self-hosted docs page keep
their own rules; a response that already set a policy (file downloads) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
