"""REST endpoints for the preparation tools, under /api/v1/preparation.

Writes go through cairn.preparation.actions, so the API keeps the pages' rules, history and
timeline. Engagement tools follow the engagement's edit rule; the customer's strategy and
PESTLE overrides follow the account's; shared PESTLE analyses are for leaders.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, engagement_editor, related, user_of
from cairn.customers import actions as customers
from cairn.customers.models import Account, Contact, Product
from cairn.engagements.models import Engagement, Outcome
from cairn.people import permissions
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
from cairn.validation import Key

router = Router(tags=["preparation"])

NO_CONTENT = {204: None, **WRITE_ERRORS}


def _engagement(engagement_id: int) -> Engagement:
    return get_object_or_404(Engagement.objects.select_related("account"), pk=engagement_id)



def _edit_account(request: HttpRequest, account: Account) -> User:
    user = user_of(request)
    permissions.require(
        permissions.can_edit_account(user, account),
        "You may not change this customer's strategy: you do not look after the account.",
    )
    return user


def _leader(request: HttpRequest) -> User:
    user = user_of(request)
    permissions.require(
        permissions.is_leader(user) and permissions.can_write(user),
        "Only team leaders change the PESTLE analyses shared across accounts.",
    )
    return user


def _data(payload: Any) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


# --- dossier: facts --------------------------------------------------------------------------


@router.get("/engagements/{int:engagement_id}/facts", response=list[FactOut], summary="Dossier facts")
@paginate(Pagination)
def list_facts(request: HttpRequest, engagement_id: int) -> QuerySet[Fact]:
    return Fact.objects.filter(engagement=_engagement(engagement_id)).order_by("area", "id")


@router.post(
    "/engagements/{int:engagement_id}/facts", response={201: FactOut, **WRITE_ERRORS},
    summary="Add a fact to the dossier",
)
def create_fact(request: HttpRequest, engagement_id: int, payload: FactIn) -> tuple[int, Fact]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    fact = Fact(engagement=engagement, created_by=user, **_data(payload))
    return 201, actions.save_item(fact, by=user)


def _fact(fact_id: int) -> Fact:
    return get_object_or_404(Fact.objects.select_related("engagement__account"), pk=fact_id)


@router.patch("/facts/{int:fact_id}", response={200: FactOut, **WRITE_ERRORS})
def update_fact(request: HttpRequest, fact_id: int, payload: FactPatch) -> Fact:
    fact = _fact(fact_id)
    user = engagement_editor(request, fact.engagement)
    return actions.save_item(apply(fact, _data(payload)), by=user)


@router.delete("/facts/{int:fact_id}", response=NO_CONTENT)
def delete_fact(request: HttpRequest, fact_id: int) -> tuple[int, None]:
    fact = _fact(fact_id)
    actions.delete_item(fact, by=engagement_editor(request, fact.engagement))
    return 204, None


# --- dossier: questions ----------------------------------------------------------------------


@router.get(
    "/engagements/{int:engagement_id}/questions", response=list[QuestionOut],
    summary="Questions for the customer, open ones first",
)
@paginate(Pagination)
def list_questions(
    request: HttpRequest, engagement_id: int, status: Key | None = None
) -> QuerySet[Question]:
    questions = Question.objects.filter(engagement=_engagement(engagement_id))
    if status:
        questions = questions.filter(status=status)
    return questions.order_by("status", "created_at", "id")


@router.post(
    "/engagements/{int:engagement_id}/questions", response={201: QuestionOut, **WRITE_ERRORS},
    summary="Raise a question (for a gap, or to validate an assumed fact)",
)
def create_question(
    request: HttpRequest, engagement_id: int, payload: QuestionIn
) -> tuple[int, Question]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    fact = None
    if payload.fact is not None:
        fact = Fact.objects.filter(pk=payload.fact, engagement=engagement).first()
        if fact is None:
            raise ValidationError({"fact": f"This engagement has no fact with id {payload.fact}."})
    return 201, actions.raise_question(engagement, payload.text, by=user, fact=fact)


def _question(question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("engagement__account", "fact"), pk=question_id
    )


@router.patch("/questions/{int:question_id}", response={200: QuestionOut, **WRITE_ERRORS})
def update_question(request: HttpRequest, question_id: int, payload: QuestionPatch) -> Question:
    question = _question(question_id)
    user = engagement_editor(request, question.engagement)
    return actions.save_item(apply(question, _data(payload)), by=user)


@router.post(
    "/questions/{int:question_id}/answer", response={200: QuestionOut, **WRITE_ERRORS},
    summary="Record the customer's answer",
)
def answer_question(request: HttpRequest, question_id: int, payload: AnswerIn) -> Question:
    question = _question(question_id)
    user = engagement_editor(request, question.engagement)
    contact = related(Contact, payload.answered_by, "answered_by") if payload.answered_by else None
    return actions.answer_question(
        question, payload.answer, by=user, answered_on=payload.answered_on, contact=contact,
        name=payload.answered_by_name, validate_fact=payload.validate_fact,
    )


@router.post("/questions/{int:question_id}/reopen", response={200: QuestionOut, **WRITE_ERRORS})
def reopen_question(request: HttpRequest, question_id: int) -> Question:
    question = _question(question_id)
    return actions.reopen_question(question, by=engagement_editor(request, question.engagement))


@router.delete("/questions/{int:question_id}", response=NO_CONTENT)
def delete_question(request: HttpRequest, question_id: int) -> tuple[int, None]:
    question = _question(question_id)
    actions.delete_item(question, by=engagement_editor(request, question.engagement))
    return 204, None


# --- dossier: handover meetings ----------------------------------------------------------------


def _meetings() -> QuerySet[HandoverMeeting]:
    return HandoverMeeting.objects.select_related("engagement__account").prefetch_related(
        "attendees__user", "follow_ups"
    )


def _attendees(items: list[Any] | None) -> list[tuple[User, str]] | None:
    if items is None:
        return None
    return [(related(User, a.user, "attendees"), a.role) for a in items]


@router.get(
    "/engagements/{int:engagement_id}/handover-meetings", response=list[HandoverMeetingOut],
    summary="Handover meetings, newest first",
)
@paginate(Pagination)
def list_meetings(request: HttpRequest, engagement_id: int) -> QuerySet[HandoverMeeting]:
    return _meetings().filter(engagement=_engagement(engagement_id)).order_by("-date", "-id")


@router.post(
    "/engagements/{int:engagement_id}/handover-meetings",
    response={201: HandoverMeetingOut, **WRITE_ERRORS}, summary="Plan a handover meeting",
)
def create_meeting(
    request: HttpRequest, engagement_id: int, payload: HandoverMeetingIn
) -> tuple[int, HandoverMeeting]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    data = _data(payload)
    attendees = _attendees(payload.attendees)
    data.pop("attendees", None)
    meeting = actions.save_meeting(
        HandoverMeeting(engagement=engagement, **data), by=user, attendees=attendees
    )
    return 201, _meetings().get(pk=meeting.pk)


@router.patch(
    "/handover-meetings/{int:meeting_id}", response={200: HandoverMeetingOut, **WRITE_ERRORS},
    summary="Change a meeting: its notes, agenda, date or attendees (the list is replaced)",
)
def update_meeting(request: HttpRequest, meeting_id: int, payload: MeetingPatch) -> HandoverMeeting:
    meeting = get_object_or_404(_meetings(), pk=meeting_id)
    user = engagement_editor(request, meeting.engagement)
    data = _data(payload)
    attendees = _attendees(payload.attendees) if "attendees" in data else None
    data.pop("attendees", None)
    actions.save_meeting(apply(meeting, data), by=user, attendees=attendees)
    return _meetings().get(pk=meeting.pk)


@router.delete("/handover-meetings/{int:meeting_id}", response=NO_CONTENT)
def delete_meeting(request: HttpRequest, meeting_id: int) -> tuple[int, None]:
    meeting = get_object_or_404(_meetings(), pk=meeting_id)
    actions.delete_item(meeting, by=engagement_editor(request, meeting.engagement))
    return 204, None


@router.post(
    "/handover-meetings/{int:meeting_id}/follow-ups", response={201: FollowUpOut, **WRITE_ERRORS},
    summary="Create a follow-up task from the meeting",
)
def create_follow_up(
    request: HttpRequest, meeting_id: int, payload: FollowUpIn
) -> tuple[int, dict[str, Any]]:
    meeting = get_object_or_404(_meetings(), pk=meeting_id)
    user = engagement_editor(request, meeting.engagement)
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
    return queries.contacts_of(_engagement(engagement_id).account)


@router.patch(
    "/engagements/{int:engagement_id}/org-chart/{int:contact_id}",
    response={200: ContactPlaceOut, **WRITE_ERRORS},
    summary="Place a contact: change their manager or department",
)
def place_contact(
    request: HttpRequest, engagement_id: int, contact_id: int, payload: PlacementIn
) -> Contact:
    engagement = _engagement(engagement_id)
    user = _edit_account(request, engagement.account)
    contact = get_object_or_404(Contact, pk=contact_id, account=engagement.account_id)
    data = _data(payload)
    if "reports_to" in data and data["reports_to"] is not None:
        data["reports_to"] = related(Contact, data["reports_to"], "reports_to")
    if "department" in data:
        data["department"] = (data["department"] or "").strip()
    for name, value in data.items():
        setattr(contact, name, value)
    try:
        return customers.save_record(contact, by=user)
    except ValidationError as exc:
        exc.model = Contact  # type: ignore[attr-defined]
        raise


def _crud_list(model: Any, engagement_id: int) -> QuerySet[Any]:
    return model.objects.filter(engagement=_engagement(engagement_id)).order_by("id")  # type: ignore[no-any-return]


@router.get(
    "/engagements/{int:engagement_id}/value-chain", response=list[FunctionOut],
    summary="Value chain functions, primary in value order then support",
)
def list_functions(request: HttpRequest, engagement_id: int) -> QuerySet[ValueChainFunction]:
    # A value chain has a handful of functions: it comes whole.
    return ValueChainFunction.objects.filter(engagement=_engagement(engagement_id))


@router.post(
    "/engagements/{int:engagement_id}/value-chain", response={201: FunctionOut, **WRITE_ERRORS}
)
def create_function(
    request: HttpRequest, engagement_id: int, payload: FunctionIn
) -> tuple[int, ValueChainFunction]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    return 201, actions.add_function(ValueChainFunction(engagement=engagement, **_data(payload)), by=user)


def _function(function_id: int) -> ValueChainFunction:
    return get_object_or_404(
        ValueChainFunction.objects.select_related("engagement__account"), pk=function_id
    )


@router.patch("/value-chain/{int:function_id}", response={200: FunctionOut, **WRITE_ERRORS})
def update_function(
    request: HttpRequest, function_id: int, payload: FunctionPatch
) -> ValueChainFunction:
    function = _function(function_id)
    user = engagement_editor(request, function.engagement)
    return actions.save_item(apply(function, _data(payload)), by=user)


@router.delete("/value-chain/{int:function_id}", response=NO_CONTENT)
def delete_function(request: HttpRequest, function_id: int) -> tuple[int, None]:
    function = _function(function_id)
    actions.delete_item(function, by=engagement_editor(request, function.engagement))
    return 204, None


@router.get("/engagements/{int:engagement_id}/capabilities", response=list[CapabilityOut])
@paginate(Pagination)
def list_capabilities(request: HttpRequest, engagement_id: int) -> QuerySet[Capability]:
    return _crud_list(Capability, engagement_id)


@router.post(
    "/engagements/{int:engagement_id}/capabilities", response={201: CapabilityOut, **WRITE_ERRORS}
)
def create_capability(
    request: HttpRequest, engagement_id: int, payload: CapabilityIn
) -> tuple[int, Capability]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    capability = apply(Capability(engagement=engagement), _data(payload), {"parent": Capability})
    return 201, actions.save_item(capability, by=user)


def _capability(capability_id: int) -> Capability:
    return get_object_or_404(
        Capability.objects.select_related("engagement__account"), pk=capability_id
    )


@router.patch("/capabilities/{int:capability_id}", response={200: CapabilityOut, **WRITE_ERRORS})
def update_capability(
    request: HttpRequest, capability_id: int, payload: CapabilityPatch
) -> Capability:
    capability = _capability(capability_id)
    user = engagement_editor(request, capability.engagement)
    return actions.save_item(apply(capability, _data(payload), {"parent": Capability}), by=user)


@router.delete("/capabilities/{int:capability_id}", response=NO_CONTENT)
def delete_capability(request: HttpRequest, capability_id: int) -> tuple[int, None]:
    capability = _capability(capability_id)
    actions.delete_item(capability, by=engagement_editor(request, capability.engagement))
    return 204, None


# --- PESTLE: shared analyses (leaders) ---------------------------------------------------------


@router.get("/pestle-analyses", response=list[AnalysisOut], summary="Shared PESTLE analyses")
@paginate(Pagination)
def list_analyses(request: HttpRequest) -> QuerySet[SharedPestle]:
    return SharedPestle.objects.order_by("industry", "region", "id")


@router.post("/pestle-analyses", response={201: AnalysisOut, **WRITE_ERRORS})
def create_analysis(request: HttpRequest, payload: AnalysisIn) -> tuple[int, SharedPestle]:
    user = _leader(request)
    return 201, actions.save_shared_analysis(SharedPestle(**_data(payload)), by=user)


@router.patch("/pestle-analyses/{int:analysis_id}", response={200: AnalysisOut, **WRITE_ERRORS})
def update_analysis(request: HttpRequest, analysis_id: int, payload: AnalysisPatch) -> SharedPestle:
    analysis = get_object_or_404(SharedPestle, pk=analysis_id)
    user = _leader(request)
    return actions.save_shared_analysis(apply(analysis, _data(payload)), by=user)


@router.delete("/pestle-analyses/{int:analysis_id}", response=NO_CONTENT)
def delete_analysis(request: HttpRequest, analysis_id: int) -> tuple[int, None]:
    analysis = get_object_or_404(SharedPestle, pk=analysis_id)
    user = _leader(request)
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
    user = _leader(request)
    return 201, actions.save_item(PestleDriver(analysis=analysis, **_data(payload)), by=user)


def _driver_writer(request: HttpRequest, driver: PestleDriver) -> User:
    """A shared driver is for leaders; an account's driver for those who look after it."""
    if driver.account is not None:
        return _edit_account(request, driver.account)
    return _leader(request)


