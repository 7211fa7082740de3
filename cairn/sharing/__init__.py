"""Secure customer links: a customer stakeholder reads a document without an account and
accepts or declines it, through a secret, expiring, single-use link (proposals, sign-offs)."""
