"""On real Kafka with the worker as its own process: an urgent notification overtakes a burst of
bulk notifications — its own topic, its own agent, its own sender."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session

from notifications.messages import MESSAGES
from services.accounts.operations import AccountCreate, new_account
from services.notify.requests import request_notification
from tests.support.mail import MailServer
from tests.support.pipeline import KafkaPipeline, pipeline_settings

pytestmark = pytest.mark.integration
BULK = 400


def test_an_urgent_message_is_not_held_up_by_a_bulk_burst(
    postgres_url: str, kafka_bootstrap: str, mail: MailServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(
        postgres_url, kafka_bootstrap, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    try:
        with Session(pipeline.container.engine, expire_on_commit=False) as session:
            people = []
            for name in ("bulk", "urgent"):
                body = AccountCreate(
                    email=f"{name}-{uuid.uuid4().hex[:8]}@example.org",
                    display_name=name,
                    role="coordinator",  # type: ignore[arg-type]
                    password="correct horse battery staple",
                    region="03",
                )
                people.append(new_account(body, pipeline.container.clock()))
            session.add_all(people)
            session.commit()
        bulk, urgent = people
        with pipeline.container.uow() as uow:
            for _ in range(BULK):
                request_notification(
                    uow,
                    recipient_id=bulk.id,
                    template="selfcheck_result",
                    context=MESSAGES["selfcheck_result"].sample,
                )
            uow.commit()
        with pipeline.container.uow() as uow:  # written after the whole burst
            request_notification(
                uow,
                recipient_id=urgent.id,
                template="case_assigned",
                context=MESSAGES["case_assigned"].sample,
                urgent=True,
            )
            uow.commit()

        pipeline.deliver()  # the relay publishes the burst first, then the urgent request
        deadline = time.monotonic() + 60
        while urgent.email not in mail.handler.recipients and time.monotonic() < deadline:
            time.sleep(0.02)
        bulk_before_urgent = mail.handler.recipients.count(bulk.email)
        assert urgent.email in mail.handler.recipients, pipeline.log_path.read_text()[-3000:]
        assert bulk_before_urgent < BULK / 2, (
            f"{bulk_before_urgent} bulk mails went out before the urgent one"
        )

        mail.wait_for(BULK + 1, timeout_s=120)  # and the burst is not lost either
        assert mail.handler.recipients.count(bulk.email) == BULK
    finally:
        pipeline.close()
