"""Real Kafka + PostgreSQL + SMTP, two worker processes in one consumer group (the second joins
mid-stream, forcing a rebalance): no dialogue is overbooked, the waiting list keeps arrival order,
and every registrant has exactly one mail from the workers' bulk sender processes."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlmodel import Session, col, select

from events import decode
from events.catalog import DIALOGUES
from events.contracts import RegistrationRequested
from services.dialogues import organisers
from services.dialogues.organisers import DialogueCreate
from services.dialogues.registrations import RegistrationCreate, register
from services.dialogues.tables import Dialogue, Registration
from services.store.tables import OutboxRecord, Role
from tests.support.mail import MailServer
from tests.support.people import person
from tests.support.pipeline import ROOT, KafkaPipeline, pipeline_settings, settings_env

pytestmark = pytest.mark.integration
CAPACITY, PER_DIALOGUE, DIALOGUES_COUNT = 40, 150, 3


def test_two_workers_never_overbook_and_keep_arrival_order(
    postgres_url: str, kafka_bootstrap: str, mail: MailServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(
        postgres_url,
        kafka_bootstrap,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_starttls=False,
        worker_batch_size=25,
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    second: subprocess.Popen[bytes] | None = None
    try:
        container = pipeline.container
        organiser = person(container, Role.ORGANISER)
        now = datetime.now(UTC)
        ids = []
        with container.uow() as uow:
            for n in range(DIALOGUES_COUNT):
                dialogue = organisers.create(
                    uow,
                    organiser.id,
                    DialogueCreate(
                        title=f"Runder Tisch {n}",
                        format="round_table",
                        municipality_ags="09162000",
                        starts_at=now + timedelta(days=9),
                        ends_at=now + timedelta(days=9, hours=2),
                        venue="Rathaus",
                        capacity=CAPACITY,
                        registration_opens_at=now - timedelta(hours=1),
                        registration_closes_at=now + timedelta(days=8),
                    ),
                )
                organisers.publish(uow, dialogue)
                ids.append(dialogue.id)
            uow.commit()

        ours: set[str] = set()  # the shared database may hold other tests' mails still to send

        def register_batch(start: int) -> None:
            for n in range(start, start + 50):
                with container.uow() as uow:
                    for dialogue_id in ids:
                        body = RegistrationCreate(
                            name=f"P{n}",
                            email=f"p{n}-{uuid.uuid4().hex[:6]}@example.org",
                            privacy_consent="2026-1",
                        )
                        ours.add(body.email)
                        register(uow, dialogue_id, body)
                    uow.commit()

        register_batch(0)
        pipeline.deliver()
        second = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker"],
            cwd=ROOT,
            env=settings_env(settings),
            stdout=(tmp_path / "worker-2.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for start in range(50, PER_DIALOGUE, 50):
            register_batch(start)
            pipeline.deliver()

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pipeline.deliver()
            with Session(container.engine) as session:
                undecided = session.exec(
                    select(Registration.id).where(
                        col(Registration.dialogue_id).in_(ids), Registration.status == "requested"
                    )
                ).all()
            if not undecided:
                break
            time.sleep(0.2)
        assert not undecided, f"{len(undecided)} undecided; see {pipeline.log_path}"
        assert second.poll() is None, "the second worker died"

        with Session(container.engine) as session:
            arrival = {}
            for row in session.exec(
                select(OutboxRecord)
                .where(OutboxRecord.topic == DIALOGUES.name)
                .order_by(col(OutboxRecord.id))
            ).all():
                event = decode(row.value).event  # (other tests' events share the database)
                if isinstance(event, RegistrationRequested) and event.dialogue_id in ids:
                    arrival.setdefault(event.registration_id, len(arrival))
            for dialogue_id in ids:
                rows = session.exec(select(Registration).where(Registration.dialogue_id == dialogue_id)).all()
                confirmed = [r for r in rows if r.status == "confirmed"]
                waiting = sorted(
                    (r for r in rows if r.status == "waitlisted"), key=lambda r: r.waitlist_position or 0
                )
                assert len(confirmed) == CAPACITY, dialogue_id  # never overbooked, never under-filled
                assert [r.waitlist_position for r in waiting] == list(range(1, PER_DIALOGUE - CAPACITY + 1))
                by_arrival = sorted(rows, key=lambda r: arrival[r.id])
                assert {r.id for r in by_arrival[:CAPACITY]} == {r.id for r in confirmed}
                assert [r.id for r in by_arrival[CAPACITY:]] == [r.id for r in waiting]

        # Each registrant has one mail (a seat or a place on the waiting list), none twice, though
        # two bulk sender processes of each worker send them.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            received = Counter(str(m["To"]) for m in mail.messages() if str(m["To"]) in ours)
            if len(received) == len(ours):
                break
            time.sleep(0.2)
        time.sleep(2 * settings.timer_interval_s * 5)  # a mail sent twice would come now
        received = Counter(str(m["To"]) for m in mail.messages() if str(m["To"]) in ours)
        assert len(received) == len(ours) == DIALOGUES_COUNT * PER_DIALOGUE
        assert set(received.values()) == {1}
        assert any("in a rush" in line for line in pipeline.log_path.read_text().splitlines())
        confirmed_to = (m for m in mail.messages() if str(m["To"]) in ours)
        confirmation = next(m for m in confirmed_to if m["Subject"].startswith("Anmeldung bestätigt"))
        event = Calendar.from_ical(next(iter(confirmation.iter_attachments())).get_content()).walk("VEVENT")[
            0
        ]
        with Session(container.engine) as session:
            starts = {
                d.starts_at for d in session.exec(select(Dialogue).where(col(Dialogue.id).in_(ids))).all()
            }
        assert event.decoded("dtstart") in {s.replace(microsecond=0) for s in starts}
    finally:
        if second is not None:
            second.terminate()
            second.wait(timeout=30)
        pipeline.close()
