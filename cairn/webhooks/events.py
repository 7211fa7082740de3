"""The events Cairn sends to webhooks, each with the schema of its `data`.

A receiver gets one JSON envelope per delivery:

    {"id": "<delivery uuid>", "event": "health.alert", "created_at": "<ISO 8601>",
     "text": "<one line for people>", "data": {...}}

`data` follows the event's pydantic model below; the same model checks what an app hands to
`emit` or `deliver` (a mistake there fails in the sender's tests, not at the receiver), and
documents the schema on the events page and in the API. `text` is a sentence that chat tools
such as Slack's incoming webhooks show as the message; other receivers may ignore it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from cairn.fields import NAME

if TYPE_CHECKING:
    from cairn.customers.models import Account

SUMMARY_CHARS = 2000
TEXT_CHARS = 3000

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text = Annotated[str, Field(max_length=NAME)]
Scalar = StrictBool | int | float | Annotated[str, Field(max_length=500)] | None
Matched = Annotated[
    dict[Annotated[str, Field(max_length=100)], Scalar | Annotated[list[Scalar], Field(max_length=50)]],
    Field(max_length=50),
]


class Data(BaseModel):
    # An unknown field is a mistake of the app that emits the event, not something to pass on.
    model_config = ConfigDict(extra="forbid")


class Owner(Data):
    id: Id
    name: Text
    email: Annotated[str, Field(max_length=254)]


class AccountRef(Data):
    id: Id
    name: Text
    external_id: Annotated[str, Field(max_length=100, description="The account's id in the CRM.")]
    owner: Owner | None = Field(description="The CSM who owns the account, if anyone does.")
    url: Annotated[str, Field(max_length=1000, description="The account's page in Cairn.")]


class RuleRef(Data):
    id: Id
    name: Text
    version: Annotated[int, Field(ge=1, le=2**31 - 1, description="The version of the rule that acted.")]


class RuleFired(Data):
    """An automation rule acted on an account."""

    rule: RuleRef
    account: AccountRef
    event_on: dt.date = Field(description="The day of the event that triggered the rule.")
    summary: Annotated[str, Field(max_length=SUMMARY_CHARS, description="What the rule saw and did.")]
    matched: Matched = Field(
        default_factory=dict, description="The values the rule's conditions matched, by field."
    )


class HealthAlert(Data):
    """A health alert was raised on an account."""

    account: AccountRef
    kind: Annotated[str, Field(max_length=40, description="turned_red or dropped.")]
    label: Text = Field(description="The kind in words: Turned red, Dropped sharply.")
    score: Annotated[float, Field(ge=0, le=100)] | None = Field(
        description="The health score (0 to 100) that raised it."
    )
    scored_on: dt.date = Field(description="The scoring date whose score raised it.")


class EndpointRef(Data):
    id: Id
    name: Text


class Ping(Data):
    """A test delivery, sent from the endpoint's page or the API."""

    message: Text
    endpoint: EndpointRef
    requested_by: Text | None = Field(description="Who sent the test.")


@dataclasses.dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    description: str
    model: type[Data]
    example: Data
    # The envelope's `text`, from the event's data.
    text: Callable[[Any], str]
    subscribable: bool = True

    def schema(self) -> dict[str, Any]:
        return self.model.model_json_schema()


_OWNER = Owner(id=3, name="Priya Natarajan", email="priya@beacon.example")
_ACCOUNT = AccountRef(
    id=12, name="Halvorsen Maritime", external_id="CRM-0042", owner=_OWNER,
    url="https://cairn.beacon.example/accounts/12/",
)


def _rule_text(data: RuleFired) -> str:
    return f"{data.rule.name} acted on {data.account.name}: {data.summary}"


def _alert_text(data: HealthAlert) -> str:
    score = f"score {data.score:.0f}, " if data.score is not None else ""
    return f"Health alert for {data.account.name}: {data.label} ({score}scored {data.scored_on:%d %b %Y})."


def _ping_text(data: Ping) -> str:
    return f"Test delivery from Cairn to {data.endpoint.name}."


EVENTS: dict[str, EventKind] = {
    kind.key: kind for kind in (
        EventKind(
            "rule.fired", "An automation rule acted",
            "Sent when an automation rule's conditions matched an account and its actions ran: "
            "to the endpoints subscribed to it, and to the endpoint a rule's \"Call a webhook\" "
            "action names.",
            RuleFired,
            RuleFired(
                rule=RuleRef(id=7, name="Renewal in 90 days without a QBR", version=3),
                account=_ACCOUNT, event_on=dt.date(2026, 12, 1),
                summary="The renewal is 88 days away and no business review is planned: a task "
                "went to Priya.",
                matched={"renewal_days": 88, "segment": "enterprise"},
            ),
            _rule_text,
        ),
        EventKind(
            "health.alert", "A health alert was raised",
            "Sent when an account's health score turns red or drops sharply, once per drop.",
            HealthAlert,
            HealthAlert(
                account=_ACCOUNT, kind="turned_red", label="Turned red", score=38.0,
                scored_on=dt.date(2026, 12, 1),
            ),
            _alert_text,
        ),
        EventKind(
            "ping", "Test delivery",
            "Sent to one endpoint when an admin asks for a test; endpoints do not subscribe to it.",
            Ping,
            Ping(message="A test delivery from Cairn.", endpoint=EndpointRef(id=1, name="CRM sync"),
                 requested_by="Sam Okoro"),
            _ping_text, subscribable=False,
        ),
    )
}

SUBSCRIBABLE = [key for key, kind in EVENTS.items() if kind.subscribable]


def choices() -> list[tuple[str, str]]:
    """The events an endpoint may subscribe to, with their labels."""
    return [(key, EVENTS[key].label) for key in SUBSCRIBABLE]


def label(key: str) -> str:
    kind = EVENTS.get(key)
    return kind.label if kind else key


def kind_of(event: str) -> EventKind:
    kind = EVENTS.get(event)
    if kind is None:
        raise ValueError(f"Cairn sends no webhook event {event!r}; it knows {', '.join(EVENTS)}.")
    return kind


def checked(event: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as its event's model reads it, in JSON types; a ValueError (pydantic's
    ValidationError) when it does not fit the documented schema."""
    data: dict[str, Any] = kind_of(event).model.model_validate(dict(payload)).model_dump(mode="json")
    return data


def text(event: str, payload: Mapping[str, Any]) -> str:
    """The envelope's line for people. A payload stored under an older schema still gets one."""
    kind = EVENTS.get(event)
    if kind is None:
        return event
    try:
        line = kind.text(kind.model.model_validate(dict(payload)))
    except ValueError:
        line = kind.label
    return line[:TEXT_CHARS]


def envelope(uuid: str, event: str, created_at: dt.datetime, payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid, "event": event, "created_at": created_at.isoformat(),
        "text": text(event, payload), "data": dict(payload),
    }


def example_envelope(kind: EventKind) -> dict[str, Any]:
    data = kind.example.model_dump(mode="json")
    moment = dt.datetime(2026, 12, 1, 2, 5, tzinfo=dt.UTC)
    return envelope("6f1c2a7e-3b9d-4c51-9a0e-2d7f8b4e1c35", kind.key, moment, data)


def account_data(account: Account) -> dict[str, Any]:
    """An account as the events name it, for the apps that emit them."""
    owner = account.owner
    return {
        "id": account.pk, "name": account.name, "external_id": account.external_id,
        "owner": {"id": owner.pk, "name": str(owner), "email": owner.email}
        if owner is not None else None,
        "url": f"{settings.SITE_URL}{account.get_absolute_url()}",
    }
