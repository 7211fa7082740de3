"""REST endpoints for the preparation tools, under /api/v1/preparation.

The engagement tools' records (facts, questions, handover meetings, value chain, capabilities,
solution links, contributions) get their list, create, change and delete from the shared
`cairn.resources.resource`; the rest is written here. Writes go through
cairn.preparation.actions, so the API keeps the pages' rules, history and timeline. Engagement
tools follow the engagement's edit rule; the customer's strategy and PESTLE overrides follow
the account's; shared PESTLE analyses are for leaders.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, related, user_of
from cairn.customers import actions as customers
from cairn.customers.models import Account, Contact, Product
from cairn.engagements.models import Engagement, Outcome
from cairn.people import access
from cairn.people.models import User
from cairn.preparation import actions, queries
from cairn.preparation.models import (
    Capability,
    Contribution,
    Fact,
    HandoverMeeting,
    InternalDriver,
    PestleDriver,
    Question,
    SharedPestle,
    SolutionLink,
    StrategyElement,
    ValueChainFunction,
)
from cairn.preparation.schemas import (
    AnalysisIn,
    AnalysisOut,
    AnalysisPatch,
    AnswerIn,
    CapabilityIn,
    CapabilityOut,
    CapabilityPatch,
    ContactPlaceOut,
    ContributionIn,
    ContributionOut,
    ContributionPatch,
    DriverIn,
    DriverOut,
    DriverPatch,
    EffectivePestleOut,
    ElementIn,
    ElementOut,
    ElementPatch,
    FactIn,
    FactOut,
    FactPatch,
    FollowUpIn,
    FollowUpOut,
    FunctionIn,
    FunctionOut,
    FunctionPatch,
    HandoverMeetingIn,
    HandoverMeetingOut,
    InternalDriverIn,
    InternalDriverOut,
    LinkIn,
    LinkOut,
    LinkPatch,
    MeetingPatch,
    OverrideIn,
    PestleSettingsIn,
    PlacementIn,
    QuestionIn,
    QuestionOut,
    QuestionPatch,
    StrategyChainOut,
    StrategyDocumentOut,
)
from cairn.resources import Saver, editable_engagement, engagement_or_404, engagements, tagged
from cairn.resources import resource as shared_resource
from cairn.validation import Key

router = Router(tags=["preparation"])

R = TypeVar("R", bound=models.Model)

NO_CONTENT = {204: None, **WRITE_ERRORS}
PREFIX = "cairn_preparation_api"
STRATEGY_REFUSAL = "You may not change this customer's strategy: you do not look after the account."
SHARED_REFUSAL = "Only team leaders change the PESTLE analyses shared across accounts."


def _data(payload: Any) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


def _save(instance: Any, changes: dict[str, Any], user: User) -> Any:
    return actions.save_item(instance, by=user)


def _delete(instance: Any, engagement: Engagement, user: User) -> None:
    actions.delete_item(instance, by=user)


def resource(path: str, model: type[models.Model], *, save: Saver = _save, **options: Any) -> None:
    """The shared CRUD endpoints, nested under their engagement, with preparation's writes.

    No tool here has a read of one record: the lists say all there is.
    """
    options.setdefault("only", {"list", "create", "update", "delete"})
    shared_resource(
        router, PREFIX, path, model, save=save, delete=_delete, nested=True, **options,
    )


def _in_engagement(model: type[models.Model], *order: str) -> Callable[[], QuerySet[Any]]:
    """The records of a kind with the engagement their permission needs, in list order."""
    def records() -> QuerySet[Any]:
        found = model._default_manager.select_related("engagement__account")
        return found.order_by(*order) if order else found

    return records


# --- dossier: facts --------------------------------------------------------------------------


def _save_fact(fact: Fact, changes: dict[str, Any], user: User) -> Fact:
    if fact.pk is None:
        fact.created_by = user
    return actions.save_item(fact, by=user)


resource(
    "facts", Fact, out=FactOut, create=FactIn, patch=FactPatch, save=_save_fact,
    queryset=_in_engagement(Fact, "area", "id"), item_param="fact_id",
    summaries={
        "list": "Dossier facts", "create": "Add a fact to the dossier",
        "update": "Update Fact", "delete": "Delete Fact",
    },
)


# --- dossier: questions ----------------------------------------------------------------------


def _questions() -> QuerySet[Question]:
    return Question.objects.select_related("engagement__account", "fact")


@router.get(
    "/engagements/{int:engagement_id}/questions", response=list[QuestionOut],
    summary="Questions for the customer, open ones first",
)
@paginate(Pagination)
def list_questions(
    request: HttpRequest, engagement_id: int, status: Key | None = None
) -> QuerySet[Question]:
    questions = Question.objects.filter(engagement=engagement_or_404(engagement_id))
    if status:
        questions = questions.filter(status=status)
    return questions.order_by("status", "created_at", "id")


def _save_question(question: Question, changes: dict[str, Any], user: User) -> Question:
    """A new question is raised (for a fact of its own engagement, if it names one); a
    changed one is saved."""
    if question.pk is not None:
        return actions.save_item(apply(question, changes), by=user)
    engagement = question.engagement
    fact = None
    if changes.get("fact") is not None:
        fact = Fact.objects.filter(pk=changes["fact"], engagement=engagement).first()
        if fact is None:
            raise ValidationError(
                {"fact": f"This engagement has no fact with id {changes['fact']}."}
            )
    return actions.raise_question(engagement, changes["text"], by=user, fact=fact)


resource(
    "questions", Question, out=QuestionOut, create=QuestionIn, patch=QuestionPatch,
    save=_save_question, set_fields=False, queryset=_questions, item_param="question_id",
    only={"create", "update", "delete"},
    summaries={
        "create": "Raise a question (for a gap, or to validate an assumed fact)",
        "update": "Update Question", "delete": "Delete Question",
    },
)


@router.post(
    "/questions/{int:question_id}/answer", response={200: QuestionOut, **WRITE_ERRORS},
    summary="Record the customer's answer",
)
def answer_question(request: HttpRequest, question_id: int, payload: AnswerIn) -> Question:
    user = user_of(request)
    question = access.engagement_item(user, _questions(), pk=question_id)
    contact = related(Contact, payload.answered_by, "answered_by") if payload.answered_by else None
    return actions.answer_question(
        question, payload.answer, by=user, answered_on=payload.answered_on, contact=contact,
        name=payload.answered_by_name, validate_fact=payload.validate_fact,
    )


@router.post("/questions/{int:question_id}/reopen", response={200: QuestionOut, **WRITE_ERRORS})
def reopen_question(request: HttpRequest, question_id: int) -> Question:
    user = user_of(request)
    question = access.engagement_item(user, _questions(), pk=question_id)
    return actions.reopen_question(question, by=user)


# --- dossier: handover meetings ----------------------------------------------------------------


def _meetings() -> QuerySet[HandoverMeeting]:
    return HandoverMeeting.objects.select_related("engagement__account").prefetch_related(
        "attendees__user", "follow_ups"
    ).order_by("-date", "-id")


def _attendees(items: list[dict[str, Any]] | None) -> list[tuple[User, str]] | None:
    if items is None:
        return None
    return [(related(User, a["user"], "attendees"), a["role"]) for a in items]


def _save_meeting(meeting: HandoverMeeting, changes: dict[str, Any], user: User) -> HandoverMeeting:
    """The attendees, when given, replace the meeting's list."""
    return actions.save_meeting(meeting, by=user, attendees=_attendees(changes.get("attendees")))


