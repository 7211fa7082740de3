from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "cairn.proposals"
    label = "proposals"

    def ready(self) -> None:
        from cairn.engagements.tools import PhaseTool, register
        from cairn.proposals.actions import PURPOSE, on_response, refusal
        from cairn.sharing.purposes import Purpose
        from cairn.sharing.purposes import register as register_purpose

        register(
            PhaseTool(
                "commitment", "Proposal", "proposal",
                "The customer engagement proposal: generate, edit, export as PDF, send for "
                "acceptance.",
                position=40,
            )
        )
        register_purpose(
            Purpose(
                key=PURPOSE, label="Proposal acceptance",
                document_label="customer engagement proposal", accept_label="Accept the proposal",
                refusal=refusal, on_response=on_response,
            )
        )
