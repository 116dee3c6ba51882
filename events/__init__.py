"""Event contracts, the envelope, the topic catalogue and the JSON codec. No I/O lives here."""

from events.catalog import CATALOG, TopicSpec, topic_for
from events.codec import DecodeError, decode, encode
from events.contracts import (
    Event,
    IncidentReported,
    NotificationRequested,
    PipelineProbe,
    RegistrationCancelled,
    RegistrationRequested,
    SelfCheckSubmitted,
    SupportOfferIssued,
)
from events.envelope import Envelope, new_envelope

__all__ = [
    "CATALOG",
    "DecodeError",
    "Envelope",
    "Event",
    "IncidentReported",
    "NotificationRequested",
    "PipelineProbe",
    "RegistrationCancelled",
    "RegistrationRequested",
    "SelfCheckSubmitted",
    "SupportOfferIssued",
    "TopicSpec",
    "decode",
    "encode",
    "new_envelope",
    "topic_for",
]