resource(
    "handover-meetings", HandoverMeeting, out=HandoverMeetingOut, create=HandoverMeetingIn,
    patch=MeetingPatch, save=_save_meeting, extras=frozenset({"attendees"}),
    queryset=_meetings, item_param="meeting_id",
    summaries={
        "list": "Handover meetings, newest first", "create": "Plan a handover meeting",
        "update": "Change a meeting: its notes, agenda, date or attendees (the list is replaced)",
        "delete": "Delete Meeting",
    },
)


@router.post(
    "/handover-meetings/{int:meeting_id}/follow-ups", response={201: FollowUpOut, **WRITE_ERRORS},
    summary="Create a follow-up task from the meeting",
)
def create_follow_up(
    request: HttpRequest, meeting_id: int, payload: FollowUpIn
) -> tuple[int, dict[str, Any]]:
    user = user_of(request)
    meeting = access.engagement_item(user, _meetings(), pk=meeting_id)
    assignee = related(User, payload.assignee, "assignee")
    task = actions.add_follow_up(
        meeting, payload.title, assignee=assignee, by=user, due_date=payload.due_date
    )
    return 201, {"task_id": task.pk, "title": task.title}


# --- organization ------------------------------------------------------------------------------


@router.get(
    "/engagements/{int:engagement_id}/org-chart", response=list[ContactPlaceOut],
    summary="The customer's contacts with their managers and departments",
)
def org_chart(request: HttpRequest, engagement_id: int) -> list[Contact]:
    # An org chart is drawn whole, so it comes whole, unpaginated.
    return queries.contacts_of(engagement_or_404(engagement_id).account)


