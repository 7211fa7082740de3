"""The `cairn` command: every operator task is a Django management command behind it.

`cairn demo`, `cairn serve`, `cairn import`, `cairn migrate`, `cairn createsuperuser` ...
`cairn help` lists them all.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.db.utils import OperationalError


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
    except OperationalError as exc:
        # Most often the database is down or the URL points to the wrong place: say so in
        # one line. With CAIRN_DEBUG on, the traceback is worth more than the sentence.
        from django.conf import settings

        if settings.DEBUG:
            raise
        where = settings.DATABASES["default"].get("NAME")
        print(f"cairn: database error ({where}): {exc}".strip(), file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
