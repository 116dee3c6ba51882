from __future__ import annotations

import uuid

import pytest
from kafka.admin import NewTopic

from events.catalog import CATALOG, PROBES, TopicSpec
from services.settings import Settings
from services.topics import admin_client, apply_topics, broker_reachable

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
