"""Phase 2 tools: stakeholders (RACI, the stakeholder management matrix and plan) and the
first meeting with the customer."""
