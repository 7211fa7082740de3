"""The REST API under /api/v1: one NinjaAPI, with a router from each domain app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from cairn.people.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cairn_...` with a personal token made on the profile page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Cairn API",
    version="1",
    description="Accounts, engagements and the central repository of Cairn.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def _field(loc: list[Any]) -> str:
    # ninja reports where a value came from ("body", "query", "path") and the schema name;
    # the user wants only the field's own path.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def validation_errors(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field(list(e.get("loc", []))), "message": e.get("msg", "Invalid value.")}
              for e in exc.errors]
    return api.create_response(request, {"detail": "Invalid request.", "errors": errors}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "You do not have permission to do this."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: send 'Authorization: Bearer <token>'."},
        status=401,
    )


__all__ = ["api"]
