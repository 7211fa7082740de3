from django.apps import AppConfig


class PreparationConfig(AppConfig):
    name = "cairn.preparation"
    label = "preparation"

    def ready(self) -> None:
        from cairn.engagements.tools import EngagementPanel, PhaseTool, register, register_panel
        from cairn.preparation.queries import strategy_graph

        register_panel(
            EngagementPanel(
                "preparation/_engagement_panel.html",
                lambda engagement: {"graph": strategy_graph(engagement)},
                position=10,
            )
        )

        register(
            PhaseTool(
                "preparation", "Dossier", "preparation_dossier",
                "What we know in five areas, its sources, the questions to ask and the handover.",
                position=10,
            ),
            PhaseTool(
                "preparation", "Organization", "preparation_organization",
                "Org chart, value chain and business capabilities.", position=20,
            ),
            PhaseTool(
                "preparation", "Strategy", "preparation_strategy",
                "PESTLE, internal drivers and the chain from our product to their vision.",
                position=30,
            ),
            PhaseTool(
                "preparation", "Strategy document", "preparation_document",
                "Generate the engagement strategy and roadmap into the repository.", position=40,
            ),
        )