@router.patch("/pestle-drivers/{int:driver_id}", response={200: DriverOut, **WRITE_ERRORS})
def update_driver(request: HttpRequest, driver_id: int, payload: DriverPatch) -> PestleDriver:
    driver = get_object_or_404(PestleDriver.objects.select_related("account"), pk=driver_id)
    user = _driver_writer(request, driver)
    return actions.save_item(apply(driver, _data(payload)), by=user)


@router.delete("/pestle-drivers/{int:driver_id}", response=NO_CONTENT)
def delete_driver(request: HttpRequest, driver_id: int) -> tuple[int, None]:
    driver = get_object_or_404(PestleDriver.objects.select_related("account"), pk=driver_id)
    user = _driver_writer(request, driver)
    if driver.analysis_id is not None:
        actions.delete_shared_driver(driver, by=user)
    else:
        actions.delete_item(driver, by=user)
    return 204, None


# --- PESTLE: per account ---------------------------------------------------------------------


def _account(account_id: int) -> Account:
    return get_object_or_404(Account, pk=account_id)


@router.get(
    "/accounts/{int:account_id}/pestle", response={200: EffectivePestleOut, **READ_ERRORS},
    summary="The account's PESTLE as it applies: shared drivers, its overrides, its own",
)
def effective_pestle(request: HttpRequest, account_id: int) -> dict[str, Any]:
    pestle = queries.effective_pestle(_account(account_id))
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
    account = _account(account_id)
    user = _edit_account(request, account)
    return 201, actions.save_item(PestleDriver(account=account, **_data(payload)), by=user)


