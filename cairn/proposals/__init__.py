"""The customer engagement proposal (the success plan), its PDF, its acceptance by the customer,
and the engagement strategy and roadmap document (phase 2 of the framework)."""
