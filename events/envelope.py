"""The envelope every event travels in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from events.contracts import Event
from events.ids import new_id


@dataclass(frozen=True, slots=True)
class Envelope:
    """An event with its identity, time and causal links."""

    event: Event
    event_id: str = field(default_factory=lambda: new_id())
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str | None = None
    causation_id: str | None = None

    @property
    def type_name(self) -> str:
        return self.event.type_name

    @property
    def version(self) -> int:
        return self.event.version

    @property
    def key(self) -> str:
        return self.event.partition_key()

    def caused(self, event: Event, occurred_at: datetime | None = None) -> Envelope:
        """An envelope for an event this one caused: same correlation, causation = this event."""
        return Envelope(
            event=event,
            occurred_at=occurred_at or datetime.now(UTC),
            correlation_id=self.correlation_id or self.event_id,
            causation_id=self.event_id,
        )


def new_envelope(event: Event, occurred_at: datetime | None = None) -> Envelope:
    """A fresh envelope, starting its own correlation."""
    envelope = Envelope(event=event, occurred_at=occurred_at or datetime.now(UTC))
    return Envelope(
        event=event,
        event_id=envelope.event_id,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.event_id,
    )
