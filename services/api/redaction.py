"""Secrets never reach a log line: the token of a registration or respondent link, the code of an
anonymous case. Access logs (and anything else logged) are redacted before they are written."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_SECRETS = (
    (re.compile(r"([?&](?:token|secret|code)=)[^&\s\"']+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"(/anonymous/cases/)[^/?\s\"']+"), rf"\1{REDACTED}"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Replaces the secrets in a record's message and in each of its arguments, keeping their shape
    (the server's access formatter unpacks the arguments); the record is always kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def redact_logs(*logger_names: str) -> None:
    """Install the filter once on each logger (the access log of the server, the service's own)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
