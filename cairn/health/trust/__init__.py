"""Trust: how well a scorecard would have ranked the accounts that churned or renewed, and
the measure weights a regularised logistic regression suggests (docs/analytics.md)."""
