"""Phase 1 tools: the research dossier, the customer's organization (org chart, value chain,
capability map) and strategy (PESTLE, internal drivers, strategy chain)."""
