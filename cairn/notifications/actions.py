"""What notifies people and what people do with their notifications.

Other apps call three functions: `notify` (an inbox item for each recipient, e-mailed at once,
kept for the daily digest or not e-mailed, as each recipient chose), `email_contact` (an
e-mail from a template to a customer's contact) and `send_digests` (the daily e-mail of each
person's work, run by the scheduled job "digests"). E-mails go after the transaction commits,
so a rolled-back change never sends one, and each notification is e-mailed once at most.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.fields import NOTE, TITLE
from cairn.notifications import defaults, digests, mail, queries
from cairn.notifications.kinds import NOTIFIED, Delivery, Kind, choices_for, kinds_for
from cairn.notifications.models import (
    Digest,
    EmailState,
    EmailTemplate,
    Notification,
    Preference,
    internal_path,
)
from cairn.notifications.rendering import Plain, plain_context, render_email
from cairn.people.models import User

logger = logging.getLogger(__name__)

TEMPLATE_REFUSAL = "Only CS leaders change the e-mail templates."
TEMPLATE_EDITABLE = frozenset({"subject", "html", "text"})
DIGEST_NOTES = 100  # notifications listed in one digest at most (the oldest are kept back)


# --- Templates ------------------------------------------------------------------------------


def ensure_templates() -> int:
    """Create the built-in templates that are missing; existing ones (and a leader's edits)
    stay as they are. Returns how many were created."""
    existing = set(EmailTemplate.objects.values_list("key", flat=True))
    created = 0
    for built_in in defaults.BUILT_IN.values():
        if built_in.key in existing:
            continue
        with transaction.atomic():
            EmailTemplate.objects.create(
                key=built_in.key, name=built_in.name, description=built_in.description,
                subject=built_in.subject, html=built_in.html, text=built_in.text,
            )
        created += 1
    return created


@transaction.atomic
def update_template(template: EmailTemplate, changes: Mapping[str, Any], *, by: User) -> EmailTemplate:
    """Change a template's subject, HTML or text. A template that does not compile, uses a
    tag or filter e-mails may not use, or loses its unsubscribe link is refused, naming the
    field and the line."""
    unknown = set(changes) - TEMPLATE_EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    if not changes:
        return template
    for name, value in changes.items():
        setattr(template, name, value)
    template.full_clean()
    template.updated_by = by
    template._history_user = by  # type: ignore[attr-defined]
    template.save()
    return template


def _stored(keys: Iterable[str]) -> dict[str, EmailTemplate]:
    return {t.key: t for t in EmailTemplate.objects.filter(key__in=set(keys))}


def _template_for(key: str, fallback: str) -> tuple[str, EmailTemplate | None]:
    """The stored template of `key`, else of `fallback`; None where neither is stored (the
    built-in text is used then). One query."""
    found = _stored([key, fallback])
    if key in found:
        return key, found[key]
    return fallback, found.get(fallback)


# --- Notifying people -----------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notify(
    recipients: Iterable[User], kind: str, *, title: str, body: str = "", link: str = "",
    account: Account | None = None, template: str = defaults.NOTIFICATION,
    context: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """One inbox item for each distinct active recipient, e-mailed as each chose for the
    kind: at once (after the transaction commits), in the next daily digest, or not at all.
    Recipients without an e-mail address get the inbox item only. Two queries whatever the
    number of recipients (their choices, the insert), and the e-mails after commit."""
    if kind not in NOTIFIED:
        raise ValueError(f"{kind!r} is not a kind of notification: choose one of {', '.join(NOTIFIED)}.")
    try:
        internal_path(link)
    except ValidationError as exc:
        raise ValidationError({"link": exc.messages}) from None
    people = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    if not people:
        return []
    chosen = queries.deliveries(people, [kind, Kind.DIGEST])
    now = timezone.now()
    rows = []
    for person in people:
        delivery = chosen[(person.pk, kind)]
        emailed = bool(person.email) and (
            delivery == Delivery.NOW
            or (delivery == Delivery.DIGEST and chosen[(person.pk, Kind.DIGEST)] != Delivery.OFF)
        )
        rows.append(Notification(
            recipient=person, kind=kind, title=_clip(title, TITLE), body=_clip(body, NOTE), link=link,
            account=account, created_at=now, delivery=delivery,
            email_state=EmailState.PENDING if emailed else EmailState.SKIPPED,
        ))
    Notification.objects.bulk_create(rows)
    now_rows = [n for n in rows if n.delivery == Delivery.NOW and n.email_state == EmailState.PENDING]
    if now_rows:
        values = {
            "title": title, "body": body, "account": account.name if account else "",
            **plain_context(context or {}),
        }
        values["link"] = mail.absolute(str(values.get("link") or link))
        to = [(n.pk, n.recipient) for n in now_rows]
        # Robust: an e-mail that cannot be made must not turn the committed request into an error.
        transaction.on_commit(partial(_send_now, to, kind, template, values), robust=True)
    return rows


def _send_now(to: Sequence[tuple[int, User]], kind: str, template: str, values: dict[str, Plain]) -> None:
    """E-mail notifications that were made with the `now` delivery: claimed first (pending to
    sent) so that no other run can e-mail them too."""
    claimed = Notification.objects.filter(pk__in=[pk for pk, _ in to], email_state=EmailState.PENDING).update(
        email_state=EmailState.SENT, emailed_at=timezone.now()
    )
    if not claimed:  # e-mailed already (this callback ran twice)
        return
    # A person's e-mail is written from a template that carries the unsubscribe link.
    for_people = template in defaults.TO_USERS and template != defaults.DIGEST
    wanted = template if for_people else defaults.NOTIFICATION
    key, stored = _template_for(wanted, defaults.NOTIFICATION)
    messages = []
    for _, person in to:
        personal = mail.person_values(person, kind)
        rendered = render_email(stored, key, {**values, **personal})
        messages.append(mail.to_person(person, kind, rendered, str(personal["unsubscribe_url"])))
    failed = [pk for (pk, _), went in zip(to, mail.send(messages), strict=True) if not went]
    if failed:
        Notification.objects.filter(pk__in=failed).update(email_state=EmailState.FAILED)


def email_contact(
    contact: Contact, *, template: str, context: Mapping[str, Any], subject_prefix: str = "",
) -> bool:
    """E-mail a customer's contact from a template, after the transaction commits; False (and
    nothing sent) when the contact has no e-mail address. The account's owner signs it and
    receives the answer. Templates written for people of Cairn (the digest, notifications)
    are not sent to customers: the customer message is used instead."""
    if not contact.email:
        return False
    account = contact.account
    owner = account.owner
    values: dict[str, Plain] = {
        "contact_name": " ".join(p for p in (contact.first_name, contact.last_name) if p),
        "account": account.name,
        "sender": str(owner) if owner else "",
        "sender_title": owner.title if owner else "",
        "sender_email": owner.email if owner else "",
        **plain_context(context),
    }
    key = template if template and template not in defaults.TO_USERS else defaults.CUSTOMER_MESSAGE
    transaction.on_commit(partial(
        _send_to_contact, contact.email, key, values, subject_prefix, owner.email if owner else "",
    ), robust=True)
    return True


def _send_to_contact(address: str, key: str, values: dict[str, Plain], prefix: str, reply_to: str) -> None:
    found, stored = _template_for(key, defaults.CUSTOMER_MESSAGE)
    rendered = render_email(stored, found, values)
    if prefix:
        rendered = type(rendered)(f"{prefix} {rendered.subject}".strip(), rendered.text, rendered.html)
    mail.send([mail.to_contact(address, rendered, reply_to)])


# --- The daily digest ----------------------------------------------------------------------


def send_digests(now: dt.datetime | None = None) -> dict[str, int]:
    """The daily digest of every active person with an e-mail address who has not switched it
    off and has something to report: their overdue tasks and those due today, open health
    alerts on their accounts, renewals within 30 days, business reviews within 14 days, and
    the notifications kept for the digest. At most one per person and local day: the digest
    rows are written first (a second run finds them), and each notification goes in one
    digest only. A fixed number of queries for everyone together."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = queries.digest_candidates(today)
    people = {u.pk: u for u in candidates}
    work = queries.work(candidates, today)
    waiting = queries.pending_for_digest(candidates)
    reporting = [pk for pk in people if pk in waiting or len(work.get(pk, queries.Work()))]
    if not reporting:
        return {"digests": 0, "notifications": 0}
    run = uuid.uuid4()
    with transaction.atomic():
        Digest.objects.bulk_create(
            [Digest(user_id=pk, day=today, run=run, created_at=now) for pk in reporting],
            ignore_conflicts=True,
        )
        mine = Digest.objects.filter(run=run)
        claimed = list(mine.values_list("user_id", flat=True))
        Notification.objects.filter(
            recipient__in=mine.values("user"), delivery=Delivery.DIGEST, email_state=EmailState.PENDING
        ).update(
            email_state=EmailState.SENT, emailed_at=now,
            digest=Subquery(mine.filter(user=OuterRef("recipient")).values("pk")[:1]),
        )
        notes = queries.digest_notifications(run)
        stored = EmailTemplate.objects.filter(key=defaults.DIGEST).first()
        messages = []
        for pk in claimed:
            person = people[pk]
            personal = mail.person_values(person, Kind.DIGEST)
            kept = notes.get(pk, [])[-DIGEST_NOTES:]
            values = {**digests.values(work.get(pk, queries.Work()), kept, today), **personal}
            rendered = render_email(stored, defaults.DIGEST, values)
            messages.append(mail.to_person(person, Kind.DIGEST, rendered, str(personal["unsubscribe_url"])))
        transaction.on_commit(partial(_send_digests, run, claimed, messages), robust=True)
    return {"digests": len(claimed), "notifications": sum(len(v) for v in notes.values())}


