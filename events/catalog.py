"""The topic catalogue: every Kafka topic, its key, partitions, retention and dead-letter twin."""

from __future__ import annotations

from dataclasses import dataclass

from events.contracts import (
    CampaignDetected,
    CaseUpdated,
    DialogueSeatsChanged,
    Event,
    IncidentReported,
    NotificationRequested,
    PipelineProbe,
    RegistrationCancelled,
    RegistrationRequested,
    SelfCheckSubmitted,
    SupportOfferIssued,
)

DAY_MS = 24 * 60 * 60 * 1000
DEAD_LETTER_SUFFIX = ".dlt"
# The largest message the relay's producer sends (its max_request_size). Topics accept a little more
# (max.message.bytes counts the record batch with its header), so whatever the producer sends fits.
MAX_MESSAGE_BYTES = 1024 * 1024
TOPIC_MAX_MESSAGE_BYTES = MAX_MESSAGE_BYTES + 16 * 1024
# A dead letter keeps at most this much of the original value (with its size and SHA-256 beside it):
# a letter must itself always be publishable.
DEAD_LETTER_VALUE_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic as it must exist on the broker (without the deployment's prefix)."""

    name: str
    key_field: str
    partitions: int = 6
    retention_ms: int = 14 * DAY_MS
    cleanup_policy: str = "delete"
    # Input: consumed by a worker agent, so it has a dead-letter twin. Outcome: published for outside
    # readers (and the admin's eyes); nothing here consumes it, so nothing there is dead-lettered.
    is_input: bool = True

    @property
    def dead_letter(self) -> TopicSpec:
        return TopicSpec(
            name=self.name + DEAD_LETTER_SUFFIX,
            key_field=self.key_field,
            partitions=self.partitions,
            retention_ms=30 * DAY_MS,  # long enough for a person to look and replay
            is_input=False,
        )

    def config(self) -> dict[str, str]:
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": self.cleanup_policy,
            "max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES),
        }


INCIDENTS = TopicSpec("weltoffen.incidents", key_field="case_id")
# Immediate danger: its own topic and agent, so an emergency never queues behind other reports.
INCIDENTS_URGENT = TopicSpec("weltoffen.incidents.urgent", key_field="case_id")
DIALOGUES = TopicSpec("weltoffen.dialogues", key_field="dialogue_id")
SELFCHECKS = TopicSpec("weltoffen.selfchecks", key_field="municipality_ags")
NOTIFICATIONS = TopicSpec("weltoffen.notifications", key_field="recipient_id")
# Emergencies never queue behind bulk mail: their own topic, consumed by their own agent.
NOTIFICATIONS_URGENT = TopicSpec("weltoffen.notifications.urgent", key_field="recipient_id")
PROBES = TopicSpec("weltoffen.probes", key_field="stream", retention_ms=1 * DAY_MS)

# Outcome topics: what the service decided, for readers outside it (dashboards, partner systems,
# an archive). Keyed like the input they came from; longer retention, no dead-letter twin.
CASE_UPDATES = TopicSpec(
    "weltoffen.case-updates", key_field="case_id", retention_ms=30 * DAY_MS, is_input=False
)
CAMPAIGNS = TopicSpec(
    "weltoffen.campaigns", key_field="campaign_id", retention_ms=30 * DAY_MS, is_input=False
)
SUPPORT_OFFERS = TopicSpec(
    "weltoffen.support-offers", key_field="subject_id", retention_ms=30 * DAY_MS, is_input=False
)

INPUT_TOPICS: tuple[TopicSpec, ...] = (
    INCIDENTS,
    INCIDENTS_URGENT,
    DIALOGUES,
    SELFCHECKS,
    NOTIFICATIONS,
    NOTIFICATIONS_URGENT,
    PROBES,
)
OUTCOME_TOPICS: tuple[TopicSpec, ...] = (CASE_UPDATES, CAMPAIGNS, SUPPORT_OFFERS)

CATALOG: tuple[TopicSpec, ...] = (
    *(spec for topic in INPUT_TOPICS for spec in (topic, topic.dead_letter)),
    *OUTCOME_TOPICS,
)

EVENT_TOPICS: dict[type[Event], TopicSpec] = {
    IncidentReported: INCIDENTS,
    CaseUpdated: CASE_UPDATES,
    CampaignDetected: CAMPAIGNS,
    RegistrationRequested: DIALOGUES,
    RegistrationCancelled: DIALOGUES,
    DialogueSeatsChanged: DIALOGUES,
    SelfCheckSubmitted: SELFCHECKS,
    SupportOfferIssued: SUPPORT_OFFERS,
    NotificationRequested: NOTIFICATIONS,
    PipelineProbe: PROBES,
}


# Events of these types take the urgent lane when they say so.
URGENT_TOPICS: dict[type[Event], TopicSpec] = {
    IncidentReported: INCIDENTS_URGENT,
    NotificationRequested: NOTIFICATIONS_URGENT,
}


def is_urgent(event: Event) -> bool:
    if isinstance(event, IncidentReported):
        return event.immediate_danger
    if isinstance(event, NotificationRequested):
        return event.urgent
    return False


def topic_for(event: Event) -> TopicSpec:
    """The topic an event is published on."""
    if is_urgent(event):
        return URGENT_TOPICS[type(event)]
    return EVENT_TOPICS[type(event)]


def topics_of(event_type: type[Event]) -> list[TopicSpec]:
    """Every topic events of this type can travel on (a consumer must read all of them)."""
    urgent = URGENT_TOPICS.get(event_type)
    return [EVENT_TOPICS[event_type], *([urgent] if urgent else [])]


def spec_named(name: str) -> TopicSpec:
    """The catalogue entry with this (unprefixed) name."""
    for spec in CATALOG:
        if spec.name == name:
            return spec
    raise KeyError(f"topic {name!r} is not in the catalogue")
