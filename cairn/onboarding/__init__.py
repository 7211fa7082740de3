"""Phase 3 tools: welcome pack, onboarding project plan with its Gantt chart, time tracking,
milestone reports and the customer's final sign-off."""