@router.put(
    "/accounts/{int:account_id}/pestle/overrides/{int:driver_id}",
    response={200: DriverOut, **WRITE_ERRORS},
    summary="Override a shared driver for this account: replace its fields, or hide it",
)
def override_driver(
    request: HttpRequest, account_id: int, driver_id: int, payload: OverrideIn
) -> PestleDriver:
    account = _account(account_id)
    user = _edit_account(request, account)
    shared = get_object_or_404(PestleDriver, pk=driver_id, analysis__isnull=False)
    data = {k: v for k, v in _data(payload).items() if v is not None}
    if data.pop("hidden", False):
        return actions.hide_driver(account, shared, by=user)
    return actions.override_driver(account, shared, data, by=user)


@router.delete("/accounts/{int:account_id}/pestle/overrides/{int:driver_id}", response=NO_CONTENT)
def restore_driver(request: HttpRequest, account_id: int, driver_id: int) -> tuple[int, None]:
    account = _account(account_id)
    user = _edit_account(request, account)
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
    account = _account(account_id)
    user = _edit_account(request, account)
    actions.set_use_shared(account, payload.use_shared, note=payload.note, by=user)
    return 204, None


# --- internal drivers and the strategy chain ---------------------------------------------------


@router.get("/accounts/{int:account_id}/internal-drivers", response=list[InternalDriverOut])
@paginate(Pagination)
def list_internal(request: HttpRequest, account_id: int) -> QuerySet[InternalDriver]:
    return InternalDriver.objects.filter(account=_account(account_id)).order_by("category", "id")


