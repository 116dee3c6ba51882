"""Domain errors: what went wrong, named in the domain's words. Each interface maps the four kinds to
its own answer (the API: 404, 403, 409, 422) in one table; nothing else needs to know HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """A command that cannot be carried out; the message says why, for the person who gave it."""


class NotFound(DomainError, LookupError):
    """The thing does not exist, or the caller may not know that it does."""


class Forbidden(DomainError, PermissionError):
    """The caller may see the thing but not do this to it."""


class Conflict(DomainError):
    """The thing is not in a state that allows this (already closed, already answered, ...)."""


class Invalid(DomainError, ValueError):
    """The values of the command do not fit (an assignee who cannot take the case, ...)."""


class Unauthenticated(DomainError):
    """Who is asking is not known (wrong password, expired sign-in)."""


class TooManyAttempts(DomainError):
    """The caller must wait before trying again; ``retry_after`` says how many seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(DomainError):
    """What was sent is larger than allowed."""


class UnsupportedType(DomainError):
    """What was sent is of a type that is not accepted."""
