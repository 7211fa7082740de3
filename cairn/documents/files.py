"""Uploaded files: size limit, display names, the content type we serve, searchable text."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

MAX_NAME_LENGTH = 150
# Types a browser shows or hands to an application without running script in our origin.
# Anything else (HTML, SVG, XML, JavaScript, unknown) is served as opaque bytes.
SAFE_CONTENT_TYPES = {
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "text/markdown",
}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".csv"}
MAX_TEXT_BYTES = 2 * 1024 * 1024
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]+')


def safe_filename(name: str) -> str:
    """A file name fit for display and for Content-Disposition.

    Only the last path component survives (browsers may send "C:\\x\\y.pdf" or "../../z"),
    control and reserved characters go, leading dots go (no hidden files), and a long name
    is cut while its extension is kept.
    """
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE_CHARS.sub("_", name)
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    if not name or set(name) <= {"_", "."}:
        return "file"
    if len(name) <= MAX_NAME_LENGTH:
        return name
    suffix = PurePath(name).suffix
    if len(suffix) > 16:
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix


def safe_content_type(filename: str) -> str:
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    if PurePath(filename).suffix.lower() in {".md", ".markdown"}:
        guessed = "text/markdown"
    return guessed if guessed in SAFE_CONTENT_TYPES else "application/octet-stream"


def check_size(upload: UploadedFile) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}.",
            code="too_large",
        )
    if not upload.size:
        raise ValidationError("The file is empty.", code="empty")


def extract_text(upload: UploadedFile, filename: str) -> str:
    """The text of a plain-text upload, so search finds what is inside; '' for other files."""
    if PurePath(filename).suffix.lower() not in TEXT_SUFFIXES:
        return ""
    if upload.size is None or upload.size > MAX_TEXT_BYTES:
        return ""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
    # PostgreSQL text cannot hold NUL characters.
    return text.replace("\x00", "")
