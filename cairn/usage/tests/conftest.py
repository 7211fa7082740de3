"""Every usage test gets its own empty analytics directory and a few accounts with external ids."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def analytics_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return settings.ANALYTICS_DIR


@pytest.fixture
def accounts(acme):  # type: ignore[no-untyped-def]
    """Acme (acme-1, owned by Carol) and Globex (globex-1, nobody's)."""
    from cairn.customers.models import Account

    acme.external_id = "acme-1"
    acme.save()
    globex = Account.objects.create(name="Globex", external_id="globex-1")
    return {"acme": acme, "globex": globex}