@router.patch(
    "/engagements/{int:engagement_id}/org-chart/{int:contact_id}",
    response={200: ContactPlaceOut, **WRITE_ERRORS},
    summary="Place a contact: change their manager or department",
)
def place_contact(
    request: HttpRequest, engagement_id: int, contact_id: int, payload: PlacementIn
) -> Contact:
    user = user_of(request)
    engagement = access.account_item(user, engagements(), pk=engagement_id, message=STRATEGY_REFUSAL)
    contact = get_object_or_404(Contact, pk=contact_id, account=engagement.account_id)
    data = _data(payload)
    if "reports_to" in data and data["reports_to"] is not None:
        data["reports_to"] = related(Contact, data["reports_to"], "reports_to")
    if "department" in data:
        data["department"] = (data["department"] or "").strip()
    for name, value in data.items():
        setattr(contact, name, value)
    return tagged(Contact, lambda: customers.save_record(contact, by=user))


@router.get(
    "/engagements/{int:engagement_id}/value-chain", response=list[FunctionOut],
    summary="Value chain functions, primary in value order then support",
)
def list_functions(request: HttpRequest, engagement_id: int) -> QuerySet[ValueChainFunction]:
    # A value chain has a handful of functions: it comes whole.
    return ValueChainFunction.objects.filter(engagement=engagement_or_404(engagement_id))


def _save_function(
    function: ValueChainFunction, changes: dict[str, Any], user: User
) -> ValueChainFunction:
    if function.pk is None:
        return actions.add_function(function, by=user)
    return actions.save_item(function, by=user)


resource(
    "value-chain", ValueChainFunction, out=FunctionOut, create=FunctionIn, patch=FunctionPatch,
    save=_save_function, queryset=_in_engagement(ValueChainFunction), item_param="function_id",
    only={"create", "update", "delete"},
    summaries={"create": "Create Function", "update": "Update Function", "delete": "Delete Function"},
)
resource(
    "capabilities", Capability, out=CapabilityOut, create=CapabilityIn, patch=CapabilityPatch,
    relations={"parent": Capability}, queryset=_in_engagement(Capability, "id"),
    item_param="capability_id",
    summaries={
        "list": "List Capabilities", "create": "Create Capability",
        "update": "Update Capability", "delete": "Delete Capability",
    },
)


# --- PESTLE: shared analyses (leaders) ---------------------------------------------------------


@router.get("/pestle-analyses", response=list[AnalysisOut], summary="Shared PESTLE analyses")
@paginate(Pagination)
def list_analyses(request: HttpRequest) -> QuerySet[SharedPestle]:
    return SharedPestle.objects.order_by("industry", "region", "id")


