"""Outbox -> Kafka relay."""
