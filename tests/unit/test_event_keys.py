"""The rules the event backbone stands on: every event is keyed by its own id field (that key
serialises seat decisions per dialogue and case events per case), causal links survive the wire, only
what says so takes the urgent lane, and a consumer knows every topic a type can travel on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events import decode, encode
from events.catalog import (
    DIALOGUES,
    EVENT_TOPICS,
    INCIDENTS,
    INCIDENTS_URGENT,
    NOTIFICATIONS,
    NOTIFICATIONS_URGENT,
    URGENT_TOPICS,
    is_urgent,
    topic_for,
    topics_of,
)
from events.contracts import (
    CONTRACTS,
    Event,
    IncidentKind,
    IncidentReported,
    NotificationRequested,
    RegistrationRequested,
)
from events.envelope import new_envelope
from tests.unit.test_codec import SAMPLES

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_is_keyed_by_its_own_id_field(event: Event) -> None:
    assert event.key_field in type(event).model_fields
    assert event.partition_key() == str(getattr(event, event.key_field))
    other = event.model_copy(update={event.key_field: "another-" + str(getattr(event, event.key_field))})
    assert other.partition_key() != event.partition_key()  # a constant key would serialise nothing


def test_every_contract_has_a_sample_so_none_escapes_the_key_rule() -> None:
    assert {type(e) for e in SAMPLES} == set(CONTRACTS)


def test_two_registrations_of_one_dialogue_share_a_key_and_of_two_dialogues_do_not() -> None:
    def registration(rid: str, did: str) -> RegistrationRequested:
        return RegistrationRequested(registration_id=rid, dialogue_id=did, requested_at=NOW)

    assert new_envelope(registration("r1", "d1")).key == new_envelope(registration("r2", "d1")).key == "d1"
    assert new_envelope(registration("r1", "d1")).key != new_envelope(registration("r1", "d2")).key


def test_a_caused_event_carries_the_chain_and_the_wire_keeps_it() -> None:
    root = new_envelope(SAMPLES[0], NOW)
    assert root.correlation_id == root.event_id and root.causation_id is None
    child = root.caused(SAMPLES[1], NOW)
    grandchild = child.caused(SAMPLES[2], NOW)
    assert child.causation_id == root.event_id and child.correlation_id == root.event_id
    assert child.occurred_at == NOW  # the moment given, not the moment it was wrapped
    assert grandchild.causation_id == child.event_id and grandchild.correlation_id == root.event_id
    assert len({root.event_id, child.event_id, grandchild.event_id}) == 3
    back = decode(encode(grandchild))
    assert (back.event_id, back.causation_id, back.correlation_id) == (
        grandchild.event_id,
        child.event_id,
        root.event_id,
    )


def report(danger: bool) -> IncidentReported:
    return IncidentReported(
        incident_id="i",
        case_id="c",
        municipality_ags="05315000",
        kind=IncidentKind.THREAT,
        immediate_danger=danger,
        reported_at=NOW,
    )


def test_only_what_says_so_takes_the_urgent_lane() -> None:
    assert is_urgent(report(True)) and topic_for(report(True)) == INCIDENTS_URGENT
    assert not is_urgent(report(False)) and topic_for(report(False)) == INCIDENTS
    loud = NotificationRequested(notification_id="n", recipient_id="a", template="t", urgent=True)
    quiet = loud.model_copy(update={"urgent": False})
    assert topic_for(loud) == NOTIFICATIONS_URGENT and topic_for(quiet) == NOTIFICATIONS
    for event in SAMPLES:
        if not isinstance(event, IncidentReported | NotificationRequested):
            assert not is_urgent(event) and topic_for(event) == EVENT_TOPICS[type(event)]


def test_a_consumer_of_a_type_reads_its_urgent_topic_too() -> None:
    assert topics_of(IncidentReported) == [INCIDENTS, INCIDENTS_URGENT]
    assert topics_of(NotificationRequested) == [NOTIFICATIONS, NOTIFICATIONS_URGENT]
    assert topics_of(RegistrationRequested) == [DIALOGUES]
    assert set(URGENT_TOPICS) == {IncidentReported, NotificationRequested}
