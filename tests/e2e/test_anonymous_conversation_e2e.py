"""End to end on real Kafka + PostgreSQL + a real SMTP server, the worker as its own process: an
anonymous reporter and their coordinator write to each other. The reporter leaves an address and is
told there is news (never what); the coordinator is told of the answer. Every message is encrypted
at rest, and nothing of the conversation or the address is on any topic."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.incidents.tables import Case, CaseNote
from services.store.tables import Role
from tests.e2e.test_incidents_e2e import wait_for_mail
from tests.integration.test_incidents import case_of
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.kafka import assert_nothing_on_topics
from tests.support.mail import MailServer
from tests.support.people import person
from tests.support.pipeline import KafkaPipeline, pipeline_settings
from tests.support.places import own_ags

pytestmark = pytest.mark.integration
NARRATIVE = "Jemand hat meine Privatadresse in einem Forum veröffentlicht, mit Fotos von meinem Auto."
QUESTION = "In welchem Forum genau? Wir stellen heute noch den Löschantrag."
ANSWER = "Im Forum Stadtgeflüster, Faden Rathaus-Wahrheit, seit gestern Abend."
ADDRESS = f"hinweisgeberin-{random.randint(1000, 9999)}@example.org"


def wait_for(
    condition: Callable[[], bool], what: str, pipeline: KafkaPipeline, timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pipeline.deliver()
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}; worker log: {pipeline.log_path.read_text()[-3000:]}")


def test_anonymous_conversation_on_kafka_encrypted_at_rest_and_off_the_topics(
    postgres_url: str, kafka_bootstrap: str, mail: MailServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(
        postgres_url, kafka_bootstrap, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    container = bootstrap(settings, clock=Clock(datetime.now(UTC)))
    ags = own_ags()  # a district of its own: no other test's coordinators or cases
    try:
        with api_client(create_app(container, run_dispatcher=False)) as client:
            coordinator = person(
                container, Role.COORDINATOR, region=ags, expertise="takedown", client=client, name="Kim Koch"
            )
            report = client.post(
                "/incidents/anonymous",
                json={
                    "kind": "doxxing",
                    "channel": "online",
                    "occurred_at": datetime.now(UTC).isoformat(),
                    "municipality_ags": ags,
                    "targets": ["self"],
                    "immediate_danger": False,
                    "narrative": NARRATIVE,
                },
            )
            assert report.status_code == 201, report.text
            code, case_id = report.json()["anonymous_code"], report.json()["case_id"]
            secret = {"X-Case-Secret": report.json()["anonymous_secret"]}
            wait_for(lambda: case_of(container, case_id).status == "assigned", "not routed", pipeline)
            ref = case_of(container, case_id).ref
            assert client.post(f"/cases/{case_id}/acknowledge", headers=coordinator.auth).status_code == 200

            left = client.put(
                f"/anonymous/cases/{code}/news-address", json={"address": ADDRESS}, headers=secret
            )
            assert left.status_code == 200 and left.json()["handler"]["display_name"] == "Kim Koch"
            sent = client.post(
                f"/cases/{case_id}/messages", json={"text": QUESTION}, headers=coordinator.auth
            )
            assert sent.status_code == 201
            assert wait_for_mail(pipeline, mail, ADDRESS, 1) == ["Es gibt Neuigkeiten zu Ihrer Meldung"]

            status = client.get(f"/anonymous/cases/{code}", headers=secret).json()
            assert [(m["from_reporter"], m["text"]) for m in status["messages"]] == [(False, QUESTION)]
            answered = client.post(
                f"/anonymous/cases/{code}/information", json={"text": ANSWER}, headers=secret
            )
            assert answered.status_code == 201
            subjects = wait_for_mail(pipeline, mail, coordinator.email, 2)
            assert f"Fall {ref}: neue Nachricht der meldenden Person" in subjects
            pipeline.deliver()

        for message in mail.messages():
            text = message.as_string()
            assert QUESTION[:20] not in text and "Stadtgeflüster" not in text and "Forum" not in text
        with Session(container.engine) as session:
            notes = session.exec(select(CaseNote).where(CaseNote.case_id == case_id)).all()
            assert len(notes) == 2
            for note in notes:
                assert b"Forum" not in note.body_enc and "Löschantrag".encode() not in note.body_enc
            raw = (
                session.connection()
                .exec_driver_sql("SELECT news_address FROM support_case WHERE id = %s", (case_id,))
                .scalar()
            )
            assert raw and ADDRESS not in raw and "example.org" not in raw
            assert session.get(Case, case_id) is not None

        leaks = [NARRATIVE[:30], QUESTION[:25], ANSWER[:25], "Stadtgeflüster", ADDRESS, "Kim Koch", code]
        seen = assert_nothing_on_topics(kafka_bootstrap, settings.topic, leaks)
        assert seen >= 6  # the report, case updates, offers and notification requests were all read
    finally:
        pipeline.close()
