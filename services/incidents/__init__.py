"""Hostility incidents: intake, cases, routing, escalation, support offers, campaigns."""