@router.post("/pestle-analyses", response={201: AnalysisOut, **WRITE_ERRORS})
def create_analysis(request: HttpRequest, payload: AnalysisIn) -> tuple[int, SharedPestle]:
    user = access.leader(user_of(request), SHARED_REFUSAL)
    return 201, actions.save_shared_analysis(SharedPestle(**_data(payload)), by=user)


@router.patch("/pestle-analyses/{int:analysis_id}", response={200: AnalysisOut, **WRITE_ERRORS})
def update_analysis(request: HttpRequest, analysis_id: int, payload: AnalysisPatch) -> SharedPestle:
    analysis = get_object_or_404(SharedPestle, pk=analysis_id)
    user = access.leader(user_of(request), SHARED_REFUSAL)
    return actions.save_shared_analysis(apply(analysis, _data(payload)), by=user)


@router.delete("/pestle-analyses/{int:analysis_id}", response=NO_CONTENT)
def delete_analysis(request: HttpRequest, analysis_id: int) -> tuple[int, None]:
    analysis = get_object_or_404(SharedPestle, pk=analysis_id)
    user = access.leader(user_of(request), SHARED_REFUSAL)
    for driver in analysis.drivers.all():
        actions.delete_shared_driver(driver, by=user)
    actions.delete_item(analysis, by=user)
    return 204, None


@router.get("/pestle-analyses/{int:analysis_id}/drivers", response=list[DriverOut])
def list_shared_drivers(request: HttpRequest, analysis_id: int) -> QuerySet[PestleDriver]:
    return get_object_or_404(SharedPestle, pk=analysis_id).drivers.all()


@router.post(
    "/pestle-analyses/{int:analysis_id}/drivers", response={201: DriverOut, **WRITE_ERRORS},
    summary="Add a driver every account of the industry and region sees",
)
def create_shared_driver(
    request: HttpRequest, analysis_id: int, payload: DriverIn
) -> tuple[int, PestleDriver]:
    analysis = get_object_or_404(SharedPestle, pk=analysis_id)
    user = access.leader(user_of(request), SHARED_REFUSAL)
    return 201, actions.save_item(PestleDriver(analysis=analysis, **_data(payload)), by=user)


def _strategy_record(request: HttpRequest, records: QuerySet[R], pk: int) -> tuple[R, User]:
    """A record of an account's strategy and the caller, who must look after the account."""
    user = user_of(request)
    return access.account_item(user, records, pk=pk, message=STRATEGY_REFUSAL), user


def _writable_driver(request: HttpRequest, driver_id: int) -> tuple[PestleDriver, User]:
    """A driver and its writer: a shared driver is for leaders; an account's driver for
    those who look after the account, so it is fetched again through their check."""
    user = user_of(request)
    drivers = PestleDriver.objects.select_related("account")
    driver = get_object_or_404(drivers, pk=driver_id)
    if driver.account_id is None:
        return driver, access.leader(user, SHARED_REFUSAL)
    return _strategy_record(request, drivers, driver_id)


@router.patch("/pestle-drivers/{int:driver_id}", response={200: DriverOut, **WRITE_ERRORS})
def update_driver(request: HttpRequest, driver_id: int, payload: DriverPatch) -> PestleDriver:
    driver, user = _writable_driver(request, driver_id)
    return actions.save_item(apply(driver, _data(payload)), by=user)


@router.delete("/pestle-drivers/{int:driver_id}", response=NO_CONTENT)
def delete_driver(request: HttpRequest, driver_id: int) -> tuple[int, None]:
    driver, user = _writable_driver(request, driver_id)
    if driver.analysis_id is not None:
        actions.delete_shared_driver(driver, by=user)
    else:
        actions.delete_item(driver, by=user)
    return 204, None


# --- PESTLE: per account ---------------------------------------------------------------------


def _editable_account(request: HttpRequest, account_id: int) -> tuple[Account, User]:
    """The account a path names and the caller, who must look after it."""
    user = user_of(request)
    return access.editable_account(user, account_id, message=STRATEGY_REFUSAL), user


