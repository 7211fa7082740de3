"""Logging for the server console (settings.LOGGING)."""

from __future__ import annotations

import logging


class RefusalsInOneLine(logging.Filter):
    """A refused request (4xx) is logged in one line, without the traceback of the exception
    that refused it: a 403 or 404 is the application working, not failing. Server errors (5xx)
    keep their traceback, which is what someone needs to fix them."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
