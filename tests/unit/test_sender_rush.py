"""The further bulk senders hold back while the worker is in a rush, and send as soon as it is over."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from services.notify.sender_process import after_rush
from services.timers import Timer


def _timer(runs: list[float]) -> Timer:
    return Timer("send-bulk-1", 1.0, lambda: runs.append(time.monotonic()))


def test_a_sender_waits_until_the_rush_is_over_then_sends_once() -> None:
    runs: list[float] = []
    rush_until = SimpleNamespace(value=time.monotonic() + 0.3)
    after_rush(_timer(runs), rush_until).run()
    assert len(runs) == 1 and runs[0] >= rush_until.value


def test_a_rush_that_goes_on_keeps_the_sender_waiting() -> None:
    runs: list[float] = []
    rush_until = SimpleNamespace(value=time.monotonic() + 0.2)
    longer = rush_until.value + 0.3

    def full_batch_again() -> None:  # the worker takes another full batch during the wait
        time.sleep(0.1)
        rush_until.value = longer

    worker = threading.Thread(target=full_batch_again)
    worker.start()
    after_rush(_timer(runs), rush_until).run()
    worker.join()
    assert len(runs) == 1 and runs[0] >= longer


def test_without_a_rush_the_sender_sends_at_once_and_keeps_its_timer() -> None:
    runs: list[float] = []
    timer = _timer(runs)
    held = after_rush(timer, SimpleNamespace(value=0.0))
    held.run()
    assert len(runs) == 1
    assert (held.name, held.interval_s, held.wake) == (timer.name, timer.interval_s, timer.wake)