@router.get(
    "/accounts/{int:account_id}/pestle", response={200: EffectivePestleOut, **READ_ERRORS},
    summary="The account's PESTLE as it applies: shared drivers, its overrides, its own",
)
def effective_pestle(request: HttpRequest, account_id: int) -> dict[str, Any]:
    pestle = queries.effective_pestle(get_object_or_404(Account, pk=account_id))
    return {
        "account_id": account_id,
        "analysis": pestle.analysis,
        "use_shared": pestle.use_shared,
        "note": pestle.note,
        "drivers": [
            {"origin": d.origin, "shared_driver_id": d.shared.pk if d.shared else None,
             "driver": d.driver}
            for d in pestle.drivers
        ],
        "hidden_shared_driver_ids": [d.pk for d in pestle.hidden],
    }


@router.post(
    "/accounts/{int:account_id}/pestle/drivers", response={201: DriverOut, **WRITE_ERRORS},
    summary="Add a driver for this account only",
)
def create_account_driver(
    request: HttpRequest, account_id: int, payload: DriverIn
) -> tuple[int, PestleDriver]:
    account, user = _editable_account(request, account_id)
    return 201, actions.save_item(PestleDriver(account=account, **_data(payload)), by=user)


@router.put(
    "/accounts/{int:account_id}/pestle/overrides/{int:driver_id}",
    response={200: DriverOut, **WRITE_ERRORS},
    summary="Override a shared driver for this account: replace its fields, or hide it",
)
def override_driver(
    request: HttpRequest, account_id: int, driver_id: int, payload: OverrideIn
) -> PestleDriver:
    account, user = _editable_account(request, account_id)
    shared = get_object_or_404(PestleDriver, pk=driver_id, analysis__isnull=False)
    data = {k: v for k, v in _data(payload).items() if v is not None}
    if data.pop("hidden", False):
        return actions.hide_driver(account, shared, by=user)
    return actions.override_driver(account, shared, data, by=user)


@router.delete("/accounts/{int:account_id}/pestle/overrides/{int:driver_id}", response=NO_CONTENT)
def restore_driver(request: HttpRequest, account_id: int, driver_id: int) -> tuple[int, None]:
    account, user = _editable_account(request, account_id)
    shared = get_object_or_404(PestleDriver, pk=driver_id, analysis__isnull=False)
    actions.restore_driver(account, shared, by=user)
    return 204, None


@router.put(
    "/accounts/{int:account_id}/pestle/settings", response={204: None, **WRITE_ERRORS},
    summary="Use the shared analysis, or set it aside for this account",
)
def pestle_settings(
    request: HttpRequest, account_id: int, payload: PestleSettingsIn
) -> tuple[int, None]:
    account, user = _editable_account(request, account_id)
    actions.set_use_shared(account, payload.use_shared, note=payload.note, by=user)
    return 204, None


# --- internal drivers and the strategy chain ---------------------------------------------------
# The account's own records follow the account's rule, which the shared `resource` (made for
# an engagement's records) does not know: they are written here.


@router.get("/accounts/{int:account_id}/internal-drivers", response=list[InternalDriverOut])
@paginate(Pagination)
def list_internal(request: HttpRequest, account_id: int) -> QuerySet[InternalDriver]:
    account = get_object_or_404(Account, pk=account_id)
    return InternalDriver.objects.filter(account=account).order_by("category", "id")


@router.post(
    "/accounts/{int:account_id}/internal-drivers", response={201: InternalDriverOut, **WRITE_ERRORS}
)
def create_internal(
    request: HttpRequest, account_id: int, payload: InternalDriverIn
) -> tuple[int, InternalDriver]:
    account, user = _editable_account(request, account_id)
    return 201, actions.save_item(InternalDriver(account=account, **_data(payload)), by=user)


def _internal(request: HttpRequest, driver_id: int) -> tuple[InternalDriver, User]:
    return _strategy_record(request, InternalDriver.objects.select_related("account"), driver_id)