def _send_digests(run: uuid.UUID, users: list[int], messages: list[Any]) -> None:
    went = mail.send(messages)
    failed = [pk for pk, ok in zip(users, went, strict=True) if not ok]
    Digest.objects.filter(run=run).exclude(user__in=failed).update(email_state=EmailState.SENT)
    if failed:
        Digest.objects.filter(run=run, user__in=failed).update(email_state=EmailState.FAILED)
        Notification.objects.filter(digest__run=run, recipient__in=failed).update(
            email_state=EmailState.FAILED
        )


# --- The inbox and the choices ---------------------------------------------------------------


def mark_read(user: User, ids: Iterable[int]) -> int:
    """Mark the person's own notifications among `ids` read; how many were unread."""
    return Notification.objects.filter(recipient=user.pk, pk__in=list(ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_preferences(user: User, chosen: Mapping[str, str], *, any_kind: bool = False) -> None:
    """Set the person's delivery of each kind named. A kind they do not receive (unless
    `any_kind`: an unsubscribe link), or a delivery the kind does not offer, is refused
    naming the kind. Switching the digest off lets go of the notifications it kept, so none
    waits for a digest that will not come."""
    allowed = set(Kind.values if any_kind else kinds_for(user.is_admin))
    errors = {}
    for kind, delivery in chosen.items():
        if kind not in allowed:
            errors[kind] = "You do not receive these."
        elif delivery not in dict(choices_for(kind)):
            errors[kind] = f"Choose one of: {', '.join(str(label) for _, label in choices_for(kind))}."
    if errors:
        raise ValidationError(errors)
    if not chosen:
        return
    Preference.objects.bulk_create(
        [Preference(user=user, kind=kind, delivery=delivery) for kind, delivery in chosen.items()],
        update_conflicts=True, unique_fields=["user", "kind"], update_fields=["delivery", "updated_at"],
    )
    if chosen.get(Kind.DIGEST) == Delivery.OFF:
        Notification.objects.filter(
            recipient=user.pk, delivery=Delivery.DIGEST, email_state=EmailState.PENDING
        ).update(email_state=EmailState.SKIPPED)


def unsubscribe(user_pk: int, kind: str) -> User | None:
    """Switch one kind of e-mail off for the person an unsubscribe link names; None when
    the person is gone."""
    user = User.objects.filter(pk=user_pk).first()
    if user is None:
        return None
    set_preferences(user, {kind: Delivery.OFF}, any_kind=True)
    return user
