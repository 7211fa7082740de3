"""Where the events come from, besides the automation rules (which call `emit` and `deliver`
themselves): the health alerts, heard once they are committed (cairn.health.alerts)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from cairn.health.models import AlertKind, HealthAlert
from cairn.webhooks import actions, events

logger = logging.getLogger(__name__)


def alert_data(alert: HealthAlert) -> dict[str, Any]:
    """A health alert as the health.alert event's data."""
    return {
        "account": events.account_data(alert.account), "kind": alert.kind,
        "label": AlertKind(alert.kind).label if alert.kind in AlertKind.values else alert.kind,
        "score": alert.score, "scored_on": alert.scored_on,
    }


def alerts_raised(sender: Any, ids: Sequence[int], **kwargs: Any) -> None:
    """Each alert raised today goes to the endpoints subscribed to health.alert. An alert of
    an earlier scoring date is history being filled in (a backfill), not news."""
    today = timezone.localdate()
    found = HealthAlert.objects.filter(pk__in=list(ids), raised_on=today).select_related("account__owner")
    for alert in found.order_by("pk"):
        try:
            actions.emit("health.alert", alert_data(alert))
        except Exception:
            # The alert is committed and its owner told; an integration's mistake must not
            # undo or hide that. The log says what did not fit.
            logger.exception("Health alert %s could not be handed to the webhooks.", alert.pk)
