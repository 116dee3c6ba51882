"""A child's lifeline: once the process that started it is gone, the child is asked to leave its own
way, and ended if it has not within its grace (real processes: the parent is SIGKILLed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.orphans import ROOT, running

pytestmark = pytest.mark.integration

CHILD = """
import os, sys, threading, time
from pathlib import Path
from services.lifeline import hold_on_to
folder, obeys = Path(sys.argv[1]), sys.argv[2] == "obeys"
stop = threading.Event()
def leave():
    (folder / "asked").write_text(str(time.monotonic()))
    if obeys:
        stop.set()
hold_on_to(int(sys.argv[3]), "a test child", leave=leave, grace_s=2.0, interval_s=0.1)
print(os.getpid(), flush=True)
while not stop.wait(0.1):
    pass  # a child that does not obey keeps working here, as one stuck in a start would
(folder / "left").write_text("on its own")
"""

PARENT = """
import os, subprocess, sys, time
command = [sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3], str(os.getpid())]
child = subprocess.Popen(command, stdout=subprocess.PIPE)
print(child.stdout.readline().decode().strip(), flush=True)
time.sleep(600)
"""


def orphan(folder: Path, obeys: bool) -> int:
    """A child whose parent has just been SIGKILLed: its process id."""
    command = [sys.executable, "-c", PARENT, CHILD, str(folder), "obeys" if obeys else "stuck"]
    parent = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, env=os.environ | {"PYTHONPATH": str(ROOT)}
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert running(child)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    return child


def ended_within(pid: int, seconds: float) -> float | None:
    """When (``time.monotonic()``, the same clock in every process) the process was seen gone."""
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return None if running(pid) else time.monotonic()


def test_a_child_asked_to_leave_leaves_its_own_way(tmp_path: Path) -> None:
    child = orphan(tmp_path, obeys=True)
    assert ended_within(child, 10) is not None
    assert (tmp_path / "asked").exists() and (tmp_path / "left").read_text() == "on its own"


def test_a_child_that_does_not_leave_is_ended_after_its_grace(tmp_path: Path) -> None:
    child = orphan(tmp_path, obeys=False)
    ended = ended_within(child, 15)
    assert ended is not None
    asked = float((tmp_path / "asked").read_text())
    assert ended - asked >= 1.9  # its grace, 2 s, was given
    assert not (tmp_path / "left").exists()
