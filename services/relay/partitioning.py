"""Which partition a keyed message goes to: the Java client's rule (murmur2 of the key, positive,
modulo the topic's partitions), as kafka-python's default partitioner has it, so a key keeps its
partition. The hash of a key is remembered: the relay sends many messages with one key (every
registration of a dialogue), and the pure-Python hash was a tenth of its time per message."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from kafka.partitioner.abc import Partitioner
from kafka.partitioner.default import murmur2


@lru_cache(maxsize=16384)
def _key_hash(key: bytes) -> int:
    return int(murmur2(key)) & 0x7FFFFFFF


class KeyPartitioner(Partitioner):
    def partition(
        self,
        topic: str,
        key: Any,
        serialized_key: bytes | None,
        value: Any,
        serialized_value: bytes | None,
        cluster: Any,
    ) -> int:
        all_partitions = sorted(cluster.partitions_for_topic(topic) or ())
        if not all_partitions:
            raise ValueError(f"topic {topic} not found in the cluster's metadata")
        if serialized_key is not None:
            return all_partitions[_key_hash(serialized_key) % len(all_partitions)]
        available = list(cluster.available_partitions_for_topic(topic))
        return random.choice(available or all_partitions)  # noqa: S311 - spreading, not security
