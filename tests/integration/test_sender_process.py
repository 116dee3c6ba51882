"""The worker's senders in a process of their own: woken by a batch, sending with the worker's
settings, and never outliving the worker that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.notify.sender_process import SenderProcess
from tests.integration.test_notifications import account, deliveries, make_container, notify, prefer
from tests.support.clock import Clock
from tests.support.mail import MailServer

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_a_woken_sender_process_sends_what_a_batch_planned(
    private_database_url: str, mail: MailServer
) -> None:
    container = make_container(
        private_database_url, mail.port, Clock(datetime.now(UTC))
    )  # the child: real time
    container.settings.timer_interval_s = 3600  # only a wake can make it send within the test
    senders = SenderProcess(container.settings)
    container.wake_urgent, container.wake_bulk = senders.wake_urgent, senders.wake_bulk
    container.senders_in_background = True
    senders.start()
    try:
        recipient = account(container)
        prefer(container, recipient, channels="email")
        notification_id = notify(container, recipient, "selfcheck_result")
        container.dispatcher().drain()  # plans the delivery, and its follow-up wakes the senders
        assert len(mail.wait_for(1, timeout_s=30)) == 1
        assert deliveries(container, notification_id)["email"].status == "sent"
    finally:
        senders.stop()
    assert not senders.alive


def test_the_senders_end_when_their_worker_is_killed(private_database_url: str, tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from services.notify.sender_process import SenderProcess\n"
        "from services.settings import Settings\n"
        "senders = SenderProcess(Settings(database_url=sys.argv[1], kafka_bootstrap=''))\n"
        "senders.start()\n"
        "print(senders._process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, str(script), private_database_url], cwd=ROOT, stdout=subprocess.PIPE, env=os.environ
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _running(child)
    parent.send_signal(signal.SIGKILL)  # no goodbye: the child must notice by itself
    parent.wait()
    deadline = time.monotonic() + 20
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"
