from __future__ import annotations

from events.catalog import (
    CATALOG,
    DEAD_LETTER_SUFFIX,
    EVENT_TOPICS,
    INPUT_TOPICS,
    NOTIFICATIONS,
    NOTIFICATIONS_URGENT,
    spec_named,
    topic_for,
)
from events.contracts import CONTRACTS, NotificationRequested


def test_every_contract_is_routed_to_a_topic_keyed_by_one_of_its_fields() -> None:
    for contract in CONTRACTS:
        spec = EVENT_TOPICS[contract]
        assert spec.key_field == contract.key_field, contract.__name__
        assert contract.key_field in contract.model_fields


def test_every_input_topic_has_a_dead_letter_twin_in_the_catalogue() -> None:
    names = {spec.name for spec in CATALOG}
    for spec in INPUT_TOPICS:
        assert spec.name + DEAD_LETTER_SUFFIX in names
        assert spec_named(spec.name + DEAD_LETTER_SUFFIX).is_input is False
    assert len(names) == len(CATALOG) == 2 * len(INPUT_TOPICS)


def test_default_partitions_and_retention() -> None:
    assert all(spec.partitions == 6 for spec in CATALOG)
    for spec in INPUT_TOPICS:
        assert spec.dead_letter.retention_ms >= spec.retention_ms
        assert spec.config()["cleanup.policy"] == "delete"


def test_urgent_notifications_travel_on_their_own_topic() -> None:
    bulk = NotificationRequested(notification_id="n", recipient_id="r", template="t")
    urgent = NotificationRequested(notification_id="n", recipient_id="r", template="t", urgent=True)
    assert topic_for(bulk) is NOTIFICATIONS
    assert topic_for(urgent) is NOTIFICATIONS_URGENT
    assert NOTIFICATIONS_URGENT.name != NOTIFICATIONS.name
