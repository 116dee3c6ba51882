"""Topic provisioning from the catalogue, and broker reachability (kafka-python admin client)."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaTimeoutError, TopicAlreadyExistsError

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
        created: list[str] = []
        for name, spec in wanted.items():
            if name in existing:
                continue
            try:
                admin.create_topics(
                    [NewTopic(name, spec.partitions, 1, topic_configs=spec.config())], timeout_ms=30000
                )
                created.append(name)
            except TopicAlreadyExistsError:  # another process was quicker; compare it below
                pass
        present = [name for name in wanted if name not in created]
        _wait_until_served(admin, list(wanted))
        return TopicReport(created=created, present=present, drift=_drift(admin, wanted, present))
    finally:
        admin.close()


def _wait_until_served(admin: KafkaAdminClient, names: list[str], timeout_ms: int = 30000) -> None:
    """A broker answers a topic's creation before its metadata cache holds the topic's partitions
    and settings (KRaft); until then it describes the topic with no partitions and no settings.
    Wait for that, so neither the drift report nor a worker started next sees a half-made topic."""
    with contextlib.suppress(KafkaTimeoutError):  # if still not served, the drift report says so
        admin.wait_for_topics(names, timeout_ms=timeout_ms)


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
    """True when a bootstrap server accepts a connection and answers a metadata request."""
    if not any(
        _accepts_connections(server, timeout_ms / 1000) for server in settings.kafka_bootstrap.split(",")
    ):
        return False  # fail fast: the admin client would retry its bootstrap for much longer
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


def _accepts_connections(server: str, timeout_s: float) -> bool:
    host, _, port = server.strip().rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class Lag:
    group: str
    topic: str
    lag: int  # messages on the topic the group has not committed yet, over every partition


def consumer_lag(settings: Settings, timeout_ms: int = 5000) -> list[Lag]:
    """Each consumer group's lag per topic of this deployment (the prefix's topics only): the end
    offsets of the partitions it committed on, less what it committed."""
    from kafka.admin import OffsetSpec

    admin = admin_client(settings, timeout_ms)
    try:
        groups = [g["group_id"] for g in admin.list_groups()]
        committed = {
            (group, tp): meta.offset
            for group, offsets in (admin.list_group_offsets(groups).items() if groups else ())
            for tp, meta in offsets.items()
            if tp.topic.startswith(settings.topic_prefix) and meta.offset >= 0
        }
        partitions = {tp for _, tp in committed}
        ends = (
            admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions}) if partitions else {}
        )
        per_topic: dict[tuple[str, str], int] = {}
        for (group, tp), offset in committed.items():
            end = ends[tp].offset if tp in ends else offset
            per_topic[(group, tp.topic)] = per_topic.get((group, tp.topic), 0) + max(0, end - offset)
        return [Lag(group, topic, lag) for (group, topic), lag in sorted(per_topic.items())]
    finally:
        admin.close()


@dataclass(frozen=True)
class OffsetHandover:
    copied: int  # partitions whose committed offset the new group took over
    released: int  # partitions whose offset the old group no longer holds


def hand_over_offsets(
    settings: Settings, old_group: str, new_group: str, topics: list[str], timeout_ms: int = 10000
) -> OffsetHandover:
    """Give ``new_group`` the offsets ``old_group`` committed on ``topics`` (full names) where they
    are further on than its own, then delete the old group's (else the lag view would show them
    as a lag that only grows). So a group that takes over topics goes on where the old one
    stopped, instead of reading them again from the start. The new group must have no members
    yet; the old one must no longer read these topics, or its offsets stay (a later start tries
    again)."""
    from kafka.errors import NoError

    wanted = set(topics)
    admin = admin_client(settings, timeout_ms)
    try:
        held = admin.list_group_offsets({old_group: None, new_group: None})
        old = {tp: meta for tp, meta in held.get(old_group, {}).items() if tp.topic in wanted}
        ours = {tp: meta.offset for tp, meta in held.get(new_group, {}).items() if tp.topic in wanted}
        ahead = {tp: meta for tp, meta in old.items() if meta.offset > max(ours.get(tp, -1), -1)}
        copied = 0
        if ahead:
            answers = admin.alter_group_offsets(new_group, ahead)
            copied = sum(1 for error in answers.values() if error is NoError)
            if copied < len(ahead):
                return OffsetHandover(copied=copied, released=0)  # keep the old ones: nothing lost
        released = 0
        if old:
            answers = admin.delete_group_offsets(old_group, list(old))
            released = sum(1 for error in answers.values() if error is NoError)
        return OffsetHandover(copied=copied, released=released)
    finally:
        admin.close()