@router.post(
    "/accounts/{int:account_id}/internal-drivers", response={201: InternalDriverOut, **WRITE_ERRORS}
)
def create_internal(
    request: HttpRequest, account_id: int, payload: InternalDriverIn
) -> tuple[int, InternalDriver]:
    account = _account(account_id)
    user = _edit_account(request, account)
    return 201, actions.save_item(InternalDriver(account=account, **_data(payload)), by=user)


def _internal(driver_id: int) -> InternalDriver:
    return get_object_or_404(InternalDriver.objects.select_related("account"), pk=driver_id)


@router.patch("/internal-drivers/{int:driver_id}", response={200: InternalDriverOut, **WRITE_ERRORS})
def update_internal(request: HttpRequest, driver_id: int, payload: DriverPatch) -> InternalDriver:
    driver = _internal(driver_id)
    user = _edit_account(request, driver.account)
    return actions.save_item(apply(driver, _data(payload)), by=user)


@router.delete("/internal-drivers/{int:driver_id}", response=NO_CONTENT)
def delete_internal(request: HttpRequest, driver_id: int) -> tuple[int, None]:
    driver = _internal(driver_id)
    actions.delete_item(driver, by=_edit_account(request, driver.account))
    return 204, None


ELEMENT_RELATIONS: dict[str, Any] = {"parent": StrategyElement, "serves": StrategyElement}


