"""Notification templates, rendering, channels and delivery policy."""
