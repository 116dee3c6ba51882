"""A process's scheduling priority as the kernel sees it, and whether this host lets a process raise
its own (root, or an RLIMIT_NICE that allows it)."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def expected_after_raising(by: int) -> int:
    """Where a child of this process ends up after asking to be scheduled ``by`` higher: there if the
    host allows it (the kernel's floor is -20), else where it started."""
    start = os.nice(0)
    wanted = max(-20, start - by)
    soft, _ = resource.getrlimit(resource.RLIMIT_NICE)
    allowed = os.geteuid() == 0 or (soft != resource.RLIM_INFINITY and wanted >= 20 - soft)
    return wanted if allowed else start
