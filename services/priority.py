"""Scheduling priority of the worker's child processes and the relay's lanes. The urgent lane (the
urgent Processor and the urgent sender, each a process, and the relay's urgent lane, a thread) is
scheduled higher than the rest, so on a busy machine an emergency is handled as soon as it arrives
instead of taking turns with a rush of bulk work; the bulk senders lower. On Linux the niceness
belongs to the calling thread, and threads started later inherit it. Raising a priority needs the
host's leave (root, CAP_SYS_NICE, or an RLIMIT_NICE such as systemd's ``LimitNICE=``); without it
the process runs at normal priority and says so once in the log."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)


def reschedule(by: int, what: str, nice: Callable[[int], int] = os.nice) -> bool:
    """Change this process's niceness by ``by`` (negative: scheduled higher); whether it could."""
    if not by:
        return True
    try:
        nice(by)
    except PermissionError:
        log.warning(
            "%s runs at normal priority: the host does not allow raising it by %d "
            "(give the worker CAP_SYS_NICE or LimitNICE=, or set URGENT_NICE=0)",
            what,
            -by,
        )
        return False
    return True
