"""A pytest plugin loaded before Django's settings (`-p cairn.testenv` in pyproject.toml).

Tests must never read or write a real data directory, so one is made per test run before
settings.py looks for it.
"""

import os
import tempfile

os.environ.setdefault("CAIRN_DATA_DIR", tempfile.mkdtemp(prefix="cairn-test-"))