@router.get("/accounts/{int:account_id}/strategy-elements", response=list[ElementOut])
@paginate(Pagination)
def list_elements(request: HttpRequest, account_id: int) -> QuerySet[StrategyElement]:
    return StrategyElement.objects.filter(account=_account(account_id)).order_by("kind", "id")


@router.post(
    "/accounts/{int:account_id}/strategy-elements", response={201: ElementOut, **WRITE_ERRORS},
    summary="Add a vision, goal, objective, mission, strategy or tactic",
)
def create_element(
    request: HttpRequest, account_id: int, payload: ElementIn
) -> tuple[int, StrategyElement]:
    account = _account(account_id)
    user = _edit_account(request, account)
    element = apply(StrategyElement(account=account), _data(payload), ELEMENT_RELATIONS)
    return 201, actions.save_item(element, by=user)


def _element(element_id: int) -> StrategyElement:
    return get_object_or_404(StrategyElement.objects.select_related("account"), pk=element_id)


@router.patch("/strategy-elements/{int:element_id}", response={200: ElementOut, **WRITE_ERRORS})
def update_element(request: HttpRequest, element_id: int, payload: ElementPatch) -> StrategyElement:
    element = _element(element_id)
    user = _edit_account(request, element.account)
    return actions.save_item(apply(element, _data(payload), ELEMENT_RELATIONS), by=user)


@router.delete("/strategy-elements/{int:element_id}", response=NO_CONTENT)
def delete_element(request: HttpRequest, element_id: int) -> tuple[int, None]:
    element = _element(element_id)
    actions.delete_item(element, by=_edit_account(request, element.account))
    return 204, None


LINK_RELATIONS: dict[str, Any] = {"element": StrategyElement, "product": Product}


