"""Topic provisioning from the catalogue, and broker reachability (kafka-python admin client)."""

from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

from events.catalog import CATALOG, TopicSpec
from services.settings import Settings


@dataclass(frozen=True)
class TopicReport:
    created: list[str]
    present: list[str]
    drift: list[str]  # human-readable differences between broker and catalogue


def admin_client(settings: Settings, timeout_ms: int = 10000) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        client_id="weltoffen-admin",
        request_timeout_ms=timeout_ms,
    )


def apply_topics(settings: Settings, catalog: tuple[TopicSpec, ...] = CATALOG) -> TopicReport:
    """Create missing topics; report (never silently change) those that differ from the catalogue."""
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        wanted = {settings.topic(spec.name): spec for spec in catalog}
        missing = [name for name in wanted if name not in existing]
        created: list[str] = []
        if missing:
            new = [
                NewTopic(name, wanted[name].partitions, 1, topic_configs=wanted[name].config())
                for name in missing
            ]
            try:
                admin.create_topics(new, timeout_ms=30000)
                created = missing
            except TopicAlreadyExistsError:  # another process created them meanwhile
                created = [name for name in missing if name not in set(admin.list_topics())]
        present = [name for name in wanted if name not in created]
        return TopicReport(created=created, present=present, drift=_drift(admin, wanted, present))
    finally:
        admin.close()


def _drift(admin: KafkaAdminClient, wanted: dict[str, TopicSpec], names: list[str]) -> list[str]:
    if not names:
        return []
    drift: list[str] = []
    for description in admin.describe_topics(names):
        name = description["name"]
        partitions = len(description["partitions"])
        if partitions < wanted[name].partitions:
            drift.append(f"{name}: {partitions} partitions, catalogue declares {wanted[name].partitions}")
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    configs = admin.describe_configs(resources)["topic"]
    for name in names:
        actual = {key: entry["value"] for key, entry in configs.get(name, {}).items()}
        for key, value in wanted[name].config().items():
            if actual.get(key) != value:
                drift.append(f"{name}: {key}={actual.get(key)}, catalogue declares {value}")
    return drift


def broker_reachable(settings: Settings, timeout_ms: int = 3000) -> bool:
    try:
        admin = admin_client(settings, timeout_ms)
    except Exception:
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        admin.close()
