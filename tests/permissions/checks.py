"""Where Cairn's permission checks are, found in the code rather than listed by hand.

A check is a call of one of the helpers of cairn.people.access, the only module (with the
rules in cairn.people.permissions) allowed to refuse a request. Every call of one outside
those two modules is a check site, named "path:line" after the line the call starts on.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import FrameType
from unittest import mock

from cairn.people import access, permissions

ROOT = Path(__file__).resolve().parents[2]
CAIRN = ROOT / "cairn"
# The rules and the helpers themselves: a refusal is attributed to the line that called them.
MACHINERY = frozenset({str(CAIRN / "people" / "access.py"), str(CAIRN / "people" / "permissions.py")})

# Helpers that refuse (editable_accounts answers a query and refuses nothing).
CHECKS = frozenset(
    name for name, value in vars(access).items()
    if inspect.isfunction(value) and value.__module__ == access.__name__
    and not name.startswith("_") and name != "editable_accounts"
)


@dataclasses.dataclass(frozen=True)
class Site:
    path: str  # relative to the repository
    line: int
    end: int
    helper: str

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line}"


def source_files() -> Iterator[Path]:
    for path in sorted(CAIRN.rglob("*.py")):
        parts = path.relative_to(CAIRN).parts
        if "tests" in parts or "migrations" in parts or str(path) in MACHINERY:
            continue
        yield path


@cache
def sites() -> tuple[Site, ...]:
    """Every call of an access helper in Cairn's code, `access.helper(...)`."""
    found = []
    for path in source_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "access"
                and node.func.attr in CHECKS
            ):
                found.append(Site(
                    str(path.relative_to(ROOT)), node.lineno, node.end_lineno or node.lineno,
                    node.func.attr,
                ))
    return tuple(sorted(found, key=lambda s: (s.path, s.line)))


def _caller(frame: FrameType | None) -> tuple[str, int] | None:
    """The file and line of the innermost caller outside the machinery."""
    while frame is not None and frame.f_code.co_filename in MACHINERY:
        frame = frame.f_back
    if frame is None:
        return None
    return str(Path(frame.f_code.co_filename).relative_to(ROOT)), frame.f_lineno


def site_of(frame: FrameType | None) -> Site | str:
    """The check site a refusal came from, or where it came from if that is no site."""
    caller = _caller(frame)
    if caller is None:
        return "nowhere"
    path, line = caller
    matches = [s for s in sites() if s.path == path and s.line <= line <= s.end]
    if not matches:
        return f"{path}:{line}"
    return min(matches, key=lambda s: s.end - s.line)  # the innermost call on that line


_require = permissions.require


@contextmanager
def recorded(refusals: Callable[[Site | str], None]) -> Iterator[None]:
    """Every refusal is reported to `refusals` with the site it came from, then raised."""

    def require(allowed: bool, *args: str) -> None:
        if not allowed:
            refusals(site_of(sys._getframe(1)))
        _require(allowed, *args)

    with mock.patch.object(permissions, "require", require):
        yield


@contextmanager
def removed(site: Site) -> Iterator[None]:
    """The check at `site` lets everyone through, as if its line were deleted; every other
    check stays."""

    def require(allowed: bool, *args: str) -> None:
        if site_of(sys._getframe(1)) == site:
            return
        _require(allowed, *args)

    with mock.patch.object(permissions, "require", require):
        yield
