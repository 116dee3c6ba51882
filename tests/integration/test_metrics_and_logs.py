"""/metrics as Prometheus reads it: events counted by type and outcome, requests by route template,
backlogs read from the database (outbox, dead letters, urgent lane, deliveries, timers); open to this
machine only, or to whoever sends the token. Log records carry the event id and the correlation id,
and a request's id comes back in X-Request-ID. Both databases."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.logs import JsonLines, about
from services.store.tables import Role
from tests.integration.test_incidents import report, run
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.people import person
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration
LOCAL = ("127.0.0.1", 40000)
METRICS = "http://testserver/metrics"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_events_and_requests_and_read_the_backlogs(database_url: str) -> None:
    container = bootstrap(pipeline_settings(database_url), clock=Clock())
    with api_client(create_app(container, run_dispatcher=False), client=LOCAL) as client:
        before = samples(client.get(METRICS).text)
        official = person(container, Role.OFFICIAL, client=client)
        person(container, Role.COORDINATOR, region="05", expertise="security,legal")
        case_id = report(client, official, "05315000")["case_id"]
        assert client.get(f"/cases/{case_id}", headers=official.auth).status_code == 200
        waiting = samples(client.get(METRICS).text)
        assert value(waiting, "weltoffen_outbox_backlog") >= 1  # the report's event, not yet handed on
        assert value(waiting, "weltoffen_database_up") == 1
        run(container)
        after = samples(client.get(METRICS).text)

    handled = ("weltoffen_events_total", {"type": "IncidentReported", "outcome": "handled"})
    assert value(after, handled[0], **handled[1]) == value(before, handled[0], **handled[1]) + 1
    created = {"method": "POST", "route": "/api/v1/incidents", "status": "201"}
    assert value(after, "weltoffen_http_request_seconds_count", **created) == (
        value(before, "weltoffen_http_request_seconds_count", **created) + 1
    )
    assert value(after, "weltoffen_outbox_backlog") < value(waiting, "weltoffen_outbox_backlog")
    # The case was routed: the coordinator's mail is planned (counted per channel and status).
    assert any(
        name == "weltoffen_deliveries" and dict(labels)["channel"] == "email" for name, labels in after
    )
    assert all(
        "/cases/" not in dict(labels).get("route", "") or "{" in dict(labels)["route"] for _, labels in after
    )


def test_metrics_are_for_this_machine_or_whoever_holds_the_token(database_url: str) -> None:
    open_app = create_app(bootstrap(pipeline_settings(database_url)), run_dispatcher=False)
    with api_client(open_app, client=("203.0.113.9", 40000)) as stranger:
        refused = stranger.get(METRICS)
    assert refused.status_code == 403 and "WELTOFFEN_METRICS_TOKEN" in refused.text
    token = uuid.uuid4().hex
    settings = pipeline_settings(database_url, metrics_token=SecretStr(token))
    with api_client(
        create_app(bootstrap(settings), run_dispatcher=False), client=("203.0.113.9", 40000)
    ) as c:
        assert c.get(METRICS, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.get(METRICS, headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert c.get(METRICS).status_code == 403


def test_log_lines_carry_the_event_and_request_they_belong_to(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    container = bootstrap(pipeline_settings(database_url), clock=Clock())
    with about("event-1", "correlation-1"):
        logging.getLogger("services.test").warning("handled %s", "something")
    record = caplog.records[-1]
    line = json.loads(JsonLines().format(record))
    assert line["event_id"] == "event-1" and line["correlation_id"] == "correlation-1"
    assert line["message"] == "handled something" and line["level"] == "WARNING"
    try:
        raise ValueError("Erika Mustermann, Hauptstraße 1")
    except ValueError:
        logging.getLogger("services.test").exception("a handler failed")
    failed = JsonLines().format(caplog.records[-1])
    assert '"exception": "ValueError"' in failed and "Mustermann" not in failed

    with api_client(create_app(container, run_dispatcher=False), client=LOCAL) as client:
        answer = client.get(
            "/healthz".join(["http://testserver", ""]), headers={"X-Request-ID": "proxy-12345678"}
        )
        assert answer.headers["x-request-id"] == "proxy-12345678"
        fresh = client.get("http://testserver/healthz", headers={"X-Request-ID": "<script>"})
        assert len(fresh.headers["x-request-id"]) == 32 and "<" not in fresh.headers["x-request-id"]
