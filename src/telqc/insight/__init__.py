"""Customer insight: usage profile, tier and lifecycle, churn risk, retention uplift, plan recommendation."""
