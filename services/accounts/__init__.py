"""Accounts: credentials, tokens and the account operations."""
