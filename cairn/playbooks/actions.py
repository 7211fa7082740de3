"""Domain actions on playbooks. Each owns its transaction."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

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
logger = logging.getLogger(__name__)
PUBLISHED_MESSAGE = (
    "Version {number} of {playbook} is published and cannot be changed. "
    "Start a new draft to make changes."
)


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
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the new playbook a name."})
    # Names differing only in case would be confusing in every list, so treat them as taken.
    if Playbook.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": f"A playbook named “{name}” already exists. Choose another name."}
        )
    playbook = Playbook(name=name, description=source.playbook.description, copied_from=source)
    playbook.full_clean()
    playbook.save()
    draft = PlaybookVersion.objects.create(
        playbook=playbook, number=1, status=VersionStatus.DRAFT, source=f"copy of {source}"
    )
    _copy_content(source, draft)
    logger.info("%s copied from %s (by %s)", playbook, source, user)
    return playbook


@transaction.atomic
def publish(draft: PlaybookVersion, user: User, notes: str = "") -> PlaybookVersion:
    """Freeze the draft as the playbook's newest version; new engagements follow it from now."""
    draft = PlaybookVersion.objects.select_related("playbook").select_for_update().get(pk=draft.pk)
    if not draft.is_draft:
        raise ValidationError(
            PUBLISHED_MESSAGE.format(number=draft.number, playbook=draft.playbook)
        )
    if not draft.phases.exists():
        raise ValidationError("A playbook needs at least one phase before it can be published.")
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = user
    draft.notes = notes.strip()
    draft.save()
    logger.info("%s published (by %s)", draft, user)
    return draft

# --- Tailoring a draft -------------------------------------------------------------------
#
# Engagements point at the Phase, Activity and Output rows of the version they follow, so a
# published version's rows must never change. Every edit below goes through `_lock_draft`,
# which locks the version row (serialising edits with `publish`) and refuses anything but a
# draft.

def _lock_draft(version_id: int) -> PlaybookVersion:
    version = PlaybookVersion.objects.select_related("playbook").select_for_update().get(
        pk=version_id
    )
    if not version.is_draft:
        raise ValidationError(
            PUBLISHED_MESSAGE.format(number=version.number, playbook=version.playbook)
        )
    return version


def _clean_name(value: str, what: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationError({"name": f"Give the {what} a name."})
    return name


def _renumber(items: list[Any]) -> None:
    """Positions 1..n in the given order, so that moves and gaps never accumulate."""
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        type(items[0]).objects.bulk_update(changed, ["position"])


def _move(item: Any, siblings: list[Any], direction: str) -> None:
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a row up or down."})
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)


