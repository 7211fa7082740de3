from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "cairn.adoption"
    label = "adoption"

    def ready(self) -> None:
        from cairn.adoption import approval
        from cairn.engagements.tools import PhaseTool, register

        approval.register()
        planning, implementation = "adoption-planning", "adoption-implementation"
        register(
            PhaseTool(planning, "Impact", "adoption_impact",
                      "Impacted processes and groups, KSA gaps and needs, considerations, barriers", 10),
            PhaseTool(planning, "Risks", "adoption_risks", "The risk register and its heat map", 20),
            PhaseTool(planning, "Adoption plan", "adoption_plan",
                      "Outline, the key stakeholder's approval, the detailed plan and the roadmap", 30),
            PhaseTool(planning, "Pilot", "adoption_pilot", "Proof of concept or proof of value", 40),
            PhaseTool(implementation, "Work packages", "adoption_work_packages",
                      "The plan broken into owned deliverables", 10),
            PhaseTool(implementation, "Readiness", "adoption_readiness",
                      "The readiness workshop's checklist", 20),
            PhaseTool(implementation, "Measurements", "adoption_measurements",
                      "KPIs: baseline, milestones, target and readings", 30),
            PhaseTool(implementation, "Challenges", "adoption_challenges", "The challenge log", 40),
            PhaseTool(implementation, "Governance report", "adoption_governance",
                      "Progress reports for governance meetings", 50),
            PhaseTool("engagement-evaluation", "Lessons", "adoption_lessons",
                      "Lessons flagged in the adoption challenge log", 50),
        )
