from django.apps import AppConfig


class CommitmentConfig(AppConfig):
    name = "cairn.commitment"
    label = "commitment"

    def ready(self) -> None:
        from cairn import pages
        from cairn.commitment.queries import my_work_contacts
        from cairn.engagements.tools import PhaseTool, register

        pages.provide("my_work", my_work_contacts)

        register(
            PhaseTool(
                "commitment", "Stakeholders", "commitment_stakeholders",
                "Stakeholder management matrix and plan: power, interest, attitude, contacts.",
                position=10,
            ),
            PhaseTool(
                "commitment", "RACI", "commitment_raci",
                "Who is responsible, accountable, consulted and informed for each activity.",
                position=20,
            ),
            PhaseTool(
                "commitment", "First meeting", "commitment_meeting",
                "Plan the first meeting, keep its minutes and turn next steps into tasks.",
                position=30,
            ),
        )
