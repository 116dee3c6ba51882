"""The relay's records carry CRC-32C checksums. kafka-python computes them in pure Python unless the
``crc32c`` package is there; that fallback was more than half of the relay's processor time, so the
project depends on the package and this test notices if kafka-python stops using it."""

from __future__ import annotations

import crc32c
from kafka.record import util
from kafka.record._crc32c import crc as pure_python_crc
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder


def test_kafka_python_takes_the_checksums_from_the_c_package() -> None:
    assert util.crc32c_c is crc32c.crc32c
    assert util.calc_crc32c.__defaults__ == (crc32c.crc32c,)


def test_the_c_checksum_is_the_one_kafka_defines() -> None:
    data = bytes(range(256)) * 40 + "Grüße aus dem Rathaus".encode()
    assert crc32c.crc32c(data) == pure_python_crc(memoryview(data))
    assert crc32c.crc32c(b"123456789") == 0xE3069283  # the check value of CRC-32C


def test_a_batch_built_by_the_relay_s_client_passes_the_broker_s_check() -> None:
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=0,
        is_transactional=False,
        producer_id=7,
        producer_epoch=0,
        base_sequence=0,
        batch_size=1 << 20,
    )
    for n in range(50):
        builder.append(n, timestamp=1_700_000_000_000 + n, key=b"dialogue-1", value=b"x" * n, headers=[])
    batch = DefaultRecordBatch(bytes(builder.build()))
    assert batch.validate_crc()
    assert [record.value for record in batch] == [b"x" * n for n in range(50)]
