"""The customer's perception of value: a stakeholder confirms or disputes a value statement
through a cairn.sharing customer link (the one link mechanism; this module adds its purpose).

Sending writes the statement, with what the KPIs say it achieved, as a document of the
engagement (a new version when it changed since last sent), withdraws the open links of its
older versions and makes the link. The stakeholder reads that frozen version; confirming
(with their typed name) or disputing (with a comment) is recorded on the item: who, when,
which, and the comment. The link takes one answer and none after it expires (cairn.sharing).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Contact
from cairn.documents.actions import Details, create_written, update_written
from cairn.documents.models import DocumentType, DocumentVersion
from cairn.people.models import User
from cairn.sharing import actions as sharing
from cairn.sharing import purposes
from cairn.sharing.models import Response, SharedLink
from cairn.value import queries
from cairn.value.actions import ensure_open
from cairn.value.models import Perception, ValueItem

PURPOSE = "value-confirmation"


def register() -> None:
    purposes.register(purposes.Purpose(
        key=PURPOSE, label="Value confirmation", document_label="value statement",
        accept_label="Confirm", decline_label="Dispute",
        decline_intro="Tell us where the value falls short of what you see, so we can put it right.",
        accepted_word="confirmed", declined_word="disputed",
        refusal=refusal, on_response=on_response,
    ))


def _item_of(version: DocumentVersion) -> ValueItem | None:
    return ValueItem.objects.filter(statement_document_id=version.document_id).first()


def refusal(version: DocumentVersion) -> str:
    """A confirmation link carries only the current version of a value item's statement."""
    item = _item_of(version)
    if item is None:
        return "only a value statement can be sent for confirmation."
    if version.document.current_version_id != version.pk:
        return "a newer version of this value statement was written since."
    return ""


def statement_text(item: ValueItem) -> str:
    """The statement as the customer reads it: what was promised or expected, how it is
    measured, and where the KPIs stand."""
    done = queries.achieved(item)
    lines = [
        f"**{item.get_commitment_display()} value:** {item.statement}", "",
    ]
    if item.description:
        lines += [item.description, ""]
    if item.outcome:
        lines.append(f"- Outcome: {item.outcome.name}")
    if item.element:
        lines.append(f"- Serves your {item.element.get_kind_display().lower()}: {item.element.title}")
    if item.measured_by:
        lines.append(f"- Measured by: {item.measured_by}")
    lines.append(f"- Measured: {item.get_frequency_display().lower()}")
    if item.data_source:
        lines.append(f"- Data: {' '.join(item.data_source.split())}")
    if done.kpis:
        lines += ["", "| Measure | Baseline | Target | Latest | Progress | Status |",
                  "|---|---|---|---|---|---|"]
        for k in done.kpis:
            kpi, latest = k.kpi, k.assessment.latest
            unit = f" {kpi.unit}" if kpi.unit else ""
            lines.append(
                f"| {kpi.name} | {_n(kpi.baseline_value)}{unit} | {_n(kpi.target_value)}{unit} by "
                f"{kpi.target_date:%d %b %Y} | "
                f"{f'{_n(latest.value)}{unit} on {latest.date:%d %b %Y}' if latest else '—'} | "
                f"{'—' if k.progress is None else f'{k.progress} %'} | {k.status.label} |"
            )
    lines += ["", "Do you see this value in your organization? Confirm it, or tell us where it falls short."]
    return "\n".join(lines)


def _n(value: object) -> str:
    from cairn.adoption.measurements import number

    return number(value)  # type: ignore[arg-type]


@transaction.atomic
def send_statement(
    item: ValueItem, *, contact: Contact | None, by: User, days: int | None = None,
    message: str = "", send_email: bool = False,
) -> sharing.NewLink:
    engagement = item.engagement
    ensure_open(engagement)
    item = queries.items().select_for_update(of=("self",)).get(pk=item.pk)
    body = statement_text(item)
    title = f"Value statement: {item.statement}"[:200]
    details = Details(title=title, doc_type=DocumentType.REPORT)
    document = item.statement_document
    if document is None:
        document = create_written(
            engagement, details, body, by=by, comment="Written to send for confirmation"
        )
        ValueItem.objects.filter(pk=item.pk).update(statement_document=document)
    elif document.current_version is None or document.current_version.body != body:
        current = document.current_version.number if document.current_version else 0
        document.current_version = update_written(
            document, details, body, base_version=current, by=by, comment="Figures brought up to date"
        )
    version = document.current_version
    if version is None:  # pragma: no cover - a written document always has one
        raise ValidationError("The statement could not be written.")
    sharing.revoke_open_links(document.pk, by=by, purpose=PURPOSE)
    return sharing.create_link(
        engagement, version, purpose=PURPOSE, contact=contact, by=by, days=days, message=message,
        send_email=send_email,
    )


def on_response(link: SharedLink) -> None:
    """The answer lands on the item: confirmed or disputed, by whom, when, the comment."""
    if link.version is None:
        return
    item = ValueItem.objects.select_for_update(of=("self",)).filter(
        statement_document_id=link.version.document_id
    ).first()
    if item is None:
        return
    contact = link.contact
    confirmed = link.response == Response.ACCEPTED
    name = link.typed_name if confirmed and link.typed_name else link.recipient_name
    title = f", {contact.title}" if contact is not None and contact.title else ""
    item.perception = Perception.CONFIRMED if confirmed else Perception.DISPUTED
    item.perceived_by = f"{name}{title}"[:200]
    item.perceived_contact = contact
    item.perceived_at = link.used_at or timezone.now()
    item.perception_comment = link.comment
    item._history_user = link.created_by  # type: ignore[attr-defined]
    item.save(update_fields=[
        "perception", "perceived_by", "perceived_contact", "perceived_at", "perception_comment", "updated_at",
    ])


def links_of(item: ValueItem) -> list[SharedLink]:
    if item.statement_document_id is None:
        return []
    return list(
        SharedLink.objects.filter(version__document_id=item.statement_document_id, purpose=PURPOSE)
        .select_related("created_by", "version").order_by("-created_at", "-pk")
    )
