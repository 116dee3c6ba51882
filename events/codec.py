"""Strict JSON codec for envelopes: what cannot be read exactly is rejected with a clear reason."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from events.contracts import CONTRACTS, Event
from events.envelope import Envelope

REGISTRY: dict[str, type[Event]] = {contract.type_name: contract for contract in CONTRACTS}
ENVELOPE_FIELDS = {
    "id",
    "type",
    "version",
    "occurred_at",
    "key",
    "correlation_id",
    "causation_id",
    "payload",
}


class DecodeError(Exception):
    """The bytes are not an event this service understands. Never retried: they are dead-lettered."""


def encode(envelope: Envelope) -> bytes:
    """The envelope as compact UTF-8 JSON."""
    document = {
        "id": envelope.event_id,
        "type": envelope.type_name,
        "version": envelope.version,
        "occurred_at": envelope.occurred_at.isoformat(),
        "key": envelope.key,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "payload": envelope.event.model_dump(mode="json"),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def decode(raw: bytes | None) -> Envelope:
    """Read an envelope; raise DecodeError naming what is wrong. Any input, ``None`` (a Kafka
    tombstone) included, either decodes or raises DecodeError: never another exception."""
    if raw is None:
        raise DecodeError("null value (a tombstone): no event in it")
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise DecodeError(f"expected bytes, got {type(raw).__name__}")
    if not raw:
        raise DecodeError("empty value: no event in it")
    try:
        document = json.loads(bytes(raw))
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: bad JSON, or an int of 5,000 digits
        raise DecodeError(f"not UTF-8 JSON: {exc}") from None
    except RecursionError:
        raise DecodeError("not an event: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise DecodeError("an event must be a JSON object")
    missing = sorted(ENVELOPE_FIELDS - {"correlation_id", "causation_id"} - document.keys())
    if missing:
        raise DecodeError(f"envelope field(s) missing: {', '.join(missing)}")
    unknown = sorted(document.keys() - ENVELOPE_FIELDS)
    if unknown:
        raise DecodeError(f"unknown envelope field(s): {', '.join(unknown)}")
    contract = REGISTRY.get(_text(document, "type"))
    if contract is None:
        raise DecodeError(f"unknown event type {document['type']!r}")
    if type(document["version"]) is not int or document["version"] != contract.version:
        raise DecodeError(
            f"{contract.type_name} version {document['version']!r} is not supported "
            f"(this service reads version {contract.version})"
        )
    if not isinstance(document["payload"], dict):
        raise DecodeError("payload must be a JSON object")
    try:
        event = contract.model_validate_json(json.dumps(document["payload"]))
    except ValidationError as exc:
        raise DecodeError(f"{contract.type_name} payload invalid: {_describe(exc)}") from None
    envelope = Envelope(
        event=event,
        event_id=_text(document, "id"),
        occurred_at=_utc(document["occurred_at"]),
        correlation_id=_optional_text(document, "correlation_id"),
        causation_id=_optional_text(document, "causation_id"),
    )
    if document["key"] != envelope.key:
        raise DecodeError(f"key {document['key']!r} does not match the payload's {contract.key_field}")
    return envelope


def _text(document: dict[str, Any], name: str) -> str:
    value = document[name]
    if not isinstance(value, str) or not value:
        raise DecodeError(f"envelope field {name!r} must be a non-empty string")
    return value


def _optional_text(document: dict[str, Any], name: str) -> str | None:
    return None if document.get(name) is None else _text(document, name)


def _utc(value: Any) -> datetime:
    if not isinstance(value, str):
        raise DecodeError("occurred_at must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DecodeError(f"occurred_at {value!r} is not ISO 8601") from None
    if moment.utcoffset() is None:
        raise DecodeError("occurred_at must carry a UTC offset")
    return moment


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(payload)'}: {error['msg']}"
        for error in exc.errors()
    )
