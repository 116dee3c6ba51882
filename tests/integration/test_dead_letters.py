"""An operator's dead letters: an event the worker could not handle (its case was missing) is listed
with its error and source, shown (it is an event), replayed after the fix and then handled; another is
discarded with a reason; only admins may do any of it. The CLI does the same."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events import new_envelope
from events.contracts import IncidentKind, IncidentReported
from services.access import Principal
from services.bootstrap import Container
from services.incidents.tables import Case
from services.pipeline import dead_letters
from services.store.tables import Role
from workflows.errors import Conflict, Forbidden, Invalid

pytestmark = pytest.mark.integration
ADMIN = Principal("admin-1", Role.ADMIN)


def orphan_report(container: Container) -> tuple[str, str]:
    """A report event whose case and incident do not exist yet: the handler fails, then gives up."""
    ids = orphan_report_event(container)
    container.dispatcher().drain()
    return ids


def orphan_report_event(container: Container) -> tuple[str, str]:
    """Only the event (a running worker or dispatcher handles it)."""
    case_id, incident_id = str(uuid.uuid4()), str(uuid.uuid4())
    with container.uow() as uow:
        uow.emit(
            new_envelope(
                IncidentReported(
                    incident_id=incident_id,
                    case_id=case_id,
                    municipality_ags="03241001",
                    kind=IncidentKind.THREAT,
                    immediate_danger=False,
                    reported_at=datetime.now(UTC),
                )
            )
        )
        uow.commit()
    return case_id, incident_id


def mine(container: Container, case_id: str) -> dead_letters.DeadLetter:
    """The one waiting letter of the incidents topic that is about this case."""
    with container.uow() as uow:
        waiting = dead_letters.letters(uow.session, ADMIN, "weltoffen.incidents")
    about = [x for x in waiting if _is_about(container, x.id, case_id)]
    assert len(about) == 1, waiting
    return about[0]


def _is_about(container: Container, letter_id: int, case_id: str) -> bool:
    with container.uow() as uow:
        _, payload = dead_letters.show(uow.session, ADMIN, letter_id)
    return payload is not None and case_id in payload


def test_a_dead_letter_is_listed_shown_replayed_after_the_fix_and_handled(container: Container) -> None:
    case_id, incident_id = orphan_report(container)
    letter = mine(container, case_id)
    assert letter.state == "waiting" and "is missing" in letter.error and letter.attempts == "3"
    with container.uow() as uow, pytest.raises(Forbidden):
        dead_letters.letters(uow.session, Principal("c-1", Role.COORDINATOR, region="03"))

    _create_the_missing_case(container, case_id, incident_id)  # the fix
    with container.uow() as uow:
        dead_letters.replay(uow, ADMIN, letter.id)
        uow.commit()
    container.dispatcher().drain()
    with container.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.status != "new"  # handled: triaged and routed or queued
        with pytest.raises(Conflict):
            dead_letters.replay(uow, ADMIN, letter.id)  # once is enough
        assert letter.id not in [x.id for x in dead_letters.letters(uow.session, ADMIN)]
        assert [
            x.state for x in dead_letters.letters(uow.session, ADMIN, everything=True) if x.id == letter.id
        ] == ["replayed"]

    other, _ = orphan_report(container)
    second = mine(container, other)
    with container.uow() as uow:
        with pytest.raises(Invalid):
            dead_letters.discard(uow, ADMIN, second.id, " ")
        decided = dead_letters.discard(uow, ADMIN, second.id, "test data from a drill")
        uow.commit()
    assert decided.state == "discarded" and decided.decision_reason == "test data from a drill"


def _create_the_missing_case(container: Container, case_id: str, incident_id: str) -> None:
    from services.incidents.tables import Incident

    now = datetime.now(UTC)
    with container.uow() as uow:
        uow.session.add(
            Incident(
                id=incident_id,
                kind="threat",
                channel="letter",
                occurred_at=now,
                municipality_ags="03241001",
                targets="self",
                narrative_enc=container.cipher.encrypt("Ein Brief."),
                reported_at=now,
            )
        )
        uow.session.flush()
        uow.session.add(
            Case(
                id=case_id,
                ref=f"F-T-{case_id[:6]}",
                incident_id=incident_id,
                region_ags="03241001",
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()


def test_the_cli_lists_shows_and_discards(tmp_path: Path) -> None:
    from tests.support.pipeline import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    env |= {"PYTHONPATH": str(ROOT), "WELTOFFEN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}

    def weltoffen(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "services.cli", "deadletters", *args]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    from services.bootstrap import bootstrap
    from services.store.engine import make_engine
    from services.store.migrate import upgrade
    from tests.support.pipeline import pipeline_settings

    url = f"sqlite:///{tmp_path / 'data' / 'weltoffen.db'}"
    (tmp_path / "data").mkdir()
    upgrade(make_engine(url))
    container = bootstrap(pipeline_settings(url))
    case_id, _ = orphan_report(container)
    letter = mine(container, case_id)
    listed = weltoffen("list")
    assert listed.returncode == 0 and f"{letter.id}\tweltoffen.incidents" in listed.stdout
    shown = weltoffen("show", str(letter.id))
    assert case_id in shown.stdout and "IncidentReported" in shown.stdout
    assert weltoffen("replay").returncode == 2  # an id or --all
    gone = weltoffen("discard", str(letter.id), "--reason", "drill")
    assert gone.returncode == 0 and "discarded" in gone.stderr
    assert str(letter.id) not in weltoffen("list").stdout.split("\t")[0:1]
    again = weltoffen("discard", str(letter.id), "--reason", "drill")
    assert again.returncode == 1 and "discarded already" in again.stderr
