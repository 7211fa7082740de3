from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "cairn.onboarding"
    label = "onboarding"

    def ready(self) -> None:
        from cairn.engagements.tools import PhaseTool, register
        from cairn.onboarding import signoff

        register(
            PhaseTool(
                "onboarding", "Welcome pack", "onboarding_welcome_pack",
                "What the customer bought, how to get access, who helps: sent and reviewed.", 10,
            ),
            PhaseTool(
                "onboarding", "Onboarding plan", "onboarding_plan",
                "Phases, milestones and activities on a Gantt chart, reports and the sign-off.", 20,
            ),
            PhaseTool("onboarding", "Time", "onboarding_time", "Hours booked on this engagement.", 30),
        )
        signoff.register()
