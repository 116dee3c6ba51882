"""Self-checks: questionnaire definitions, scoring, divergence, trend, peers, recommendations (pure)."""
