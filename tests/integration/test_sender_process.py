"""The worker's senders in a process of their own: woken by a batch, sending with the worker's
settings, and never outliving the worker that started them."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.bootstrap import Container
from services.notify.sender_process import SenderProcess
from services.settings import Settings
from tests.integration.test_notifications import account, deliveries, make_container, notify, prefer
from tests.support.clock import Clock
from tests.support.mail import MailServer
from tests.support.orphans import left_running_after_kill
from tests.support.priority import expected_after_raising, niceness

pytestmark = pytest.mark.integration


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
        assert _settled(container, notification_id) == "sent"
        alert_id = notify(container, recipient, "selfcheck_result", urgent=True)
        container.dispatcher().drain()  # the urgent lane's own process
        assert len(mail.wait_for(2, timeout_s=30)) == 2
        assert _settled(container, alert_id) == "sent"
    finally:
        senders.stop()
    assert not senders.alive


def _settled(container: Container, notification_id: str) -> str:
    """The mail delivery's status once it is no longer being sent (the mail arrives a moment before
    the sender records it)."""
    deadline = time.monotonic() + 10
    status = deliveries(container, notification_id)["email"].status
    while status == "sending" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = deliveries(container, notification_id)["email"].status
    return str(status)


def test_the_senders_end_when_their_worker_is_killed(private_database_url: str, tmp_path: Path) -> None:
    starts = (
        "from services.notify.sender_process import SenderProcess\n"
        "senders = SenderProcess(settings)\n"
        "senders.start()\n"
        "pids = senders.pids.values()"
    )
    children, running = left_running_after_kill(tmp_path, private_database_url, starts)
    assert len(children) == 3 and running == []  # the urgent sender and two of bulk senders


def test_the_bulk_senders_run_lower_and_the_urgent_sender_higher_than_the_worker(
    private_database_url: str,
) -> None:
    settings = Settings(
        database_url=private_database_url,
        kafka_bootstrap="",
        bulk_senders_nice=7,
        bulk_sender_processes=3,
        urgent_nice=-4,
    )
    senders = SenderProcess(settings)
    senders.start()
    try:
        pids = senders.pids
        bulk = ["weltoffen-bulk-senders", "weltoffen-bulk-senders-1", "weltoffen-bulk-senders-2"]
        assert set(pids) == {"weltoffen-urgent-sender", *bulk}
        urgent = expected_after_raising(4)
        deadline = time.monotonic() + 20  # the children change their priority as they start
        while time.monotonic() < deadline and (
            any(niceness(pids[name]) == os.nice(0) for name in bulk)
            or niceness(pids["weltoffen-urgent-sender"]) != urgent
        ):
            time.sleep(0.05)
        assert [niceness(pids[name]) for name in bulk] == [min(19, os.nice(0) + 7)] * 3
        assert niceness(pids["weltoffen-urgent-sender"]) == urgent
    finally:
        senders.stop()
    assert not senders.alive
