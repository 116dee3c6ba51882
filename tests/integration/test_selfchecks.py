"""Self-checks through the API with a real SMTP server: embedded transport on both databases, and end
to end on Kafka + PostgreSQL with the worker as its own process."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from events import decode
from events.catalog import SUPPORT_OFFERS
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.selfchecks.questionnaire_files import LATEST, questionnaire
from services.store.tables import OutboxRecord, Role
from tests.support.api import api_client
from tests.support.kafka import read_topic
from tests.support.mail import MailServer
from tests.support.people import Person, person
from tests.support.pipeline import KafkaPipeline, pipeline_settings

pytestmark = pytest.mark.integration
PERSPECTIVES = questionnaire(LATEST).perspective_ids


def answers(level: int, version: str = LATEST, **overrides: Any) -> dict[str, Any]:
    """Every question answered at about the same level (0-4)."""
    values: dict[str, Any] = {}
    for qid, q in questionnaire(version).questions.items():
        if q.type == "maturity":
            values[qid] = level
        elif q.type == "yes_no":
            values[qid] = level >= 2
        elif q.type == "choice":
            values[qid] = list(q.options or {})[min(level // 2, len(q.options or {}) - 1)]
        else:
            values[qid] = q.full_score_at * level / 4
    values.update(overrides)
    return values


def town(container: Container, client: TestClient) -> Person:
    ags = (
        f"{random.choice([1, 2, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]):02d}{random.randint(0, 999999):06d}"
    )
    return person(container, Role.MUNICIPALITY, municipality_ags=ags, client=client, name="Musterstadt")


def run_round(
    client: TestClient, municipality: Person, levels: list[int], population: int = 42000, opt_in: bool = False
) -> tuple[str, list[str]]:
    round_ = client.post(
        "/selfchecks",
        json={"population": population, "peer_exchange_opt_in": opt_in},
        headers=municipality.auth,
    )
    assert round_.status_code == 201, round_.text
    round_id = round_.json()["id"]
    links = []
    for n, level in enumerate(levels):
        link = client.post(
            f"/selfchecks/{round_id}/respondents",
            json={"label": f"Amt {n}", "perspective": PERSPECTIVES[n % len(PERSPECTIVES)]},
            headers=municipality.auth,
        ).json()["answer_url"]
        path = link.split("8000", 1)[1]
        links.append(path)
        assert client.put(path, json={"answers": answers(level)}).status_code == 200
    return round_id, links


def test_round_from_drafts_to_report(database_url: str, mail: MailServer) -> None:
    settings = pipeline_settings(
        database_url, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    container = bootstrap(settings)
    with api_client(create_app(container, run_dispatcher=False)) as client:
        municipality = town(container, client)
        round_id = client.post("/selfchecks", json={"population": 42000}, headers=municipality.auth).json()[
            "id"
        ]
        link = (
            client.post(
                f"/selfchecks/{round_id}/respondents", json={"label": "Bürgeramt"}, headers=municipality.auth
            )
            .json()["answer_url"]
            .split("8000", 1)[1]
        )
        bad = client.put(
            link, json={"answers": {"steering.mission": 7, "no.such": 1, "access.languages": "all"}}
        )
        assert bad.status_code == 422
        assert {e["loc"][-1]: e["msg"] for e in bad.json()["detail"]} == {
            "steering.mission": "answer with a maturity level from 0 (not planned) to 4 (established and evaluated)",  # noqa: E501
            "no.such": "no such question in this questionnaire",
            "access.languages": "choose one of: none, some, broad",
        }
        assert client.put(link, json={"answers": {"steering.mission": 3}}).json() == {
            "saved": 1,
            "answered": 1,
            "of": 45,
        }
        assert client.get(link).json()["answers"] == {"steering.mission": 3}  # resumed where it was left
        incomplete = client.post(f"/selfchecks/{round_id}/submit", headers=municipality.auth)
        assert incomplete.status_code == 422 and "steering.responsibility" in incomplete.text
        assert ["respondents", "Bürgeramt", "perspective"] in [e["loc"] for e in incomplete.json()["detail"]]
        everything = answers(1, **{"steering.mission": 3, "steering.monitoring": None})
        unknown = client.put(link, json={"answers": everything, "perspective": "mayor"})
        assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "perspective"]
        assert client.put(link, json={"answers": everything, "perspective": "department"}).status_code == 200
        assert client.get(link).json()["perspective"] == "department"
        for label, level, perspective in (
            ("Integrationsbeauftragte", 1, "integration_commissioner"),
            ("Beirat", 4, "integration_council"),
        ):
            other = (
                client.post(
                    f"/selfchecks/{round_id}/respondents",
                    json={"label": label, "perspective": perspective},
                    headers=municipality.auth,
                )
                .json()["answer_url"]
                .split("8000", 1)[1]
            )
            client.put(other, json={"answers": answers(level)})
        submitted = client.post(f"/selfchecks/{round_id}/submit", headers=municipality.auth)
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
        assert client.put(link, json={"answers": {"steering.mission": 0}}).status_code == 409
        container.dispatcher().drain()

        result = client.get(f"/selfchecks/{round_id}/result", headers=municipality.auth).json()
        assert result["respondents"] == 3 and 0 < result["overall"] < 100
        assert next(f["field"] for f in result["fields"]) == "steering"
        steering = next(f for f in result["fields"] if f["field"] == "steering")
        assert steering["coverage"] == 1.0  # two of three answered monitoring
        assert any(d["question"] == "steering.responsibility" for d in result["divergent"])  # no, no, yes
        assert result["peers"]["shown"] is False and result["trend"] is None
        assert set(result["level"]) == {"de", "en"} and result["level"]["en"] != result["level"]["de"]
        assert result["recommendations"] and all(r["score"] < 50 for r in result["recommendations"])
        assert {g["field"] for g in result["goals"]} == {f["field"] for f in result["fields"]}
        views = {v["field"]: v for v in result["perspectives"]["fields"]}  # the council sees it best
        assert views["cohesion"]["high"] == ["integration_council"]
        assert views["cohesion"]["low"] == ["department", "integration_commissioner"]  # both at level 1
        with Session(container.engine) as session:
            offers = [
                decode(r.value).event
                for r in session.exec(
                    select(OutboxRecord).where(OutboxRecord.topic == SUPPORT_OFFERS.name)
                ).all()
            ]
        mine = [o for o in offers if o.subject_id == round_id]  # type: ignore[attr-defined]
        assert len(mine) == sum(len(r["offers"]) for r in result["recommendations"])
        [message] = [m for m in mail.messages() if m["To"] == municipality.email]
        assert message["Subject"] == "Ergebnis Ihres Selbstchecks: Musterstadt"

        german = client.get(f"/selfchecks/{round_id}/report", headers=municipality.auth)
        english = client.get(f"/selfchecks/{round_id}/report?lang=en", headers=municipality.auth)
        browser_english = client.get(
            f"/selfchecks/{round_id}/report",
            headers={**municipality.auth, "Accept-Language": "en-GB,en;q=0.9"},
        )
        assert (
            german.headers["content-language"] == "de"
            and "<svg" in german.text
            and "<script" not in german.text
        )
        assert "Management und Steuerung" in german.text and "Management and steering" in english.text
        assert browser_english.headers["content-language"] == "en"

        organiser = person(container, Role.ORGANISER, client=client)
        first = result["recommendations"][0]
        drafted = client.post(
            f"/selfchecks/{round_id}/recommendations/{first['id']}/draft-dialogue",
            json={"organiser_id": organiser.id},
            headers=municipality.auth,
        )
        assert drafted.status_code == 201 and drafted.json()["status"] == "draft"
        draft_id = drafted.json()["dialogue_id"]
        again = client.post(
            f"/selfchecks/{round_id}/recommendations/{first['id']}/draft-dialogue",
            json={"organiser_id": organiser.id},
            headers=municipality.auth,
        )
        assert again.json()["dialogue_id"] == draft_id  # one draft per recommendation
        # the organiser is told, finds and reads the draft; nobody else sees it
        container.dispatcher().drain()
        told = [m["Subject"] for m in mail.messages() if m["To"] == organiser.email]
        assert len([s for s in told if s.startswith("Entwurf für Sie:")]) == 1
        assert [d["id"] for d in client.get("/me/dialogues", headers=organiser.auth).json()] == [draft_id]
        assert client.get(f"/dialogues/{draft_id}", headers=organiser.auth).json()["status"] == "draft"
        assert client.get(f"/dialogues/{draft_id}").status_code == 404
        # the placeholder place cannot go out as it is
        refused = client.post(f"/dialogues/{draft_id}/publish", headers=organiser.auth)
        assert refused.status_code == 422 and "set the place" in refused.json()["detail"]

        stranger = person(container, Role.MUNICIPALITY, municipality_ags="16055000", client=client)
        official = person(container, Role.OFFICIAL, client=client)
        for who in (stranger, official):
            assert client.get(f"/selfchecks/{round_id}/result", headers=who.auth).status_code == 404
            assert client.get(f"/selfchecks/{round_id}/report", headers=who.auth).status_code == 404
        assert (
            client.post(
                f"/selfchecks/{round_id}/respondents", json={"label": "x"}, headers=stranger.auth
            ).status_code
            == 404
        )


def test_trend_and_peers_across_rounds(private_database_url: str) -> None:
    container = bootstrap(pipeline_settings(private_database_url))
    with api_client(create_app(container, run_dispatcher=False)) as client:
        others = [town(container, client) for _ in range(5)]
        for n, other in enumerate(others):  # five peers of the same size class; one opted in and strong
            round_id, _ = run_round(client, other, [4 if n == 0 else 2], population=30000, opt_in=n == 0)
            client.post(f"/selfchecks/{round_id}/submit", headers=other.auth)
        municipality = town(container, client)
        first, _ = run_round(client, municipality, [1], population=25000)
        client.post(f"/selfchecks/{first}/submit", headers=municipality.auth)
        container.dispatcher().drain()
        second, _ = run_round(client, municipality, [2], population=25000)
        client.post(f"/selfchecks/{second}/submit", headers=municipality.auth)
        container.dispatcher().drain()
        result = client.get(f"/selfchecks/{second}/result", headers=municipality.auth).json()
        first_result = client.get(f"/selfchecks/{first}/result", headers=municipality.auth).json()
    assert result["previous_round"] == first and all(v > 0 for v in result["trend"].values() if v is not None)
    assert result["peers"]["shown"] is True and result["peers"]["peers"] == 5
    assert set(result["peers"]["median"]) == {f["field"] for f in result["fields"]}
    # weak fields in the first round point to the one strong peer that opted in to exchange
    assert first_result["recommendations"]
    assert {r["peer_ags"] for r in first_result["recommendations"]} == {_ags(container, others[0])}


def _ags(container: Container, someone: Person) -> str:
    from services.store.tables import Account

    with Session(container.engine) as session:
        account = session.get(Account, someone.id)
        assert account is not None and account.municipality_ags is not None
        return account.municipality_ags


def test_three_respondents_end_to_end_on_kafka(
    postgres_url: str, kafka_bootstrap: str, mail: MailServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(
        postgres_url, kafka_bootstrap, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    try:
        with api_client(create_app(pipeline.container, run_dispatcher=False)) as client:
            municipality = town(pipeline.container, client)
            round_id, _ = run_round(client, municipality, [0, 1, 3])
            assert client.post(f"/selfchecks/{round_id}/submit", headers=municipality.auth).status_code == 200
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                pipeline.deliver()
                if [m for m in mail.messages() if m["To"] == municipality.email]:
                    break
                time.sleep(0.1)
            result = client.get(f"/selfchecks/{round_id}/result", headers=municipality.auth).json()
        assert result["respondents"] == 3 and result["recommendations"]
        assert [m["Subject"] for m in mail.messages() if m["To"] == municipality.email] == [
            "Ergebnis Ihres Selbstchecks: Musterstadt"
        ]
        pipeline.deliver()
        offers = [
            decode(m.value).event for m in read_topic(kafka_bootstrap, settings.topic(SUPPORT_OFFERS.name), 1)
        ]
        assert sum(o.subject_id == round_id for o in offers) == sum(
            len(r["offers"]) for r in result["recommendations"]
        )  # type: ignore[attr-defined]
    finally:
        pipeline.close()


def test_the_questionnaire_carries_every_label_a_client_shows(client: TestClient) -> None:
    questionnaire = client.get("/selfchecks/questionnaires/2026.1").json()
    assert questionnaire["version"] == "2026.1"
    assert [step["value"] for step in questionnaire["maturity_scale"]] == [0, 1, 2, 3, 4]
    assert questionnaire["maturity_scale"][4]["text"] == {
        "de": "etabliert und evaluiert",
        "en": "established and evaluated",
    }
    choices = [q for f in questionnaire["fields"] for q in f["questions"] if q["type"] == "choice"]
    assert choices and all(o["text"]["de"] and o["text"]["en"] for q in choices for o in q["options"])
    assert client.get("/selfchecks/questionnaires/weltoffen-2026.1").status_code == 404  # one name
