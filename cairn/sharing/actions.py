"""Making, answering and revoking customer links. Each action owns its transaction and
writes the engagement's timeline."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Contact
from cairn.documents.models import DocumentVersion
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.sharing import purposes
from cairn.sharing.models import LinkState, Response, SharedLink
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind

logger = logging.getLogger(__name__)

MAX_DAYS = 90
TYPED_NAME_MAX = 200
COMMENT_MAX = 4000


def default_days() -> int:
    return int(getattr(settings, "SHARED_LINK_DAYS", 14))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_link(token: str) -> SharedLink | None:
    """The link a token opens, or None for a token we never issued.

    The lookup goes by the token's SHA-256, never by the token: how long the index takes to
    answer depends on how close the guess's hash comes to a stored hash, which says nothing
    about how close the guess came to a token. (Comparing the found row's hash with the
    digest it was found by again would compare a hash with itself.)
    """
    if not token or len(token) > 100:
        return None
    return (
        SharedLink.objects.select_related(
            "engagement__account", "version__document", "created_by", "contact"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def content_hash(version: DocumentVersion) -> str:
    digest = hashlib.sha256()
    if version.file:
        with version.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
    else:
        digest.update(version.body.encode())
    return digest.hexdigest()


def public_path(token: str) -> str:
    return reverse("shared_link", args=[token])


def public_url(token: str) -> str:
    return f"{settings.SITE_URL}{public_path(token)}"


@dataclass
class NewLink:
    """A link just made, with its token: the only moment the token is known."""

    link: SharedLink
    token: str

    @property
    def url(self) -> str:
        return public_url(self.token)


def _check_open_engagement(engagement: Engagement) -> None:
    if engagement.is_closed:
        raise ValidationError("The engagement is closed. Reopen it to send documents.")


@transaction.atomic
def create_link(
    engagement: Engagement,
    version: DocumentVersion,
    *,
    purpose: str,
    contact: Contact | None,
    by: User,
    days: int | None = None,
    message: str = "",
    send_email: bool = False,
) -> NewLink:
    """Make a link for `contact` to read and answer on this exact version."""
    _check_open_engagement(engagement)
    kind = purposes.get(purpose)
    if kind is None:
        raise ValidationError({"purpose": f"Unknown purpose {purpose!r}."})
    if version.document.engagement_id != engagement.pk:
        raise ValidationError({"version": "That document belongs to another engagement."})
    refusal = kind.refusal(version)
    if refusal:
        raise ValidationError({"purpose": f"{kind.label}: {refusal}"})
    if contact is None:
        raise ValidationError({"contact": "Choose the customer contact who should answer."})
    if contact.account_id != engagement.account_id:
        raise ValidationError({"contact": f"{contact} is not a contact of {engagement.account}."})
    days = default_days() if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A link lasts between 1 and {MAX_DAYS} days."})
    if send_email and not contact.email:
        raise ValidationError({"send_email": f"{contact} has no e-mail address in Cairn."})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = SharedLink(
        engagement=engagement, version=version, document_title=version.document.title,
        version_number=version.number, content_sha256=content_hash(version), purpose=purpose,
        contact=contact, recipient_name=contact.full_name, recipient_email=contact.email,
        message=message.strip(), token_hash=hash_token(token), created_by=by, created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    link.full_clean()
    link.save()
    record(
        engagement.account, EntryKind.DOCUMENT,
        f"Sent to {link.recipient_name} for {kind.label.lower()}: {link.document_title} "
        f"(version {link.version_number})",
        engagement=engagement, author=by, body=f"The link expires on {link.expires_at:%d %b %Y}.",
        link=version.get_absolute_url(),
    )
    new = NewLink(link, token)
    if send_email:
        transaction.on_commit(lambda: _email(new, kind))
    return new


def _email(new: NewLink, kind: purposes.Purpose) -> None:
    link = new.link
    sender = link.created_by.get_full_name() if link.created_by else "Your customer success team"
    lines = [
        f"Hello {link.recipient_name},",
        "",
        f"{sender} sends you the {kind.document_label} “{link.document_title}” "
        f"(version {link.version_number}) for {link.engagement.account}.",
    ]
    if link.message:
        lines += ["", link.message]
    lines += [
        "",
        "Read it and give your answer here (no account needed):",
        new.url,
        "",
        f"The link works once and expires on {link.expires_at:%d %B %Y}.",
    ]
    try:
        send_mail(
            f"{kind.document_label.capitalize()} for your review: {link.document_title}",
            "\n".join(lines), None, [link.recipient_email],
        )
    except OSError:
        # The link exists and its URL was shown to the CSM; a mail server being down must
        # not turn that into an error page.
        logger.exception("Could not e-mail shared link %s", link.pk)


class LinkClosed(Exception):
    """The link cannot take an answer any more; `state` says why (expired, used...)."""

    def __init__(self, link: SharedLink, state: str) -> None:
        self.link = link
        self.state = state
        super().__init__(f"This link is {state}.")


def _check_answerable(link: SharedLink) -> None:
    """Refuse an answer on a version whose content is no longer what was sent (its hash
    differs from the one taken when the link was made), or that its purpose no longer takes
    (a link made before the purpose's rule, or for a document that has since changed role):
    the answer would record something the customer did not read, or change what it must not.
    """
    version = link.version
    assert version is not None  # an open link has its version
    sender = link.created_by.get_full_name() if link.created_by else "your contact"
    try:
        sent = content_hash(version) == link.content_sha256
    except OSError:  # the uploaded file is gone from the data directory
        sent = False
    if not sent:
        logger.warning("Shared link %s: the version's content changed since it was sent", link.pk)
        raise ValidationError(
            f"“{link.document_title}” changed since this link was sent, so it cannot take an "
            f"answer. Ask {sender} for a new link."
        )
    kind = purposes.get(link.purpose)
    refusal = kind.refusal(version) if kind is not None else "its purpose is unknown."
    if refusal:
        logger.warning("Shared link %s refused an answer: %s", link.pk, refusal)
        raise ValidationError(f"This link cannot take an answer. Ask {sender} for a new link.")


@transaction.atomic
def respond(
    link: SharedLink,
    *,
    accept: bool,
    typed_name: str = "",
    comment: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> SharedLink:
    """Record the customer's answer, once.

    The answer is written by one conditional UPDATE (still unused, not revoked, not
    expired): when two submits race, the database lets exactly one of them through.
    """
    typed_name = " ".join(typed_name.split())
    comment = comment.strip()
    if accept and not typed_name:
        raise ValidationError({"typed_name": "Type your full name to accept."})
    if not accept and not comment:
        raise ValidationError({"comment": "Say why you decline, so we can rework it."})
    if len(typed_name) > TYPED_NAME_MAX:
        raise ValidationError({"typed_name": f"At most {TYPED_NAME_MAX} characters."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"At most {COMMENT_MAX} characters."})
    now = timezone.now()
    state = link.state(now)
    if state != LinkState.OPEN:
        raise LinkClosed(link, state)
    _check_answerable(link)
    response = Response.ACCEPTED if accept else Response.DECLINED
    won = SharedLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
        version__isnull=False,
    ).update(
        used_at=now, response=response, typed_name=typed_name if accept else "", comment=comment,
        ip_address=ip_address, user_agent=user_agent[:400],
    )
    if not won:
        link.refresh_from_db()
        raise LinkClosed(link, link.state(now))
    link.refresh_from_db()
    kind = purposes.get(link.purpose)
    what = f"{kind.document_label if kind else 'document'}: {link.document_title}"
    if accept:
        word = kind.accepted_word if kind else "accepted"
        title = f"{link.typed_name} {word} the {what} (version {link.version_number})"
    else:
        word = kind.declined_word if kind else "declined"
        title = f"{link.recipient_name} {word} the {what} (version {link.version_number})"
    record(
        link.engagement.account, EntryKind.CUSTOMER_RESPONSE, title, engagement=link.engagement,
        body=comment, link=link.version.get_absolute_url() if link.version else "",
        occurred_at=now,
    )
    if kind is not None and kind.on_response is not None:
        kind.on_response(link)
    return link


@transaction.atomic
def revoke(link: SharedLink, *, by: User) -> SharedLink:
    """Close a link before it is answered: the customer then sees that it was withdrawn."""
    now = timezone.now()
    done = SharedLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now, revoked_by=by)
    link.refresh_from_db()
    if not done:
        state = LinkState(link.state(now)).label.lower()
        raise ValidationError(f"This link cannot be revoked: it is already {state}.")
    record(
        link.engagement.account, EntryKind.DOCUMENT,
        f"Link to {link.recipient_name} revoked: {link.document_title} (version {link.version_number})",
        engagement=link.engagement, author=by,
        link=link.version.get_absolute_url() if link.version else "",
    )
    return link


@transaction.atomic
def revoke_open_links(document_id: int, *, by: User, purpose: str) -> int:
    """Revoke every open link of a document for a purpose (a newer version replaces them)."""
    now = timezone.now()
    return SharedLink.objects.filter(
        version__document_id=document_id, purpose=purpose, used_at__isnull=True,
        revoked_at__isnull=True, expires_at__gt=now,
    ).update(revoked_at=now, revoked_by=by)


@transaction.atomic
def withdraw_superseded(version: DocumentVersion, *, purpose: str, by: User) -> list[SharedLink]:
    """Revoke the open links (unanswered, unexpired) to older versions of `version`'s
    document for `purpose`, now that `version` replaces them, so nobody answers a text that
    changed; each withdrawal gets a line on the timeline. Returns the links withdrawn.

    The rows are locked first: an answer arriving at the same moment either lands before
    (and its link is left alone) or finds the link revoked.
    """
    now = timezone.now()
    links = list(
        SharedLink.objects.select_for_update(of=("self",))
        .filter(
            version__document_id=version.document_id, purpose=purpose, used_at__isnull=True,
            revoked_at__isnull=True, expires_at__gt=now,
        )
        .exclude(version=version)
        .select_related("version", "created_by", "engagement__account")
        .order_by("created_at", "pk")
    )
    if not links:
        return []
    SharedLink.objects.filter(pk__in=[link.pk for link in links]).update(
        revoked_at=now, revoked_by=by
    )
    for link in links:
        link.revoked_at, link.revoked_by = now, by
        record(
            link.engagement.account, EntryKind.DOCUMENT,
            f"Link to {link.recipient_name} withdrawn: {link.document_title} "
            f"(version {link.version_number})",
            engagement=link.engagement, author=by,
            body=f"Version {version.number} replaces it; send that version for a new answer.",
            link=version.get_absolute_url(),
        )
    return links
