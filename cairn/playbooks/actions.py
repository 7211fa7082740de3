"""Domain actions on playbooks. Each owns its transaction."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cairn.people.models import User
from cairn.playbooks.models import (
    Activity,
    Output,
    Phase,
    Playbook,
    PlaybookVersion,
    Stage,
    VersionStatus,
)

DEFAULT_PLAYBOOK_FILE = Path(__file__).parent / "data" / "default-playbook.toml"


def read_definition(path: Path = DEFAULT_PLAYBOOK_FILE) -> dict[str, Any]:
    with path.open("rb") as fh:
        definition = tomllib.load(fh)
    _check_definition(definition, path.name)
    return definition


def _check_definition(definition: dict[str, Any], source: str) -> None:
    phases = definition.get("phases") or []
    if not definition.get("name") or not phases:
        raise ValidationError(f"{source}: a playbook needs a name and at least one phase.")
    keys = [p.get("key") for p in phases]
    if len(set(keys)) != len(keys) or not all(keys):
        raise ValidationError(f"{source}: every phase needs a unique key.")
    for phase in phases:
        if phase.get("stage") not in Stage.values:
            raise ValidationError(f"{source}: phase {phase['key']!r} has an unknown stage.")


@transaction.atomic
def install_definition(definition: dict[str, Any], *, source: str = "") -> PlaybookVersion:
    """Create (or add a version to) the playbook a definition file describes.

    Installing the same file version twice does nothing the second time.
    """
    playbook, created = Playbook.objects.get_or_create(
        name=definition["name"], defaults={"description": definition.get("description", "").strip()}
    )
    if created and not Playbook.objects.filter(is_default=True).exists():
        playbook.is_default = True
        playbook.save(update_fields=["is_default"])
    tag = f"{source} v{definition.get('version', 1)}".strip()
    existing = playbook.versions.filter(source=tag).first()
    if existing:
        return existing
    version = PlaybookVersion.objects.create(
        playbook=playbook,
        number=_next_number(playbook),
        status=VersionStatus.PUBLISHED,
        source=tag,
        published_at=timezone.now(),
    )
    for position, phase_data in enumerate(definition["phases"], start=1):
        phase = Phase.objects.create(
            version=version,
            position=position,
            key=phase_data["key"],
            name=phase_data["name"],
            stage=phase_data["stage"],
            purpose=phase_data.get("purpose", ""),
            periodic=phase_data.get("periodic", False),
        )
        Activity.objects.bulk_create(
            Activity(phase=phase, position=i, name=name)
            for i, name in enumerate(phase_data.get("activities", []), start=1)
        )
        Output.objects.bulk_create(
            Output(
                phase=phase,
                position=i,
                name=out["name"],
                required=out.get("required", False),
                document_type=out.get("document_type", ""),
            )
            for i, out in enumerate(phase_data.get("outputs", []), start=1)
        )
    return version


def install_default_playbook() -> PlaybookVersion:
    return install_definition(read_definition(), source=DEFAULT_PLAYBOOK_FILE.name)


def _next_number(playbook: Playbook) -> int:
    return (playbook.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def latest_published(playbook: Playbook) -> PlaybookVersion | None:
    return playbook.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def default_version() -> PlaybookVersion:
    playbook = Playbook.objects.filter(is_default=True).first() or Playbook.objects.first()
    version = latest_published(playbook) if playbook else None
    if version is None:
        version = install_default_playbook()
    return version


def _copy_content(source: PlaybookVersion, target: PlaybookVersion) -> None:
    for phase in source.phases.prefetch_related("activities", "outputs"):
        new_phase = Phase.objects.create(
            version=target,
            position=phase.position,
            key=phase.key,
            name=phase.name,
            stage=phase.stage,
            purpose=phase.purpose,
            periodic=phase.periodic,
        )
        Activity.objects.bulk_create(
            Activity(phase=new_phase, position=a.position, name=a.name, description=a.description)
            for a in phase.activities.all()
        )
        Output.objects.bulk_create(
            Output(
                phase=new_phase,
                position=o.position,
                name=o.name,
                description=o.description,
                required=o.required,
                document_type=o.document_type,
            )
            for o in phase.outputs.all()
        )


@transaction.atomic
def start_draft(playbook: Playbook) -> PlaybookVersion:
    """The playbook's draft, made from its latest published version if there is none yet."""
    draft = playbook.versions.filter(status=VersionStatus.DRAFT).first()
    if draft:
        return draft
    source = latest_published(playbook)
    draft = PlaybookVersion.objects.create(
        playbook=playbook,
        number=_next_number(playbook),
        status=VersionStatus.DRAFT,
        source=f"copy of v{source.number}" if source else "",
    )
    if source:
        _copy_content(source, draft)
    return draft


@transaction.atomic
def copy_playbook(source: PlaybookVersion, name: str, user: User | None = None) -> Playbook:
    """A team's own playbook, starting as a draft copy of another's version."""
    playbook = Playbook(name=name, description=source.playbook.description, copied_from=source)
    playbook.full_clean()
    playbook.save()
    draft = PlaybookVersion.objects.create(
        playbook=playbook, number=1, status=VersionStatus.DRAFT, source=f"copy of {source}"
    )
    _copy_content(source, draft)
    return playbook


@transaction.atomic
def publish(draft: PlaybookVersion, user: User, notes: str = "") -> PlaybookVersion:
    draft = PlaybookVersion.objects.select_for_update().get(pk=draft.pk)
    if not draft.is_draft:
        raise ValidationError("This version is already published.")
    if not draft.phases.exists():
        raise ValidationError("A playbook needs at least one phase before it can be published.")
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = user
    draft.notes = notes
    draft.save()
    return draft
