"""What a dead letter says about bytes the service cannot read: each reason in full (it is the
`error` header an operator reads), and what the wire may leave out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from events import DecodeError, decode, encode
from events.envelope import new_envelope
from tests.unit.test_codec import REGISTRATION

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def document(**changes: Any) -> bytes:
    base = json.loads(encode(new_envelope(REGISTRATION, NOW)))
    for name, value in changes.items():
        if value is ...:
            base.pop(name)
        else:
            base[name] = value
    return json.dumps(base).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "null value (a tombstone): no event in it"),
        (b"", "empty value: no event in it"),
        (b"[1, 2]", "an event must be a JSON object"),
        (b"[" * 100_000, "not an event: JSON nested too deeply"),
        (document(type=...), "envelope field(s) missing: type"),
        (document(id=..., key=...), "envelope field(s) missing: id, key"),
        (document(extra=1, more=2), "unknown envelope field(s): extra, more"),
        (document(type="Nope"), "unknown event type 'Nope'"),
        (document(type=""), "envelope field 'type' must be a non-empty string"),
        (
            document(version=2),
            "RegistrationRequested version 2 is not supported (this service reads version 1)",
        ),
        (
            document(version="1"),
            "RegistrationRequested version '1' is not supported (this service reads version 1)",
        ),
        (document(payload=[1]), "payload must be a JSON object"),
        (document(occurred_at=5), "occurred_at must be an ISO 8601 string"),
        (document(occurred_at="yesterday"), "occurred_at 'yesterday' is not ISO 8601"),
        (document(occurred_at="2026-11-30T01:00:00"), "occurred_at must carry a UTC offset"),
        (document(id=7), "envelope field 'id' must be a non-empty string"),
        (document(correlation_id=""), "envelope field 'correlation_id' must be a non-empty string"),
        (document(key="another"), "key 'another' does not match the payload's dialogue_id"),
    ],
)
def test_each_reason_is_named_in_full(raw: bytes | None, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(raw)
    assert str(caught.value) == reason


def test_a_bad_payload_names_the_field_and_bad_json_says_so() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(document(payload={"registration_id": "r", "dialogue_id": "d-1"}))
    assert str(caught.value) == "RegistrationRequested payload invalid: requested_at: Field required"
    with pytest.raises(DecodeError, match=r"^not UTF-8 JSON: "):
        decode(b"\xff\xfe")


def test_causal_links_may_be_left_out_and_times_keep_their_moment() -> None:
    envelope = decode(document(correlation_id=..., causation_id=...))
    assert envelope.correlation_id is None and envelope.causation_id is None
    berlin = datetime(2026, 11, 30, 2, 0, tzinfo=timezone(timedelta(hours=1)))
    assert decode(document(occurred_at=berlin.isoformat())).occurred_at == NOW


def test_the_wire_format_is_compact_utf8_with_every_field() -> None:
    raw = encode(new_envelope(REGISTRATION, NOW))
    assert b", " not in raw and b": " not in raw  # compact
    body = json.loads(raw)
    assert set(body) == {
        "id",
        "type",
        "version",
        "occurred_at",
        "key",
        "correlation_id",
        "causation_id",
        "payload",
    }
    assert body["occurred_at"] == "2026-11-30T01:00:00+00:00" and body["key"] == REGISTRATION.dialogue_id
    assert body["correlation_id"] == body["id"] and body["causation_id"] is None
    umlaut = encode(new_envelope(REGISTRATION.model_copy(update={"registration_id": "Jürgen"}), NOW))
    assert "Jürgen".encode() in umlaut  # UTF-8, not \\u escapes
