from __future__ import annotations

from events.catalog import (
    CATALOG,
    DEAD_LETTER_SUFFIX,
    EVENT_TOPICS,
    INPUT_TOPICS,
    MAX_MESSAGE_BYTES,
    NOTIFICATIONS,
    NOTIFICATIONS_URGENT,
    OUTCOME_TOPICS,
    spec_named,
    topic_for,
)
from events.contracts import CONTRACTS, NotificationRequested
from services.handler_table import HANDLERS


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
    assert len(names) == len(CATALOG) == 2 * len(INPUT_TOPICS) + len(OUTCOME_TOPICS)


def test_every_input_topic_has_an_agent_and_every_agent_reads_an_input_topic() -> None:
    """A topic catalogued as input but read by nobody piles up unread events (this happened)."""
    assert sorted(s.name for s in HANDLERS.topics()) == sorted(s.name for s in INPUT_TOPICS)


def test_outcome_topics_are_read_by_no_agent_and_have_no_dead_letter_twin() -> None:
    names = {spec.name for spec in CATALOG}
    for spec in OUTCOME_TOPICS:
        assert not spec.is_input and spec not in HANDLERS.topics()
        assert spec.name + DEAD_LETTER_SUFFIX not in names
    assert {spec for spec in EVENT_TOPICS.values() if not spec.is_input} == set(OUTCOME_TOPICS)


def test_topics_accept_whatever_the_producer_may_send() -> None:
    for spec in CATALOG:
        assert int(spec.config()["max.message.bytes"]) > MAX_MESSAGE_BYTES


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
