"""The handler table of this service: which event is handled by what. Grep here first."""

from __future__ import annotations

from events.contracts import PipelineProbe
from services.pipeline.handlers import HandlerTable
from services.pipeline.probe import record_probe

HANDLERS = HandlerTable(
    {
        PipelineProbe: (record_probe,),
    }
)
