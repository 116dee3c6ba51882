"""Small helpers around a real broker: produce raw bytes, read a topic from the beginning."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import CoordinatorNotAvailableError, NoError
from kafka.structs import OffsetAndMetadata, TopicPartition


@dataclass(frozen=True)
class Message:
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]


def produce_raw(bootstrap: str, topic: str, items: list[tuple[bytes | None, bytes | None]]) -> None:
    """Any bytes, none included (a key without a value is a tombstone). Compressed, so that a value
    larger than the broker's message limit still arrives, as it can from any other producer."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        compression_type="gzip",
        max_request_size=8 * 1024 * 1024,
    )
    try:
        for key, value in items:
            producer.send(topic, key=key, value=value).get(timeout=10)
    finally:
        producer.close()


def read_topic(bootstrap: str, topic: str, expect: int, timeout_s: float = 30.0) -> list[Message]:
    """Read from the beginning until ``expect`` messages arrived and 1 s more brought nothing new
    (so a duplicate beyond the expected count would be seen)."""
    # Every partition assigned by hand: a consumer group's assignment sometimes came before the
    # client knew the topic's partitions, gave it none, and the reader saw nothing for 30 s.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    messages: list[Message] = []
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    try:
        partitions = None
        while not partitions and time.monotonic() < deadline:
            consumer.topics()  # a metadata request; partitions_for_topic only reads the cache
            partitions = consumer.partitions_for_topic(topic)
        assert partitions, f"the broker knows no partitions of {topic}"
        consumer.assign([TopicPartition(topic, partition) for partition in sorted(partitions)])
        consumer.seek_to_beginning()
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=200)
            records = [record for part in batch.values() for record in part]
            for record in records:
                messages.append(
                    Message(
                        record.partition,
                        record.offset,
                        record.key,
                        record.value,
                        {name: value.decode() for name, value in record.headers},
                    )
                )
            if len(messages) >= expect:
                if records:
                    quiet_since = time.monotonic()
                elif quiet_since is not None and time.monotonic() - quiet_since > 1.0:
                    break
                quiet_since = quiet_since or time.monotonic()
    finally:
        consumer.close()
    return messages


def assert_nothing_on_topics(bootstrap: str, topic: Callable[[str], str], leaks: list[str]) -> int:
    """Read every message of every topic of the catalogue (key, value, headers): none may carry any
    of ``leaks``. Returns how many messages were read."""
    from events.catalog import CATALOG

    seen = 0
    for spec in CATALOG:
        for message in read_topic(bootstrap, topic(spec.name), expect=0, timeout_s=3):
            seen += 1
            raw = (message.value + (message.key or b"") + str(message.headers).encode()).decode(
                "utf-8", "replace"
            )
            for leak in leaks:
                assert leak.lower() not in raw.lower(), f"{leak!r} leaked onto {spec.name}"
    return seen


def commit_offsets(admin: KafkaAdminClient, group: str, offsets: dict[TopicPartition, int]) -> None:
    """Commit offsets for a group without members, as if it had read so far. A new broker makes its
    offsets topic on a group's first call, and answers that there is no coordinator until then."""
    for _ in range(150):
        try:
            answers = admin.alter_group_offsets(
                group, {tp: OffsetAndMetadata(n, "", -1) for tp, n in offsets.items()}
            )
            assert set(answers.values()) == {NoError}, answers
            return
        except CoordinatorNotAvailableError:
            time.sleep(0.2)
    raise AssertionError(f"the broker found no coordinator for {group}")


def held_offsets(admin: KafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    return {tp: meta.offset for tp, meta in admin.list_group_offsets({group: None})[group].items()}
