from __future__ import annotations

import uuid

import pytest
from kafka.admin import NewTopic
from kafka.structs import TopicPartition

from events.catalog import CATALOG, INCIDENTS, INCIDENTS_URGENT, PROBES, TopicSpec
from services.settings import Settings
from services.topics import OffsetHandover, admin_client, apply_topics, broker_reachable, hand_over_offsets
from tests.support.kafka import commit_offsets, held_offsets

pytestmark = pytest.mark.integration


def test_apply_creates_every_catalogue_topic_once_and_is_idempotent(kafka_bootstrap: str) -> None:
    settings = Settings(kafka_bootstrap=kafka_bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:8]}.")
    first = apply_topics(settings)
    assert sorted(first.created) == sorted(settings.topic(spec.name) for spec in CATALOG)
    assert first.drift == []

    second = apply_topics(settings)
    assert second.created == [] and second.drift == []
    assert sorted(second.present) == sorted(first.created)

    admin = admin_client(settings)
    try:
        described = admin.describe_topics([settings.topic(PROBES.name)])
    finally:
        admin.close()
    assert len(described[0]["partitions"]) == PROBES.partitions


def test_apply_reports_drift_instead_of_changing_a_topic(kafka_bootstrap: str) -> None:
    settings = Settings(kafka_bootstrap=kafka_bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:8]}.")
    admin = admin_client(settings)
    try:
        admin.create_topics([NewTopic(settings.topic(PROBES.name), 2, 1)])
    finally:
        admin.close()
    report = apply_topics(settings, (PROBES, TopicSpec("weltoffen.extra", key_field="id")))
    assert report.created == [settings.topic("weltoffen.extra")]
    assert f"{settings.topic(PROBES.name)}: 2 partitions, catalogue declares 6" in report.drift
    assert any("retention.ms" in line for line in report.drift)


def test_broker_reachable(kafka_bootstrap: str) -> None:
    assert broker_reachable(Settings(kafka_bootstrap=kafka_bootstrap))
    assert not broker_reachable(Settings(kafka_bootstrap="127.0.0.1:1"), timeout_ms=500)


def test_a_group_that_takes_over_topics_goes_on_where_the_old_group_stopped(kafka_bootstrap: str) -> None:
    settings = Settings(kafka_bootstrap=kafka_bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:8]}.")
    apply_topics(settings)
    urgent, bulk = settings.topic(INCIDENTS_URGENT.name), settings.topic(INCIDENTS.name)
    old, new = f"worker-{uuid.uuid4().hex[:8]}", f"worker-{uuid.uuid4().hex[:8]}-urgent"
    admin = admin_client(settings)

    try:
        old_offsets = {TopicPartition(urgent, 0): 3, TopicPartition(urgent, 1): 1, TopicPartition(bulk, 0): 2}
        commit_offsets(admin, old, old_offsets)
        first = hand_over_offsets(settings, old, new, [urgent])
        assert first == OffsetHandover(copied=2, released=2)
        assert held_offsets(admin, new) == {TopicPartition(urgent, 0): 3, TopicPartition(urgent, 1): 1}
        assert held_offsets(admin, old) == {TopicPartition(bulk, 0): 2}  # what it still reads stays

        assert hand_over_offsets(settings, old, new, [urgent]) == OffsetHandover(copied=0, released=0)

        # Where both groups committed (a worker of the old kind ran again), the further one counts.
        commit_offsets(admin, new, {TopicPartition(urgent, 0): 7})
        commit_offsets(admin, old, {TopicPartition(urgent, 0): 5, TopicPartition(urgent, 1): 4})
        assert hand_over_offsets(settings, old, new, [urgent]) == OffsetHandover(copied=1, released=2)
        assert held_offsets(admin, new) == {TopicPartition(urgent, 0): 7, TopicPartition(urgent, 1): 4}
    finally:
        admin.close()
