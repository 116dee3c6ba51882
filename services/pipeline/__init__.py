"""The one path every consumed message takes: decode, inbox check, handler, outbox, commit."""
