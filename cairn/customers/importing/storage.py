"""Keeping an uploaded file between the upload and the confirmed import.

Files live under DATA_DIR/imports/<user id>/ with a random name, so one user can never
reach another's upload, and the name the browser sent is never used as a path. A file
is removed after its import, on discard, and after a day if it is abandoned.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from cairn.customers.importing.readers import SUFFIXES, UnreadableFile, open_table
from cairn.people.models import User

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def root() -> Path:
    return Path(settings.DATA_DIR) / "imports"


@dataclass
class StoredImport:
    token: str
    user_id: int
    kind: str
    original_name: str
    suffix: str

    @property
    def folder(self) -> Path:
        return root() / str(self.user_id)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.token}{self.suffix}"

    @property
    def meta_path(self) -> Path:
        return self.folder / f"{self.token}.json"


def store(uploaded: UploadedFile, *, user: User, kind: str) -> StoredImport:
    """Save the upload under a random name; raise UnreadableFile if it is not a table."""
    purge_stale()
    suffix = Path(uploaded.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableFile(f"Cairn imports {', '.join(SUFFIXES)} files.")
    stored = StoredImport(
        token=secrets.token_urlsafe(24),
        user_id=user.pk,
        kind=kind,
        original_name=Path(uploaded.name or "upload").name[:200],
        suffix=suffix,
    )
    stored.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with stored.path.open("xb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    try:
        # Read the header now, so an unreadable file is refused at the upload step.
        with open_table(stored.path):
            pass
    except UnreadableFile:
        stored.path.unlink(missing_ok=True)
        raise
    stored.meta_path.write_text(json.dumps(asdict(stored)))
    return stored


def load(token: str, user: User) -> StoredImport | None:
    """The user's own stored upload with this token, or None."""
    if not _TOKEN.fullmatch(token):
        return None
    meta_path = root() / str(user.pk) / f"{token}.json"
    try:
        stored = StoredImport(**json.loads(meta_path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if stored.token != token or stored.user_id != user.pk or not stored.path.exists():
        return None
    return stored


def discard(stored: StoredImport) -> None:
    stored.path.unlink(missing_ok=True)
    stored.meta_path.unlink(missing_ok=True)


def purge_stale(max_age: float = MAX_AGE_SECONDS) -> None:
    """Remove uploads nobody came back to (the user closed the tab before confirming)."""
    folder = root()
    if not folder.exists():
        return
    limit = time.time() - max_age
    for path in folder.glob("*/*"):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue
