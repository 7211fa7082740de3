"""The queued task that sends new deliveries as soon as their transaction has committed,
in `cairn worker`. Retries are the scheduled job's (cairn.webhooks.sender.scheduled)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_deliveries(ids: list[int]) -> dict[str, int]:
    from cairn.webhooks import sender

    return sender.send_due(only=ids)
