"""Mails per second: the notifier delivering ordinary (bulk) mails to a local SMTP server, against
smtplib sending the same rendered messages over one connection in the same run (the ceiling).

    python -m bench.notifications [--mails 2000] [--database-url URL]

Embedded mode (no broker): the requests are stored and planned first, then ``seconds`` runs from the
first bulk send to the last mail arriving, with as many bulk senders as a process runs. Prints one
JSON line; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import smtplib
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import Session, func, select

from bench.common import progress
from bench.mail_sink import MailSink
from notifications.channels import Mail, build_email, message_id
from notifications.messages import MESSAGES
from services.bootstrap import Container, bootstrap
from services.notify.requests import request_notification
from services.notify.tables import DeliveryStatus, NotificationDelivery, NotificationPreference
from services.pipeline.dispatcher import EmbeddedDispatcher
from services.settings import Settings
from services.store.migrate import upgrade
from services.store.tables import Account, Role
from services.store.uow import utc_now

MESSAGE = "selfcheck_result"  # an ordinary message to an account: one mail each


def prepare(container: Container, mails: int) -> list[str]:
    """Accounts that want e-mail only, and one ordinary message to each, planned (not yet sent)."""
    now, ids = utc_now(), []
    with Session(container.engine) as session:
        for n in range(mails):
            account = Account(
                id=str(uuid.uuid4()),
                email=f"b{n}-{uuid.uuid4().hex[:6]}@example.org",
                display_name=f"Kommune {n}",
                role=Role.MUNICIPALITY,
                password_hash="-",  # never signs in
                created_at=now,
            )
            session.add(account)
            ids.append(account.id)
        session.flush()  # the accounts before the preferences that refer to them
        for account_id in ids:
            session.add(NotificationPreference(account_id=account_id, channels="email", updated_at=now))
        session.commit()
    with container.uow() as uow:
        for account_id in ids:
            request_notification(
                uow, recipient_id=account_id, template=MESSAGE, context=MESSAGES[MESSAGE].stored_sample()
            )
        uow.commit()
    # NotificationRequested -> one delivery per account, due now; nothing sent yet (no follow-up)
    EmbeddedDispatcher(container.engine, container.processor(), clock=container.clock).drain()
    return ids


def notifier_rate(container: Container, inbox: MailSink, mails: int) -> tuple[float, float]:
    """(mails per second, seconds) for the notifier's bulk senders (as many threads as a process
    runs, ``notification_senders``) until every mail arrived."""

    def sender() -> None:
        while True:
            container.delivery_runner.send_bulk()
            with Session(container.engine) as session:
                waiting = session.exec(
                    select(func.count())
                    .select_from(NotificationDelivery)
                    .where(NotificationDelivery.status != DeliveryStatus.SENT)
                ).one()
            if not waiting:
                return

    started = time.time()
    with ThreadPoolExecutor(container.settings.notification_senders) as senders:
        for done in [senders.submit(sender) for _ in range(container.settings.notification_senders)]:
            done.result()
    assert inbox.count == 0 or inbox.last >= started, "mails went out before the measurement began"
    seconds = inbox.wait_for(mails) - started
    return mails / seconds, seconds


def ceiling_rate(container: Container, port: int, inbox: MailSink, mails: int) -> float:
    """smtplib over one connection, the same message rendered and built once per recipient
    beforehand (the bytes the senders send)."""
    rendered = container.renderer.render(MESSAGE, "de", MESSAGES[MESSAGE].stored_sample(), utc_now())
    messages = [
        build_email(
            Mail(
                "bench@example.org",
                f"c{n}@example.org",
                message_id(str(uuid.uuid4()), "bench.invalid"),
                utc_now(),
            ),
            rendered,
        )
        for n in range(mails)
    ]
    before = inbox.count
    started = time.time()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for message in messages:
            client.sendmail(message.sender, [message.recipient], message.data)
    return mails / (inbox.wait_for(before + mails) - started)


def run(mails: int, database_url: str | None) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="weltoffen-bench-notifications-"))
    with MailSink() as inbox:
        settings = Settings(
            database_url=database_url or f"sqlite:///{folder / 'bench.db'}",
            data_dir=folder,
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            smtp_starttls=False,
        )
        container = bootstrap(settings)
        upgrade(container.engine)
        progress(f"storing and planning {mails} mails")
        prepare(container, mails)
        progress("the notifier sends them")
        rate, seconds = notifier_rate(container, inbox, mails)
        progress("the ceiling: smtplib over one connection")
        ceiling = ceiling_rate(container, inbox.port, inbox, mails)
    return {
        "benchmark": "notifications",
        "mails": mails,
        "database": container.engine.dialect.name,
        "seconds": round(seconds, 2),
        "mails_per_s": round(rate, 1),
        "ceiling_one_connection_per_s": round(ceiling, 1),
        "ratio": round(rate / ceiling, 3),
    }


def main() -> None:
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("--mails", type=int, default=2000)
    arguments.add_argument("--database-url", default=None)
    args = arguments.parse_args()
    print(json.dumps(run(args.mails, args.database_url)), flush=True)


if __name__ == "__main__":
    main()
