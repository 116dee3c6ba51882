"""Random identifiers (UUID version 4) drawn from the operating system's random source a few
kilobytes at a time: ``uuid.uuid4()`` asks the kernel for 16 bytes at every call, and in a busy
worker each such call may wait for the interpreter lock to come back."""

from __future__ import annotations

import os
import threading
import uuid

_BATCH = 256  # identifiers per read of the random source
_local = threading.local()


def _forget_after_fork() -> None:
    global _local
    _local = threading.local()  # a forked child must never hand out its parent's identifiers


os.register_at_fork(after_in_child=_forget_after_fork)


def new_id() -> str:
    """A random UUID (version 4) as text, like ``str(uuid.uuid4())``."""
    pool: list[bytes] | None = getattr(_local, "pool", None)
    if not pool:
        raw = os.urandom(16 * _BATCH)
        pool = [raw[i : i + 16] for i in range(0, len(raw), 16)]
        _local.pool = pool
    return str(uuid.UUID(bytes=pool.pop(), version=4))
