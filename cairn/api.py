"""The REST API under /api/v1: one NinjaAPI, with a router from each domain app.

Every error comes out as JSON with a `detail` sentence; a bad request also lists
`errors`, each naming the `field` and the problem, so a client can show it next to the input.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, django_auth

from cairn.customers.actions import save_record
from cairn.engagements.actions import GateBlocked
from cairn.engagements.models import Engagement
from cairn.people import access, permissions
from cairn.people.models import ApiToken, User
from cairn.validation import constraint_fields

M = TypeVar("M", bound=models.Model)

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cairn_...` with a personal token made on the profile page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.find(token)
        if found is None:
            return None
        request.user = found.user
        # Its scope (ingest) is read by the endpoints that need it, see token_of.
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def _docs_need_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the docs page are for people of the CS organization only.

    A browser with a session sees them; a client may fetch the schema with its token.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() == "bearer" and ApiToken.authenticate(key.strip()) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": _UNAUTHENTICATED}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


_UNAUTHENTICATED = "Authentication required: send 'Authorization: Bearer <token>'."

api = NinjaAPI(
    title="Cairn API",
    version="1",
    description=(
        "Accounts, engagements and the central repository of Cairn. Authenticate with a "
        "personal token from your profile page: `Authorization: Bearer cairn_...`. Lists are "
        f"paginated (`page`, `page_size` up to {MAX_PAGE_SIZE}). Errors are JSON with a "
        "`detail` sentence; a bad request also lists `errors` as `{field, message}`."
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs_decorator=_docs_need_login,
)


class Pagination(PageNumberPagination):
    """Pages of PAGE_SIZE items; a client may ask for up to MAX_PAGE_SIZE with `page_size`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


class Message(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class BadRequest(Schema):
    detail: str
    errors: list[FieldError]


class GateConflict(Schema):
    detail: str
    missing_outputs: list[str]


# The answers every endpoint may give besides its own, for the OpenAPI document.
READ_ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 400: BadRequest, 403: Message}


def user_of(request: HttpRequest) -> User:
    """The person behind the request: a token's owner or the session's user."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def token_of(request: HttpRequest) -> ApiToken | None:
    """The token the request came with; None for a browser session."""
    return getattr(request, "api_token", None)


def engagement_editor(request: HttpRequest, engagement: Engagement) -> User:
    """The person behind the request, who must be allowed to change the engagement and its
    phase tools (403 otherwise)."""
    user = user_of(request)
    permissions.require(
        permissions.can_edit_engagement(user, engagement), access.ENGAGEMENT_REFUSAL
    )
    return user


def _bad_request(request: HttpRequest, errors: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Invalid request.", "errors": errors}, status=400
    )


@api.exception_handler(ValidationError)
def validation_errors(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", []))
        # Query, path, form and file parameters are reported as ("query", "name"), JSON
        # bodies as ("body", "payload", "name"): drop the source and the argument's name.
        rest = loc[2:] if loc[:1] == ["body"] else loc[1:]
        field = ".".join(str(p) for p in rest) or "request"
        message = str(error.get("msg", "Invalid value."))
        errors.append({"field": field, "message": message})
    return _bad_request(request, errors)


def model_errors(
    exc: ModelValidationError, model: type[models.Model] | None
) -> list[dict[str, str]]:
    hints = constraint_fields(model) if model is not None else {}
    if not hasattr(exc, "error_dict"):
        return [
            {"field": hints.get(m, NON_FIELD_ERRORS), "message": m} for m in exc.messages
        ]
    errors = []
    for field, messages in exc.message_dict.items():
        for message in messages:
            name = hints.get(message, field) if field == NON_FIELD_ERRORS else field
            errors.append({"field": name, "message": message})
    return errors


def save(instance: M, *, by: User) -> M:
    """Validate (fields and named constraints) and save in one transaction, for `by`.

    A refusal is tagged with the model so the error handler can name the field of a
    constraint that Django reports as a non-field error.
    """
    try:
        return save_record(instance, by=by)
    except ModelValidationError as exc:
        exc.model = type(instance)  # type: ignore[attr-defined]
        raise


def related(model: type[M], pk: int, field: str) -> M:
    """The object a request names by id in `field`, or a 400 that names the field."""
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        name = model._meta.verbose_name
        raise ModelValidationError({field: f"There is no {name} with id {pk}."})
    return obj


def apply(
    instance: M, data: dict[str, Any], relations: dict[str, type[models.Model]] | None = None
) -> M:
    """Copy the given fields onto the instance, turning ids into the objects they name."""
    relations = relations or {}
    for name, value in data.items():
        if name in relations and value is not None:
            value = related(relations[name], value, name)
        setattr(instance, name, value)
    return instance


@api.exception_handler(GateBlocked)
def gate_blocked(request: HttpRequest, exc: GateBlocked) -> HttpResponse:
    body = {"detail": exc.messages[0], "missing_outputs": [str(o.output) for o in exc.missing]}
    return api.create_response(request, body, status=409)


@api.exception_handler(ModelValidationError)
def model_validation_errors(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
    # Domain actions and full_clean() raise this before anything is written; the
    # transaction around them has rolled back whatever was.
    return _bad_request(request, model_errors(exc, getattr(exc, "model", None)))


@api.exception_handler(IntegrityError)
def integrity_errors(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # full_clean() catches constraint violations first; this is the race where two
    # requests passed it at once. The database refused, so nothing was saved.
    return api.create_response(
        request,
        {
            "detail": "The database refused the change: it conflicts with existing data.",
            "errors": [{"field": NON_FIELD_ERRORS, "message": "Conflicts with existing data."}],
        },
        status=400,
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "You do not have permission to do this."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _UNAUTHENTICATED}, status=401)


# Routers are imported here, after the helpers above that they use.
api.add_router("/accounts", "cairn.customers.api.accounts")
api.add_router("/contacts", "cairn.customers.api.contacts")
api.add_router("/subscriptions", "cairn.customers.api.subscriptions")
api.add_router("/products", "cairn.customers.api.products")
api.add_router("/engagements", "cairn.engagements.api.engagements")
api.add_router("/activities", "cairn.engagements.api.activities")
api.add_router("/outcomes", "cairn.engagements.api.outcomes")
api.add_router("/tasks", "cairn.timeline.api.tasks")
api.add_router("/documents", "cairn.documents.api.router")
api.add_router("/metrics", "cairn.metrics.api.router")
api.add_router("/health", "cairn.health.api.router")
api.add_router("/usage", "cairn.usage.api.router")
api.add_router("/preparation", "cairn.preparation.api.router")
api.add_router("/commitment", "cairn.commitment.api.router")
api.add_router("/proposals", "cairn.proposals.api.router")
api.add_router("/shared-links", "cairn.sharing.api.router")
api.add_router("/onboarding", "cairn.onboarding.api.router")
api.add_router("/adoption", "cairn.adoption.api.router")

__all__ = ["api"]
