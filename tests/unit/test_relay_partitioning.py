"""The relay's partitioner puts every key where kafka-python's default partitioner (the Java client's
rule) puts it, so a key keeps its partition, with or without the remembered hash."""

from __future__ import annotations

import uuid

import pytest
from kafka.partitioner.default import DefaultPartitioner

from services.relay.partitioning import KeyPartitioner


class _Cluster:
    def __init__(self, partitions: int, available: int | None = None) -> None:
        self._all = set(range(partitions))
        self._available = set(range(available if available is not None else partitions))

    def topics(self) -> set[str]:
        return {"t"}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return self._all

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self._available


@pytest.mark.parametrize("partitions", [1, 3, 6, 12])
def test_a_key_goes_where_the_default_partitioner_sends_it(partitions: int) -> None:
    cluster = _Cluster(partitions)
    ours, reference = KeyPartitioner(), DefaultPartitioner()
    keys = [uuid.uuid4().hex.encode() for _ in range(300)] + [b"", b"\xff\x00", "Gemeinde ü".encode()]
    for key in keys:
        expected = reference.partition("t", None, key, None, None, cluster)
        assert ours.partition("t", None, key, None, None, cluster) == expected
        assert ours.partition("t", None, key, None, None, cluster) == expected  # remembered: the same


def test_a_message_without_a_key_goes_to_an_available_partition() -> None:
    cluster = _Cluster(6, available=2)
    chosen = {KeyPartitioner().partition("t", None, None, None, None, cluster) for _ in range(200)}
    assert chosen == {0, 1}


def test_an_unknown_topic_is_refused() -> None:
    class _Empty(_Cluster):
        def partitions_for_topic(self, topic: str) -> set[int]:
            return set()

    with pytest.raises(ValueError, match="not found"):
        KeyPartitioner().partition("t", None, b"k", None, None, _Empty(0))
