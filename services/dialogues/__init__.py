"""Dialogue events: organisers, registrations, seats, messages, logistics, retention."""
