"""Handler for pipeline probes: synthetic events that prove the path end to end and time it."""

from __future__ import annotations

from events import Envelope
from events.contracts import PipelineProbe, ProbeFault
from services.pipeline.handler_types import handles
from services.store.tables import ProbeReceipt
from services.store.uow import UnitOfWork


class ProbeFaultInjected(RuntimeError):
    """Raised on purpose for a probe that asks for a fault drill."""


@handles("pipeline.record_probe")
def record_probe(envelope: Envelope, uow: UnitOfWork) -> None:
    probe = envelope.event
    assert isinstance(probe, PipelineProbe)
    if probe.fault is ProbeFault.FAIL:
        raise ProbeFaultInjected(f"fault drill: probe {probe.probe_id} #{probe.sequence} fails on purpose")
    uow.append(
        ProbeReceipt,
        {
            "event_id": envelope.event_id,
            "probe_id": probe.probe_id,
            "stream": probe.stream,
            "sequence": probe.sequence,
            "sent_at": probe.sent_at,
            "received_at": uow.clock(),
        },
    )
