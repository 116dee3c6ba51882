"""One contract for the handler wrapper, run on every backend: embedded and Kafka transport, each on
SQLite and on PostgreSQL. If a test passes on one and fails on another, the contract was wrong."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events import encode, new_envelope
from events.catalog import PROBES
from events.contracts import PipelineProbe, ProbeFault
from tests.conftest import sqlite_url
from tests.support.pipeline import EmbeddedPipeline, KafkaPipeline, Pipeline, pipeline_settings

pytestmark = pytest.mark.integration

BACKENDS = ["embedded-sqlite", "embedded-postgres", "kafka-sqlite", "kafka-postgres"]


@pytest.fixture(scope="module", params=BACKENDS)
def pipeline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    transport, database = request.param.split("-")
    folder = tmp_path_factory.mktemp(request.param)
    if database == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        from services.store.engine import make_engine
        from services.store.migrate import upgrade

        url = sqlite_url(folder)
        upgrade(make_engine(url))
    if transport == "kafka":
        settings = pipeline_settings(url, request.getfixturevalue("kafka_bootstrap"))
        built: Pipeline = KafkaPipeline(settings, log_dir=folder)
    else:
        built = EmbeddedPipeline(pipeline_settings(url))
    yield built
    built.close()


def probe(probe_id: str, sequence: int = 0, stream: str | None = None, fault: ProbeFault = ProbeFault.NONE):  # type: ignore[no-untyped-def]
    return new_envelope(
        PipelineProbe(
            probe_id=probe_id,
            stream=stream or probe_id,
            sequence=sequence,
            sent_at=datetime.now(UTC),
            fault=fault,
        )
    )


def fresh_id() -> str:
    return uuid.uuid4().hex[:12]


def test_an_event_written_to_the_outbox_is_handled_once(pipeline: Pipeline) -> None:
    probe_id = fresh_id()
    envelope = probe(probe_id)
    pipeline.emit([envelope])
    receipts = pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 1)
    assert [r.event_id for r in receipts] == [envelope.event_id]
    assert receipts[0].received_at >= envelope.event.sent_at  # type: ignore[attr-defined]


def test_a_redelivered_event_has_exactly_one_effect(pipeline: Pipeline) -> None:
    probe_id = fresh_id()
    envelope = probe(probe_id)
    raw = encode(envelope)
    for _ in range(3):  # the same event id arrives three times
        pipeline.inject_raw(PROBES, envelope.key.encode(), raw)
    marker = probe(probe_id, sequence=1)  # written after the copies, on the same key
    pipeline.emit([marker])
    receipts = pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 2)
    assert [r.event_id for r in receipts] == [envelope.event_id, marker.event_id]


def test_events_of_one_key_are_handled_in_the_order_they_were_written(pipeline: Pipeline) -> None:
    probe_id = fresh_id()
    streams = [f"{probe_id}-a", f"{probe_id}-b", f"{probe_id}-c"]
    envelopes = [probe(probe_id, sequence=n, stream=streams[n % 3]) for n in range(150)]
    for start in range(0, 150, 50):  # three transactions, interleaved keys
        pipeline.emit(envelopes[start : start + 50])
    receipts = pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 150)
    assert len(receipts) == 150
    for stream in streams:
        order = [r.sequence for r in receipts if r.stream == stream]
        assert order == sorted(order) and len(order) == 50, stream


def test_poison_goes_to_the_dead_letter_topic_and_the_stream_moves_on(pipeline: Pipeline) -> None:
    probe_id = fresh_id()
    key = probe_id.encode()
    garbage = b"\x00\x9f not an event " + key
    unknown = json.dumps(
        {
            "id": fresh_id(),
            "type": "SeatsMagicallyDoubled",
            "version": 1,
            "occurred_at": "2026-11-26T21:00:00+00:00",
            "key": probe_id,
            "payload": {"probe": probe_id},
        }
    ).encode()
    pipeline.inject_raw(PROBES, key, garbage)
    pipeline.inject_raw(PROBES, key, unknown)
    good = probe(probe_id)
    pipeline.emit([good])

    receipts = pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 1)
    assert [r.event_id for r in receipts] == [good.event_id]
    letters = [m for m in pipeline.dead_letters(PROBES, expect=2) if m.key == key]
    assert sorted(m.value for m in letters) == sorted([garbage, unknown])  # original bytes kept
    errors = {m.value: m.headers["error"] for m in letters}
    assert errors[garbage].startswith("DecodeError: not UTF-8 JSON")
    assert "unknown event type 'SeatsMagicallyDoubled'" in errors[unknown]
    assert all(m.headers["source-topic"] == PROBES.name for m in letters)


def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered(pipeline: Pipeline) -> None:
    probe_id = fresh_id()
    failing = probe(probe_id, sequence=0, fault=ProbeFault.FAIL)
    after = probe(probe_id, sequence=1)
    pipeline.emit([failing, after])

    receipts = pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 1)
    assert [r.event_id for r in receipts] == [after.event_id]
    letters = [m for m in pipeline.dead_letters(PROBES, expect=1) if m.key == probe_id.encode()]
    assert len(letters) == 1
    assert letters[0].value == encode(failing)
    assert letters[0].headers["attempts"] == str(pipeline.settings.handler_max_attempts)
    assert letters[0].headers["error"].startswith("ProbeFaultInjected: fault drill")


def test_the_worker_keeps_running_after_poison(pipeline: Pipeline, tmp_path: Path) -> None:
    if isinstance(pipeline, KafkaPipeline):
        assert pipeline.worker.poll() is None, pipeline.log_path.read_text()[-2000:]
    probe_id = fresh_id()
    pipeline.emit([probe(probe_id)])
    assert len(pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 1)) == 1


def test_every_kind_of_poison_is_dead_lettered_and_the_stream_goes_on(pipeline: Pipeline) -> None:
    probe_id = fresh_id()
    key = probe_id.encode()
    wrong_version = json.loads(encode(probe(probe_id)))
    wrong_version["version"] = 99
    oversized = b'{"padding":"' + b"x" * (2 * 1024 * 1024) + b'"}'
    poison = {
        "invalid bytes": b"\xff\xfe\x00 garbage",
        "wrong version": json.dumps(wrong_version).encode(),
        "empty": b"",
        "oversized": oversized,
    }
    if isinstance(pipeline, KafkaPipeline):
        poison["null value"] = None  # type: ignore[assignment]  # a tombstone: only a broker has them
    for value in poison.values():
        pipeline.inject_raw(PROBES, key, value)
    keyless = probe(probe_id, sequence=1)
    pipeline.inject_raw(PROBES, None, encode(keyless))  # a valid event without a message key
    last = probe(probe_id, sequence=2)
    pipeline.emit([last])

    receipts = pipeline.wait_for(lambda: pipeline.receipts(probe_id), lambda r: len(r) >= 2)
    assert [r.event_id for r in receipts] == [keyless.event_id, last.event_id]
    letters = [m for m in pipeline.dead_letters(PROBES, expect=len(poison)) if m.key == key]
    assert len(letters) == len(poison)  # each once
    reasons = sorted(m.headers["error"].removeprefix("DecodeError: ").split(":")[0] for m in letters)
    expected = [
        "PipelineProbe version 99 is not supported (this service reads version 1)",
        "empty value",
        "envelope field(s) missing",  # the oversized value is JSON, but no event
        "not UTF-8 JSON",
        *(["null value (a tombstone)"] if "null value" in poison else []),
    ]
    assert reasons == sorted(expected)
    [big] = [m for m in letters if m.headers.get("value-truncated") == "true"]
    assert big.headers["original-bytes"] == str(len(oversized)) and big.value == oversized[: len(big.value)]
    assert len(big.value) < 100 * 1024
    if "null value" in poison:
        [tombstone] = [m for m in letters if m.headers.get("value-null") == "true"]
        assert tombstone.value is None or tombstone.value == b""
