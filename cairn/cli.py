"""The `cairn` command: every operator task is a Django management command behind it.

`cairn demo`, `cairn serve`, `cairn import`, `cairn migrate`, `cairn createsuperuser` ...
`cairn help` lists them all.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "cairn"
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        print(f"cairn: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
