"""Self-checks: rounds, respondents, submissions, results, recommendations, reports."""
