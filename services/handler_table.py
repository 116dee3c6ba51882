"""The handler table of this service: which event is handled by what. Grep here first."""

from __future__ import annotations

from events.contracts import (
    DialogueSeatsChanged,
    IncidentReported,
    NotificationRequested,
    PipelineProbe,
    RegistrationCancelled,
    RegistrationRequested,
    SelfCheckSubmitted,
)
from services.dialogues.event_handlers import allocate_seat, release_seat, seats_changed
from services.incidents.event_handlers import open_case
from services.notify.requests import plan_deliveries
from services.pipeline.handler_types import HandlerTable
from services.pipeline.probe import record_probe
from services.selfchecks.event_handlers import score_round

HANDLERS = HandlerTable(
    {
        PipelineProbe: (record_probe,),
        NotificationRequested: (plan_deliveries,),
        IncidentReported: (open_case,),
        RegistrationRequested: (allocate_seat,),
        RegistrationCancelled: (release_seat,),
        DialogueSeatsChanged: (seats_changed,),
        SelfCheckSubmitted: (score_round,),
    }
)
