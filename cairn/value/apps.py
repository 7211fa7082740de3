from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "cairn.value"
    label = "value"
    verbose_name = "Value"

    def ready(self) -> None:
        from cairn import pages
        from cairn.engagements.tools import EngagementPanel, PhaseTool, register, register_panel
        from cairn.value import perception, queries

        perception.register()
        pages.provide("my_work", queries.my_work)
        # The engagement page draws registered panels itself; provider keys it would not show.
        register_panel(EngagementPanel("value/_engagement_panel.html", queries.panel, position=60))
        register(
            PhaseTool("value-realization", "Value plan", "value_plan",
                      "Promised and expected value, what the KPIs say was achieved, the customer's "
                      "confirmation, and value along the strategy chain", 10),
            PhaseTool("value-realization", "Keeping value on track", "value_track",
                      "Changes and challenges with their response, and the value activities", 20),
        )
