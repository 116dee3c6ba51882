"""After a broker crash the old producer may fail even to close; the relay must then start with a new
producer instead of retrying with the broken one for ever (the drills found this)."""

from __future__ import annotations

from typing import Any

from services.relay.relay import Relay
from tests.support.pipeline import pipeline_settings


class BrokenProducer:
    def __init__(self) -> None:
        self.closed = False

    def send(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("not used")

    def flush(self, timeout: float | None = None) -> None:
        return None

    def close(self, timeout: float | None = None) -> None:
        self.closed = True
        raise TimeoutError("Timeout waiting for future")


def test_a_producer_that_cannot_close_is_replaced_by_a_new_one() -> None:
    made: list[BrokenProducer] = []

    def factory(_settings: Any) -> BrokenProducer:
        made.append(BrokenProducer())
        return made[-1]

    relay = Relay(pipeline_settings("sqlite://"), engine=None, producer_factory=factory)  # type: ignore[arg-type]
    first = relay._connect(urgent=False)
    relay.close()  # raises inside; the relay lets go of it all the same
    second = relay._connect(urgent=False)
    assert first.closed and second is not first and len(made) == 2
    relay.close()
    assert relay._connect(urgent=False) is made[-1] and len(made) == 3
