"""Logging: plain lines by default, or one JSON object per line (``WELTOFFEN_LOG_FORMAT=json``) for a
log pipeline. Every record carries the event id and correlation id it belongs to (the event being
handled, or the HTTP request's id), stamped when the record is made. An exception is logged by its
type and its frames, never its message: messages can quote input, and input can be personal."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

EVENT_ID: ContextVar[str | None] = ContextVar("event_id", default=None)
CORRELATION_ID: ContextVar[str | None] = ContextVar("correlation_id", default=None)
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def about(event_id: str | None, correlation_id: str | None) -> Iterator[None]:
    """Log lines written inside belong to this event (and correlation)."""
    event, correlation = EVENT_ID.set(event_id), CORRELATION_ID.set(correlation_id)
    try:
        yield
    finally:
        EVENT_ID.reset(event)
        CORRELATION_ID.reset(correlation)


_plain_factory = logging.getLogRecordFactory()


def _stamped(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _plain_factory(*args, **kwargs)
    record.event_id = EVENT_ID.get()
    record.correlation_id = CORRELATION_ID.get()
    return record


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("event_id", "correlation_id"):
            value = getattr(record, name, None)
            if value:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["frames"] = [
                f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    logging.setLogRecordFactory(_stamped)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=TEXT)
    if log_format == "json":
        for handler in root.handlers:
            handler.setFormatter(JsonLines())
    logging.getLogger("kafka").setLevel(logging.WARNING)  # kafka-python logs every connection at INFO
    logging.getLogger("httpx").setLevel(logging.WARNING)
