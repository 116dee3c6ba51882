"""Hostility incidents: triage, routing, escalation, support offers, campaign detection (pure)."""
