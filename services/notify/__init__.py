"""Notifications as a service: requests, delivery planning, sending, retries, status."""
