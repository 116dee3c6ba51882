"""What a dead letter keeps of the message it stands for."""

from __future__ import annotations

import hashlib

from events.catalog import DEAD_LETTER_VALUE_LIMIT, MAX_MESSAGE_BYTES
from services.pipeline.processing import dead_letter_value


def test_an_ordinary_value_is_kept_whole() -> None:
    value = b'{"not": "an event"}'
    assert dead_letter_value(value) == (value, [])


def test_a_tombstone_becomes_an_empty_letter_marked_as_such() -> None:
    assert dead_letter_value(None) == (b"", [("value-null", "true")])


def test_an_oversized_value_keeps_its_first_bytes_size_and_digest() -> None:
    value = bytes(range(256)) * (2 * MAX_MESSAGE_BYTES // 256)
    kept, headers = dead_letter_value(value)
    assert kept == value[:DEAD_LETTER_VALUE_LIMIT]
    assert dict(headers) == {
        "value-truncated": "true",
        "original-bytes": str(len(value)),
        "original-sha256": hashlib.sha256(value).hexdigest(),
    }


def test_a_letter_is_always_small_enough_to_publish() -> None:
    assert DEAD_LETTER_VALUE_LIMIT + 4096 < MAX_MESSAGE_BYTES
    kept, _ = dead_letter_value(b"x" * DEAD_LETTER_VALUE_LIMIT)
    assert len(kept) == DEAD_LETTER_VALUE_LIMIT
