"""The worker's child processes end when the worker is gone, whatever they are doing then.

A child looks for its parent in its own loop, but only once it has started: one still bootstrapping,
handing over offsets, starting Faust or finishing a batch when its worker was killed would stay
behind, holding its consumer group's partitions or a sender's claims. The lifeline is a thread
started first thing in the child; when the parent is gone it asks the child to leave its own way
(``leave``: a stop event set, Faust's SIGTERM) and ends the process ``grace_s`` later if that did
not."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
EXIT_ORPHANED = 70  # the exit code of a child ended by its lifeline


def hold_on_to(
    parent: int,
    what: str,
    leave: Callable[[], object] | None = None,
    grace_s: float = 20.0,
    interval_s: float = 0.5,
    exit_: Callable[[int], object] = os._exit,
) -> threading.Thread:
    """Watch ``parent`` from a daemon thread; see the module's text."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(interval_s)
        log.warning("%s: the worker (process %s) is gone; ending within %.0fs", what, parent, grace_s)
        if leave is not None:
            try:
                leave()
            except Exception:  # the hard way out below still comes
                log.exception("%s: could not be asked to end", what)
        threading.Event().wait(grace_s)
        log.error("%s: still running %.0fs after its worker ended; ending it now", what, grace_s)
        exit_(EXIT_ORPHANED)

    thread = threading.Thread(target=watch, name="lifeline", daemon=True)
    thread.start()
    return thread