@router.get("/engagements/{int:engagement_id}/solution-links", response=list[LinkOut])
@paginate(Pagination)
def list_links(request: HttpRequest, engagement_id: int) -> QuerySet[SolutionLink]:
    return _crud_list(SolutionLink, engagement_id)


@router.post(
    "/engagements/{int:engagement_id}/solution-links", response={201: LinkOut, **WRITE_ERRORS},
    summary="Link our solution (or one product) to the strategy element it serves",
)
def create_link(
    request: HttpRequest, engagement_id: int, payload: LinkIn
) -> tuple[int, SolutionLink]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    link = apply(SolutionLink(engagement=engagement), _data(payload), LINK_RELATIONS)
    return 201, actions.save_item(link, by=user)


def _solution_link(link_id: int) -> SolutionLink:
    return get_object_or_404(SolutionLink.objects.select_related("engagement__account"), pk=link_id)


@router.patch("/solution-links/{int:link_id}", response={200: LinkOut, **WRITE_ERRORS})
def update_link(request: HttpRequest, link_id: int, payload: LinkPatch) -> SolutionLink:
    link = _solution_link(link_id)
    user = engagement_editor(request, link.engagement)
    return actions.save_item(apply(link, _data(payload), LINK_RELATIONS), by=user)


@router.delete("/solution-links/{int:link_id}", response=NO_CONTENT)
def delete_link(request: HttpRequest, link_id: int) -> tuple[int, None]:
    link = _solution_link(link_id)
    actions.delete_item(link, by=engagement_editor(request, link.engagement))
    return 204, None


CONTRIBUTION_RELATIONS: dict[str, Any] = {"product": Product, "outcome": Outcome}


@router.get("/engagements/{int:engagement_id}/contributions", response=list[ContributionOut])
@paginate(Pagination)
def list_contributions(request: HttpRequest, engagement_id: int) -> QuerySet[Contribution]:
    return _crud_list(Contribution, engagement_id)


@router.post(
    "/engagements/{int:engagement_id}/contributions",
    response={201: ContributionOut, **WRITE_ERRORS},
    summary="Add a product → function → output → outcome contribution line",
)
def create_contribution(
    request: HttpRequest, engagement_id: int, payload: ContributionIn
) -> tuple[int, Contribution]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    contribution = apply(
        Contribution(engagement=engagement), _data(payload), CONTRIBUTION_RELATIONS
    )
    return 201, actions.save_item(contribution, by=user)


def _contribution(contribution_id: int) -> Contribution:
    return get_object_or_404(
        Contribution.objects.select_related("engagement__account"), pk=contribution_id
    )


@router.patch("/contributions/{int:contribution_id}", response={200: ContributionOut, **WRITE_ERRORS})
def update_contribution(
    request: HttpRequest, contribution_id: int, payload: ContributionPatch
) -> Contribution:
    contribution = _contribution(contribution_id)
    user = engagement_editor(request, contribution.engagement)
    return actions.save_item(
        apply(contribution, _data(payload), CONTRIBUTION_RELATIONS), by=user
    )


@router.delete("/contributions/{int:contribution_id}", response=NO_CONTENT)
def delete_contribution(request: HttpRequest, contribution_id: int) -> tuple[int, None]:
    contribution = _contribution(contribution_id)
    actions.delete_item(contribution, by=engagement_editor(request, contribution.engagement))
    return 204, None


@router.get(
    "/engagements/{int:engagement_id}/strategy-chain", response={200: StrategyChainOut, **READ_ERRORS},
    summary="The chain from our products to the customer's vision",
)
def strategy_chain(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    return queries.strategy_chain(_engagement(engagement_id)).to_dict()


@router.post(
    "/engagements/{int:engagement_id}/strategy-document", response={200: StrategyDocumentOut, **WRITE_ERRORS},
    summary="Generate the engagement strategy and roadmap (a new version when it exists)",
)
def generate_document(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    engagement = _engagement(engagement_id)
    user = engagement_editor(request, engagement)
    link = actions.generate_strategy_document(engagement, by=user)
    document = link.document
    document.refresh_from_db()
    version = document.current_version
    return {
        "document_id": document.pk, "title": document.title,
        "version": version.number if version else 0, "url": document.get_absolute_url(),
    }
