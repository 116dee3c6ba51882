"""While events trickle in (a rush of registrations stored one by one), the relay's bulk lane
gathers them for its idle time instead of paying a round of queries, a flush and a commit for every
row or two; after a full batch it goes on at once. The urgent lane goes on whenever it found
anything. The urgent lane's thread is scheduled higher than the bulk lane's."""

from __future__ import annotations

import os
import threading

from services.relay.relay import Relay
from tests.support.pipeline import pipeline_settings
from tests.support.priority import expected_after_raising


class Stop(threading.Event):
    """Ends the lane after the scripted rounds; records every pause the lane asked for."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.pauses: list[float] = []

    def is_set(self) -> bool:
        return self.rounds <= 0

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.pauses.append(timeout)
        return False


def paces(urgent: bool, settled: list[int]) -> list[float]:
    settings = pipeline_settings(
        "sqlite://", relay_batch_size=500, relay_idle_s=0.05, relay_urgent_idle_s=0.01
    )
    relay = Relay(settings, engine=None)  # type: ignore[arg-type]
    stop = Stop(len(settled))
    rounds = iter(settled)

    def publish_lane(lane_urgent: bool) -> int:
        assert lane_urgent is urgent
        stop.rounds -= 1
        return next(rounds)

    relay.publish_lane = publish_lane  # type: ignore[method-assign]
    relay._run_lane(stop, urgent)
    return stop.pauses


def test_the_bulk_lane_gathers_a_trickle_and_goes_on_at_once_after_a_full_batch() -> None:
    pauses = paces(urgent=False, settled=[500, 500, 2, 1, 0, 499])
    # two full batches back to back; then a trickle of 2 and 1 rows, nothing, 499: each a pause
    assert pauses == [0.05, 0.05, 0.05, 0.05]


def test_the_urgent_lane_goes_on_at_once_whenever_it_found_anything() -> None:
    pauses = paces(urgent=True, settled=[1, 2, 0, 1, 0])
    assert pauses == [0.01, 0.01]


def test_the_urgent_lane_is_scheduled_higher_than_the_bulk_lane() -> None:
    settings = pipeline_settings("sqlite://", urgent_nice=-3, relay_idle_s=0.01, relay_urgent_idle_s=0.01)
    relay = Relay(settings, engine=None)  # type: ignore[arg-type]
    seen: dict[bool, int] = {}
    stop = threading.Event()

    def publish_lane(urgent: bool) -> int:
        seen[urgent] = os.getpriority(os.PRIO_PROCESS, 0)  # on Linux: the calling thread's
        if len(seen) == 2:
            stop.set()
        return 0

    relay.publish_lane = publish_lane  # type: ignore[method-assign]
    relay.run(stop)
    assert seen == {True: expected_after_raising(3), False: os.nice(0)}
