"""Phases 4 and 5 tools: adoption planning (impacted processes and groups, risks, the adoption
plan and roadmap, pilots) and implementation (work packages, readiness, KPI measurements,
governance reports, the challenge log)."""