@router.patch("/internal-drivers/{int:driver_id}", response={200: InternalDriverOut, **WRITE_ERRORS})
def update_internal(request: HttpRequest, driver_id: int, payload: DriverPatch) -> InternalDriver:
    driver, user = _internal(request, driver_id)
    return actions.save_item(apply(driver, _data(payload)), by=user)


@router.delete("/internal-drivers/{int:driver_id}", response=NO_CONTENT)
def delete_internal(request: HttpRequest, driver_id: int) -> tuple[int, None]:
    driver, user = _internal(request, driver_id)
    actions.delete_item(driver, by=user)
    return 204, None


ELEMENT_RELATIONS: dict[str, Any] = {"parent": StrategyElement, "serves": StrategyElement}


@router.get("/accounts/{int:account_id}/strategy-elements", response=list[ElementOut])
@paginate(Pagination)
def list_elements(request: HttpRequest, account_id: int) -> QuerySet[StrategyElement]:
    account = get_object_or_404(Account, pk=account_id)
    return StrategyElement.objects.filter(account=account).order_by("kind", "id")


@router.post(
    "/accounts/{int:account_id}/strategy-elements", response={201: ElementOut, **WRITE_ERRORS},
    summary="Add a vision, goal, objective, mission, strategy or tactic",
)
def create_element(
    request: HttpRequest, account_id: int, payload: ElementIn
) -> tuple[int, StrategyElement]:
    account, user = _editable_account(request, account_id)
    element = apply(StrategyElement(account=account), _data(payload), ELEMENT_RELATIONS)
    return 201, actions.save_item(element, by=user)


def _element(request: HttpRequest, element_id: int) -> tuple[StrategyElement, User]:
    return _strategy_record(request, StrategyElement.objects.select_related("account"), element_id)


@router.patch("/strategy-elements/{int:element_id}", response={200: ElementOut, **WRITE_ERRORS})
def update_element(request: HttpRequest, element_id: int, payload: ElementPatch) -> StrategyElement:
    element, user = _element(request, element_id)
    return actions.save_item(apply(element, _data(payload), ELEMENT_RELATIONS), by=user)


@router.delete("/strategy-elements/{int:element_id}", response=NO_CONTENT)
def delete_element(request: HttpRequest, element_id: int) -> tuple[int, None]:
    element, user = _element(request, element_id)
    actions.delete_item(element, by=user)
    return 204, None


resource(
    "solution-links", SolutionLink, out=LinkOut, create=LinkIn, patch=LinkPatch,
    relations={"element": StrategyElement, "product": Product},
    queryset=_in_engagement(SolutionLink, "id"), item_param="link_id",
    summaries={
        "list": "List Links",
        "create": "Link our solution (or one product) to the strategy element it serves",
        "update": "Update Link", "delete": "Delete Link",
    },
)
resource(
    "contributions", Contribution, out=ContributionOut, create=ContributionIn,
    patch=ContributionPatch, relations={"product": Product, "outcome": Outcome},
    queryset=_in_engagement(Contribution, "id"), item_param="contribution_id",
    summaries={
        "list": "List Contributions",
        "create": "Add a product → function → output → outcome contribution line",
        "update": "Update Contribution", "delete": "Delete Contribution",
    },
)


@router.get(
    "/engagements/{int:engagement_id}/strategy-chain", response={200: StrategyChainOut, **READ_ERRORS},
    summary="The chain from our products to the customer's vision",
)
def strategy_chain(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    return queries.strategy_chain(engagement_or_404(engagement_id)).to_dict()


@router.post(
    "/engagements/{int:engagement_id}/strategy-document", response={200: StrategyDocumentOut, **WRITE_ERRORS},
    summary="Generate the engagement strategy and roadmap (a new version when it exists)",
)
def generate_document(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    engagement, user = editable_engagement(request, engagement_id)
    link = actions.generate_strategy_document(engagement, by=user)
    document = link.document
    document.refresh_from_db()
    version = document.current_version
    return {
        "document_id": document.pk, "title": document.title,
        "version": version.number if version else 0, "url": document.get_absolute_url(),
    }
