"""Children that must end by themselves when the worker that started them is killed (SIGKILL: no
goodbye, nobody to stop them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def left_running_after_kill(
    folder: Path, database_url: str, starts: str, within_s: float = 20.0
) -> tuple[list[int], list[int]]:
    """A worker stand-in that runs ``starts`` (Python with ``settings`` at hand; it sets ``pids``,
    its children's process ids), is killed, and leaves its children ``within_s`` to end by
    themselves: (the children, those still running)."""
    script = folder / "worker.py"
    script.write_text(
        "import sys, time\n"
        "from services.settings import Settings\n"
        "settings = Settings(database_url=sys.argv[1], kafka_bootstrap='')\n"
        f"{starts}\n"
        "print(*pids, flush=True)\n"
        "time.sleep(600)\n"
    )
    command = [sys.executable, str(script), database_url]
    parent = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, env=os.environ)
    assert parent.stdout is not None
    children = [int(pid) for pid in parent.stdout.readline().split()]
    assert children and all(running(child) for child in children)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + within_s
    while any(running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    return children, [child for child in children if running(child)]
