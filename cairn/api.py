"""The REST API under /api/v1: one NinjaAPI, with a router from each domain app.

Every error comes out as JSON with a `detail` sentence; a bad request also lists
`errors`, each naming the `field` and the problem, so a client can show it next to the input.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
)
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, SessionAuth

from cairn.bounds import INT_MAX, INT_MIN, bound_integers
from cairn.customers.actions import save_record
from cairn.engagements.actions import GateBlocked
from cairn.people.models import ApiToken, User
from cairn.validation import constraint_fields

M = TypeVar("M", bound=models.Model)

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Far past any real book, and small enough that page x page_size stays a 64-bit offset.
MAX_PAGE = 10**9


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


class BrowserSession(SessionAuth):
    """A logged-in browser's session; its writes must carry the CSRF token.

    Someone with no session is not asked for a CSRF token: the API answers 401 as it does
    to a missing token, instead of ninja's 403 "CSRF check Failed" to an anonymous write.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


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
    auth=[TokenAuth(), BrowserSession()],
    urls_namespace="api",
    docs_decorator=_docs_need_login,
)


class Pagination(PageNumberPagination):
    """Pages of PAGE_SIZE items; a client may ask for up to MAX_PAGE_SIZE with `page_size`."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        # A larger page_size is served as MAX_PAGE_SIZE, as it always was.
        page_size: int | None = Field(None, ge=1, le=INT_MAX)

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


def _bad_request(
    request: HttpRequest, errors: list[dict[str, str]], detail: str = "Invalid request."
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


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
    """Copy the given fields onto the instance, turning ids into the objects they name.

    A null for a field that cannot hold one is a 400 naming the field, before anything is
    copied: a PATCH may leave a field out, not blank a name or a required relation.
    """
    relations = relations or {}
    for name, value in data.items():
        if value is None:
            _refuse_null(type(instance), name)
    for name, value in data.items():
        if name in relations and value is not None:
            value = related(relations[name], value, name)
        setattr(instance, name, value)
    return instance


def _refuse_null(model: type[models.Model], name: str) -> None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    if getattr(field, "null", True):
        return
    message = "This field cannot be null."
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        message = 'This field cannot be null; send "" to empty it.'
    raise ModelValidationError({name: message})


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


@api.exception_handler(HttpError)
def http_errors(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises these itself: 400 for a body that is not JSON (documented with `errors`
    # like every bad request), 403 for a session write without its CSRF token.
    if exc.status_code == 400:
        detail = "The request body could not be read: send JSON (or the documented form)."
        return _bad_request(request, [{"field": "body", "message": str(exc)}], detail)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = f"The request body is larger than {limit} MB."
    return _bad_request(request, [{"field": "body", "message": message}], message)


@api.exception_handler(OverflowError)
def integer_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A net only: every integer parameter and field is bounded (cairn.bounds) before any
    # query runs. Should one slip through, the answer still names what was too large.
    path_values = request.resolver_match.kwargs if request.resolver_match else {}
    errors = [
        {"field": name, "message": f"Must be between {INT_MIN} and {INT_MAX}."}
        for name, value in [*request.GET.items(), *path_values.items()]
        if _too_large(value)
    ] or [{"field": "request", "message": "A number in the request is too large."}]
    return _bad_request(request, errors)


def _too_large(value: Any) -> bool:
    try:
        return not INT_MIN <= int(value) <= INT_MAX
    except (TypeError, ValueError):
        return False


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _UNAUTHENTICATED}, status=401)


# Routers are imported here, after the helpers above that they use.
api.add_router("/accounts", "cairn.customers.api.accounts")
api.add_router("/contacts", "cairn.customers.api.contacts")
api.add_router("/subscriptions", "cairn.customers.api.subscriptions")
api.add_router("/products", "cairn.customers.api.products")
api.add_router("/customers", "cairn.customers.api.customers")
api.add_router("/engagements", "cairn.engagements.api.engagements")
api.add_router("/activities", "cairn.engagements.api.activities")
api.add_router("/outcomes", "cairn.engagements.api.outcomes")
api.add_router("/tasks", "cairn.timeline.api.tasks")
api.add_router("/documents", "cairn.documents.api.router")
api.add_router("/metrics", "cairn.metrics.api.router")
api.add_router("/health", "cairn.health.api.router")
api.add_router("/forecast", "cairn.forecast.api.router")
api.add_router("/usage", "cairn.usage.api.router")
api.add_router("/preparation", "cairn.preparation.api.router")
api.add_router("/commitment", "cairn.commitment.api.router")
api.add_router("/proposals", "cairn.proposals.api.router")
api.add_router("/shared-links", "cairn.sharing.api.router")
api.add_router("/onboarding", "cairn.onboarding.api.router")
api.add_router("/adoption", "cairn.adoption.api.router")
api.add_router("/renewals", "cairn.renewals.api.router")
api.add_router("/value", "cairn.value.api.router")
api.add_router("/retention", "cairn.retention.api.router")
api.add_router("/expansion", "cairn.expansion.api.router")
api.add_router("/evaluation", "cairn.evaluation.api.router")
api.add_router("/reviews", "cairn.reviews.api.router")
api.add_router("/automation", "cairn.automation.api.router")
api.add_router("/notifications", "cairn.notifications.api.router")
api.add_router("/webhooks", "cairn.webhooks.api.router")
api.add_router("/jobs", "cairn.jobs.api.router")

__all__ = ["api"]


@csrf_exempt  # as the API's own views are: a write to no resource is a 404, not a CSRF page
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/ (a typo, `/api/v1/accounts/abc`): a JSON 404, not a page."""
    return JsonResponse({"detail": "Not found."}, status=404)


# What any operation may answer besides its own, in the OpenAPI document: a refused
# parameter or body (400), no or a wrong token (401), a refusal (403), a missing object,
# here or named in the request (404).
COMMON_ANSWERS: dict[int, type[Schema]] = {400: BadRequest, 401: Message, 403: Message, 404: Message}


def _declare_the_contract() -> None:
    """Bound every integer of every operation's input and answer; declare the common answers.

    Done here, once for all routers, so an endpoint cannot forget either. Ninja builds its
    operations when the routers are bound; the document and the URLs read the same ones.
    """
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            for operation in view.operations:
                # Answers too: a model sent both ways is one schema in the document, and
                # an answer's copy of it must not show the unbounded integers.
                answers = [m for m in operation.response_models.values() if isinstance(m, type)]
                for model in [*operation.models, *answers]:
                    bound_integers(model)
                for status, schema in COMMON_ANSWERS.items():
                    if status not in operation.response_models:
                        operation.response_models[status] = operation._create_response_model(schema)


_declare_the_contract()
