from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "cairn.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        from cairn.health.alerts import alerts_raised
        from cairn.jobs.registry import JobSpec, register
        from cairn.jobs.schedules import Every
        from cairn.webhooks import receivers, sender

        alerts_raised.connect(receivers.alerts_raised, dispatch_uid="webhooks_health_alerts")

        register(JobSpec(
            name="webhook_deliveries",
            label="Webhook deliveries",
            description="Sends the webhook deliveries that are due: a new one whose queued task "
            "did not run, and the retries of those a receiver did not accept (after 1 min, 5 min, "
            "30 min, 2 h and 12 h; the sixth failure gives up).",
            run=sender.scheduled,
            schedule=Every(1),
        ))
