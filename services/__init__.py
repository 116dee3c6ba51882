"""The runnable processes (API, worker, relay) and their adapters."""
