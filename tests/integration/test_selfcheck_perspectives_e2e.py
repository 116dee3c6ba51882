"""End to end on Kafka + PostgreSQL with the worker as its own process: a municipality that answered
the short questionnaire last year runs the deep one with four departments. The result shows how
their perspectives differ (and only names who disagrees on a question), the workshop agenda takes the
weakest goals and the questions that part them, the comparison with the short round says what is
comparable, and the topic carries nothing of anyone's answers or department."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from events.catalog import SELFCHECKS
from services.api.app import create_app
from services.dialogues.tables import Dialogue
from services.selfchecks.questionnaire_files import questionnaire
from services.store.tables import Role
from tests.integration.test_selfchecks import answers, town
from tests.support.api import api_client
from tests.support.kafka import read_topic
from tests.support.mail import MailServer
from tests.support.people import Person, person
from tests.support.pipeline import KafkaPipeline, pipeline_settings

pytestmark = pytest.mark.integration
DEEP = questionnaire("2026.2")
# Each department answers every question at one level (0-4): the mayor's office sees everything in
# place, the integration council nothing; in between the department in charge and the commissioner.
DEPARTMENTS = (
    ("Büro der Bürgermeisterin", "leadership", 4),
    ("Fachbereich Soziales", "department", 3),
    ("Integrationsbeauftragte", "integration_commissioner", 1),
    ("Integrationsbeirat", "integration_council", 0),
)


def _round(
    client: TestClient, municipality: Person, version: str, people: tuple[tuple[str, str, int], ...]
) -> str:
    opened = client.post(
        "/selfchecks",
        json={"population": 18000, "questionnaire_version": version},
        headers=municipality.auth,
    )
    assert opened.status_code == 201, opened.text
    round_id = opened.json()["id"]
    for label, perspective, level in people:
        link = client.post(
            f"/selfchecks/{round_id}/respondents", json={"label": label}, headers=municipality.auth
        ).json()["answer_url"]
        saved = client.put(
            link.split("8000", 1)[1],
            json={"answers": answers(level, version), "perspective": perspective},  # they say themselves
        )
        assert saved.status_code == 200, saved.text
    assert client.post(f"/selfchecks/{round_id}/submit", headers=municipality.auth).status_code == 200
    return round_id


def _scored(client: TestClient, pipeline: KafkaPipeline, municipality: Person, round_id: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pipeline.deliver()
        answer = client.get(f"/selfchecks/{round_id}/result", headers=municipality.auth)
        if answer.status_code == 200:
            return answer.json()  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError("the worker did not score the round")


def test_four_departments_through_kafka(
    postgres_url: str, kafka_bootstrap: str, mail: MailServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(
        postgres_url, kafka_bootstrap, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    try:
        with api_client(create_app(pipeline.container, run_dispatcher=False)) as client:
            municipality = town(pipeline.container, client)
            organiser = person(pipeline.container, Role.ORGANISER, name="Kulturamt")
            short = _round(client, municipality, "2026.1", (("Bürgeramt", "other", 2),))
            _scored(client, pipeline, municipality, short)
            deep = _round(client, municipality, "2026.2", DEPARTMENTS)
            result = _scored(client, pipeline, municipality, deep)

            assert result["respondents"] == 4 and len(result["goals"]) == len(DEEP.goals)
            for view in result["perspectives"]["fields"]:  # every field rests on six or seven answers each
                scores = view["scores"]
                assert (scores["leadership"], scores["integration_council"]) == (100.0, 0.0), view
                assert 0 < scores["integration_commissioner"] < scores["department"] < 100, view
                assert (view["spread"], view["high"], view["low"]) == (
                    100.0,
                    ["leadership"],
                    ["integration_council"],
                )
            gaps = result["perspectives"]["questions"]
            assert gaps and all(set(g) == {"question", "spread", "perspectives"} for g in gaps)  # no scores
            maturity = [g for g in gaps if DEEP.questions[g["question"]].type == "maturity"]
            assert maturity and all(  # 4 against 0: the two ends, named in the list's order, not by side
                g["perspectives"] == ["leadership", "integration_council"] and g["spread"] == 100.0
                for g in maturity
            )
            compared = result["comparison"]
            assert compared["previous_version"] == "2026.1" and set(compared["fields"]) == {
                f.id for f in DEEP.fields
            }
            assert set(compared["only_now"]) == set(DEEP.goals) and compared["goals"] == {}
            assert set(compared["questions_changed"]) == set(compared["fields"])  # none asks the same set

            agenda = client.get(f"/selfchecks/{deep}/workshop?lang=de", headers=municipality.auth)
            assert agenda.status_code == 200, agenda.text
            weakest = sorted(result["goals"], key=lambda g: (g["score"], g["goal"]))[:3]
            page = agenda.text
            for goal in weakest:
                assert DEEP.goals[goal["goal"]].title["de"] in page
            assert "Verwaltungsspitze (Büro der Bürgermeisterin oder des Bürgermeisters) und " in page
            assert "Wen einladen" in page and "Zivilgesellschaft" in page
            assert "Im Vergleich" not in page  # the agenda is for the workshop; the report compares
            report = client.get(f"/selfchecks/{deep}/report?lang=de", headers=municipality.auth).text
            assert "Im Vergleich mit der Runde vom" in report and "(Fragebogen 2026.1)" in report
            pdf = client.get(f"/selfchecks/{deep}/workshop.pdf?lang=en", headers=municipality.auth)
            assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

            body = {"organiser_id": organiser.id}
            drafted = client.post(
                f"/selfchecks/{deep}/workshop/draft-dialogue", json=body, headers=municipality.auth
            )
            again = client.post(
                f"/selfchecks/{deep}/workshop/draft-dialogue", json=body, headers=municipality.auth
            )
            assert drafted.status_code == again.status_code == 201
            assert drafted.json()["dialogue_id"] == again.json()["dialogue_id"]  # one draft, asked twice
            with pipeline.container.uow() as uow:
                dialogue = uow.session.get(Dialogue, drafted.json()["dialogue_id"])
                assert dialogue is not None and dialogue.format == "future_workshop"
                assert all(DEEP.goals[g["goal"]].title["de"] in dialogue.description for g in weakest)
            not_yet = client.post(f"/selfchecks/{short}/workshop/draft-dialogue", json={"organiser_id": "x"})
            assert not_yet.status_code == 401  # signed in only

        submitted = [
            json.loads(m.value) for m in read_topic(kafka_bootstrap, settings.topic(SELFCHECKS.name), 2)
        ]
        for event in submitted:  # no answers, no departments, no labels on the topic
            assert set(event["payload"]) == {
                "selfcheck_id",
                "municipality_ags",
                "questionnaire_version",
                "submitted_at",
            }
    finally:
        pipeline.close()