def _unique_key(version: PlaybookVersion, name: str) -> str:
    base = slugify(name)[:50].strip("-") or "phase"
    taken = set(version.phases.values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _log(by: User, what: str, version: PlaybookVersion) -> None:
    # Draft edits are not history worth a table (the draft is rewritten until published, and
    # publishing records who and when); the log keeps the trail for operators.
    logger.info("%s: %s (by %s)", version, what, by)


@transaction.atomic
def add_phase(
    version: PlaybookVersion, name: str, *, by: User, stage: str = Stage.INITIAL,
    purpose: str = "",
) -> Phase:
    version = _lock_draft(version.pk)
    name = _clean_name(name, "phase")
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose one of the three stages."})
    last = version.phases.aggregate(n=Max("position"))["n"] or 0
    phase = Phase(
        version=version, position=last + 1, key=_unique_key(version, name), name=name,
        stage=stage, purpose=purpose.strip(),
    )
    phase.full_clean()
    phase.save()
    _log(by, f"added phase {name!r}", version)
    return phase


@transaction.atomic
def update_phase(
    phase: Phase,
    *,
    by: User,
    name: str | None = None,
    purpose: str | None = None,
    stage: str | None = None,
    periodic: bool | None = None,
) -> Phase:
    """Change what is given, leave the rest. The key stays: it names the phase across versions."""
    version = _lock_draft(phase.version_id)
    phase = Phase.objects.get(pk=phase.pk)
    if name is not None:
        phase.name = _clean_name(name, "phase")
    if purpose is not None:
        phase.purpose = purpose.strip()
    if stage is not None:
        if stage not in Stage.values:
            raise ValidationError({"stage": "Choose one of the three stages."})
        phase.stage = stage
    if periodic is not None:
        phase.periodic = periodic
    phase.full_clean()
    phase.save()
    _log(by, f"changed phase {phase.name!r}", version)
    return phase


@transaction.atomic
def remove_phase(phase: Phase, *, by: User) -> None:
    """Remove a phase with its activities and outputs; the rest close the gap."""
    version = _lock_draft(phase.version_id)
    if version.phases.count() == 1:
        raise ValidationError("A playbook keeps at least one phase.")
    Phase.objects.filter(pk=phase.pk).delete()
    _renumber(list(version.phases.order_by("position")))
    _log(by, f"removed phase {phase.name!r}", version)


@transaction.atomic
def move_phase_position(phase: Phase, direction: str, *, by: User) -> None:
    version = _lock_draft(phase.version_id)
    _move(phase, list(version.phases.order_by("position")), direction)
    _log(by, f"moved phase {phase.name!r} {direction}", version)


@transaction.atomic
def add_activity(phase: Phase, name: str, *, by: User) -> Activity:
    version = _lock_draft(phase.version_id)
    last = phase.activities.aggregate(n=Max("position"))["n"] or 0
    activity = Activity(phase=phase, position=last + 1, name=_clean_name(name, "activity"))
    activity.full_clean()
    activity.save()
    _log(by, f"added activity {activity.name!r} to {phase.name!r}", version)
    return activity


@transaction.atomic
def rename_activity(activity: Activity, name: str, *, by: User) -> Activity:
    version = _lock_draft(activity.phase.version_id)
    activity = Activity.objects.get(pk=activity.pk)
    activity.name = _clean_name(name, "activity")
    activity.full_clean()
    activity.save(update_fields=["name"])
    _log(by, f"renamed activity to {activity.name!r}", version)
    return activity


@transaction.atomic
def remove_activity(activity: Activity, *, by: User) -> None:
    version = _lock_draft(activity.phase.version_id)
    Activity.objects.filter(pk=activity.pk).delete()
    _renumber(list(Activity.objects.filter(phase_id=activity.phase_id).order_by("position")))
    _log(by, f"removed activity {activity.name!r}", version)


@transaction.atomic
def move_activity_position(activity: Activity, direction: str, *, by: User) -> None:
    version = _lock_draft(activity.phase.version_id)
    siblings = list(Activity.objects.filter(phase_id=activity.phase_id).order_by("position"))
    _move(activity, siblings, direction)
    _log(by, f"moved activity {activity.name!r} {direction}", version)


@transaction.atomic
def add_output(phase: Phase, name: str, *, by: User, required: bool = False) -> Output:
    version = _lock_draft(phase.version_id)
    last = phase.outputs.aggregate(n=Max("position"))["n"] or 0
    output = Output(
        phase=phase, position=last + 1, name=_clean_name(name, "output"), required=required
    )
    output.full_clean()
    output.save()
    _log(by, f"added output {output.name!r} to {phase.name!r}", version)
    return output


@transaction.atomic
def update_output(
    output: Output, *, by: User, name: str | None = None, required: bool | None = None
) -> Output:
    """Rename an output or mark it (not) required: a required output gates leaving its phase."""
    version = _lock_draft(output.phase.version_id)
    output = Output.objects.get(pk=output.pk)
    if name is not None:
        output.name = _clean_name(name, "output")
    if required is not None:
        output.required = required
    output.full_clean()
    output.save(update_fields=["name", "required"])
    _log(by, f"changed output {output.name!r}", version)
    return output


@transaction.atomic
def remove_output(output: Output, *, by: User) -> None:
    version = _lock_draft(output.phase.version_id)
    Output.objects.filter(pk=output.pk).delete()
    _renumber(list(Output.objects.filter(phase_id=output.phase_id).order_by("position")))
    _log(by, f"removed output {output.name!r}", version)


@transaction.atomic
def move_output_position(output: Output, direction: str, *, by: User) -> None:
    version = _lock_draft(output.phase.version_id)
    siblings = list(Output.objects.filter(phase_id=output.phase_id).order_by("position"))
    _move(output, siblings, direction)
    _log(by, f"moved output {output.name!r} {direction}", version)


@transaction.atomic
def discard_draft(draft: PlaybookVersion, *, by: User) -> None:
    """Throw a draft away. A playbook that has nothing else (a fresh copy) goes with it."""
    draft = _lock_draft(draft.pk)
    playbook = draft.playbook
    draft.delete()
    if not playbook.versions.exists():
        playbook.delete()
    logger.info("%s: draft v%s discarded (by %s)", playbook, draft.number, by)


@transaction.atomic
def set_default_playbook(playbook: Playbook, *, by: User) -> Playbook:
    """New engagements follow this playbook's latest published version from now on."""
    if latest_published(playbook) is None:
        raise ValidationError(
            f"{playbook} has no published version yet. Publish its draft before making it the "
            "default."
        )
    # Clear the old default first: at most one playbook may be the default at any time.
    Playbook.objects.filter(is_default=True).exclude(pk=playbook.pk).update(is_default=False)
    Playbook.objects.filter(pk=playbook.pk).update(is_default=True)
    playbook.is_default = True
    logger.info("%s is now the default playbook (by %s)", playbook, by)
    return playbook
