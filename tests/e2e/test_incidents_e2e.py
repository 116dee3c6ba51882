"""End to end on real Kafka + PostgreSQL + a real SMTP server, the worker as its own process:
report -> triaged and assigned -> coordinator mailed -> no acknowledgement -> escalated to the backup
(clock injected into the escalation timer) -> acknowledgement stops escalation. Then every message
on every topic is read: none carries the narrative, a name or an e-mail address."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.store.tables import Role
from tests.integration.test_incidents import case_of
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.kafka import assert_nothing_on_topics
from tests.support.mail import MailServer
from tests.support.people import person
from tests.support.pipeline import KafkaPipeline, pipeline_settings
from tests.support.places import own_ags

pytestmark = pytest.mark.integration
NARRATIVE = "Ein Mann stand heute Abend vor meinem Haus und rief, er werde meine Familie finden."


def wait_for_mail(
    pipeline: KafkaPipeline, mail: MailServer, to: str, count: int, timeout_s: float = 60
) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pipeline.deliver()
        subjects = [m["Subject"] for m in mail.messages() if m["To"] == to]
        if len(subjects) >= count:
            return subjects
        time.sleep(0.1)
    raise AssertionError(f"{to} got {subjects}; worker log: {pipeline.log_path.read_text()[-3000:]}")


def test_report_route_notify_escalate_acknowledge_without_personal_data_on_kafka(
    postgres_url: str, kafka_bootstrap: str, mail: MailServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(
        postgres_url, kafka_bootstrap, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    clock = Clock(datetime.now(UTC))  # the worker process runs on the real clock
    container = bootstrap(settings, clock=clock)  # the API and the escalation timer of this test
    ags = own_ags()  # a district of its own: no other test's coordinators or cases
    try:
        with api_client(create_app(container, run_dispatcher=False)) as client:
            primary = person(
                container,
                Role.COORDINATOR,
                region=ags,
                expertise="security",
                client=client,
                name="Petra Primaer",
            )
            backup = person(
                container,
                Role.COORDINATOR,
                region=ags,
                expertise="security",
                capacity=20,
                client=client,
                name="Bernd Backup",
            )
            with container.uow() as uow:  # make 'backup' the busier one, so 'primary' is chosen first
                from services.incidents.tables import CoordinatorProfile

                profile = uow.session.get(CoordinatorProfile, backup.id)
                assert profile is not None
                profile.capacity = 1
                uow.session.add(profile)
                uow.commit()
            official = person(container, Role.OFFICIAL, client=client, name="Oberbuergermeisterin Olga")
            answer = client.post(
                "/incidents",
                json={
                    "kind": "threat",
                    "channel": "in_person",
                    "occurred_at": datetime.now(UTC).isoformat(),
                    "municipality_ags": ags,
                    "targets": ["self", "family"],
                    "threat_of_violence": True,
                    "immediate_danger": False,
                    "narrative": NARRATIVE,
                    "perpetrator_handles": ["@drohbrief_absender"],
                    "support_wanted": ["security"],
                },
                headers=official.auth,
            )
            assert answer.status_code == 201, answer.text
            case_id = answer.json()["case_id"]

            subjects = wait_for_mail(pipeline, mail, primary.email, 1)
            case = case_of(container, case_id)
            assert (
                case.status == "assigned" and case.assignee_id == primary.id and case.severity == "critical"
            )
            assert subjects == [f"[DRINGEND] Neuer Fall {case.ref} (kritisch)"]
            wait_for_mail(pipeline, mail, official.email, 1)

            clock.now = case.acknowledge_by + timedelta(minutes=1)  # nobody acknowledged in 15 minutes
            container.case_timers.escalate_due()
            assert case_of(container, case_id).assignee_id == backup.id
            assert wait_for_mail(pipeline, mail, backup.email, 1) == [
                f"[DRINGEND] Eskaliert: Fall {case.ref} (kritisch)"
            ]

            ack = client.post(f"/cases/{case_id}/acknowledge", headers=backup.auth)
            assert ack.status_code == 200, ack.text
            clock.now += timedelta(hours=2)
            container.case_timers.escalate_due()
            after = case_of(container, case_id)
            assert (
                after.status == "acknowledged"
                and after.escalation_level == 1
                and after.assignee_id == backup.id
            )
            pipeline.deliver()

        secrets = [
            NARRATIVE,
            "Drohbrief",
            "drohbrief_absender",
            official.email,
            primary.email,
            backup.email,
            "Olga",
            "Petra",
            "Bernd",
        ]
        seen = assert_nothing_on_topics(kafka_bootstrap, settings.topic, secrets)
        assert seen >= 6  # the report, case updates, offers and notification requests were all read
    finally:
        pipeline.close()
