"""The handler table of this service: which event is handled by what. Grep here first."""

from __future__ import annotations

from events.contracts import (
    IncidentReported,
    NotificationRequested,
    PipelineProbe,
    RegistrationCancelled,
    RegistrationRequested,
    SelfCheckSubmitted,
)
from services.dialogues.handlers import allocate_seat, release_seat
from services.incidents.handlers import open_case
from services.notify.requests import plan_deliveries
from services.pipeline.handlers import HandlerTable
from services.pipeline.probe import record_probe
from services.selfchecks.handlers import score_round

HANDLERS = HandlerTable(
    {
        PipelineProbe: (record_probe,),
        NotificationRequested: (plan_deliveries,),
        IncidentReported: (open_case,),
        RegistrationRequested: (allocate_seat,),
        RegistrationCancelled: (release_seat,),
        SelfCheckSubmitted: (score_round,),
    }
)
