"""Several channels at once: a sender hands each channel's share of a batch to a thread of its own
(a lane) and waits for all of them, so an emergency's mail does not wait while the Matrix
homeserver answers, nor the Matrix message behind the mail server. Within a lane the deliveries go
out one after another, in the order given, and stop when the lease is nearly over or the channel's
server is away. What only needs keeping (the in-app inbox) takes no lane.

Lanes are kept per sending thread and channel: a sender's mail always leaves from the same thread,
which keeps its SMTP connection (notifications.channels.SmtpSender keeps one per thread)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Final

from notifications.channels import DeliveryError
from services.notify.channel_sender import Outgoing
from services.store.uow import Clock

log = logging.getLogger(__name__)


class _Untried:
    def __repr__(self) -> str:
        return "UNTRIED"


UNTRIED: Final = _Untried()  # not sent: the lease was nearly over, or the channel's server was away


class ChannelLanes:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._local = threading.local()

    def transmit(self, outgoing: Sequence[Outgoing], send_by: datetime) -> list[object]:
        """For each delivery, in the order given: what its ``transmit`` returned, its
        DeliveryError, or UNTRIED."""
        outcomes: list[object] = [UNTRIED] * len(outgoing)
        positions: dict[str, list[int]] = {}
        for position, item in enumerate(outgoing):
            if item.goes_over_the_network:
                positions.setdefault(item.channel, []).append(position)
            elif self._clock() < send_by:
                outcomes[position] = None  # nothing to send: only kept, in the sender's thread
        running: dict[str, Future[list[object]]] = {
            channel: self._lane(channel).submit(self._run, [outgoing[p] for p in ps], send_by)
            for channel, ps in positions.items()
        }
        for channel, future in running.items():
            for position, outcome in zip(positions[channel], future.result(), strict=True):
                outcomes[position] = outcome
        return outcomes

    def _lane(self, channel: str) -> ThreadPoolExecutor:
        lanes: dict[str, ThreadPoolExecutor] = self._local.__dict__.setdefault("lanes", {})
        if channel not in lanes:
            name = f"{threading.current_thread().name}-{channel}"
            lanes[channel] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        return lanes[channel]

    def _run(self, outgoing: Sequence[Outgoing], send_by: datetime) -> list[object]:
        outcomes: list[object] = []
        away = False
        for item in outgoing:
            if away or self._clock() >= send_by:
                outcomes.append(UNTRIED)
                continue
            try:
                outcomes.append(item.transmit())
            except DeliveryError as exc:
                outcomes.append(exc)
                away = exc.outage
            except Exception as exc:  # a bug in a channel must not leave the rest of the batch claimed
                log.exception("sending over %s failed unexpectedly", item.channel)
                outcomes.append(DeliveryError(f"unexpected: {type(exc).__name__}", False))
        return outcomes
