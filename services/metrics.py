"""Prometheus metrics. Counters and histograms are counted where things happen (this process):
events by type and outcome, relay publish latency, HTTP request latency by route. Backlogs are read
from the database at scrape time, so every process reports the same truth: outbox backlog and age,
dead letters waiting, the urgent lane's age, deliveries by channel and status, each timer's last
run, and, with a broker, consumer lag per topic and group. Nothing here carries personal data.

Access (``allowed``): with ``WELTOFFEN_METRICS_TOKEN`` set, whoever sends it as a bearer token;
without, clients on this machine only."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlmodel import Session

from services.settings import Settings
from services.store.uow import Clock
from services.topics import Lag, consumer_lag

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LOOPBACK = ("127.0.0.1", "::1")

COUNTED = CollectorRegistry(auto_describe=True)
EVENTS = Counter(
    "weltoffen_events",
    "Events taken from a topic, by event type and outcome (handled, duplicate, no_handler, "
    "failed: one failed attempt, dead_lettered)",
    ["type", "outcome"],
    registry=COUNTED,
)
RELAY_PUBLISH = Histogram(
    "weltoffen_relay_publish_seconds",
    "From handing a batch of outbox rows to the producer until the broker acknowledged it",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=COUNTED,
)
RELAY_ROWS = Counter("weltoffen_relay_published", "Outbox rows the broker acknowledged", registry=COUNTED)
REQUESTS = Histogram(
    "weltoffen_http_request_seconds",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=COUNTED,
)


def allowed(settings: Settings, client: str | None, authorization: str | None) -> bool:
    token = settings.metrics_token.get_secret_value()
    if token:
        given = (authorization or "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return client in LOOPBACK


class Backlogs(Collector):
    """Read at every scrape; a database that does not answer is reported, not raised."""

    def __init__(self, engine: Engine, settings: Settings, clock: Clock) -> None:
        self._engine, self._settings, self._clock = engine, settings, clock
        self._lag: tuple[float, list[Lag] | None] = (0.0, None)
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        from services.system_status import (
            dead_letter_backlog,
            deliveries_by_outcome,
            outbox_backlog,
            timer_runs,
            urgent_lane,
        )

        now = self._clock()
        up = GaugeMetricFamily("weltoffen_database_up", "1 when the database answered this scrape")
        try:
            with Session(self._engine) as session:
                outbox, letters = outbox_backlog(session), dead_letter_backlog(session)
                urgent, deliveries = urgent_lane(session), deliveries_by_outcome(session)
                timers = timer_runs(session)
        except Exception as exc:
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for name, documentation, value in (
            ("outbox_backlog", "Outbox rows not yet published (held ones apart)", outbox.count),
            (
                "outbox_oldest_age_seconds",
                "Age of the oldest unpublished outbox row",
                _age(now, outbox.oldest),
            ),
            ("dead_letters_waiting", "Dead letters without a decision", letters.count),
            ("urgent_pending", "Urgent deliveries not out yet", urgent.count),
            (
                "urgent_oldest_age_seconds",
                "Age of the oldest urgent delivery not out",
                _age(now, urgent.oldest),
            ),
        ):
            yield GaugeMetricFamily(f"weltoffen_{name}", documentation, value=value)
        by_outcome = GaugeMetricFamily(
            "weltoffen_deliveries", "Deliveries by channel and status", labels=["channel", "status"]
        )
        for channel, status, count in deliveries:
            by_outcome.add_metric([channel, status], count)
        yield by_outcome
        runs = GaugeMetricFamily(
            "weltoffen_timer_last_run_age_seconds", "Seconds since each timer last ran", labels=["timer"]
        )
        for run in timers:
            runs.add_metric([run.name], _age(now, run.last_run_at))
        yield runs
        lag = self._consumer_lag()
        if lag is not None:
            family = GaugeMetricFamily(
                "weltoffen_consumer_lag",
                "Messages not yet committed, per topic and group",
                labels=["group", "topic"],
            )
            for one in lag:
                family.add_metric([one.group, one.topic], one.lag)
            yield family

    def _consumer_lag(self) -> list[Lag] | None:
        """With a broker: asked at most every 15 seconds (it costs a few requests)."""
        if self._settings.embedded:
            return None
        with self._lock:
            asked, lag = self._lag
            if time.monotonic() - asked > 15:
                try:
                    lag = consumer_lag(self._settings)
                except Exception as exc:
                    log.warning("metrics: no consumer lag (%s)", type(exc).__name__)
                    lag = None
                self._lag = (time.monotonic(), lag)
            return lag


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def exposition(backlogs: Backlogs) -> bytes:
    per_scrape = CollectorRegistry(auto_describe=False)
    per_scrape.register(backlogs)
    return generate_latest(COUNTED) + generate_latest(per_scrape)


def serve_metrics(settings: Settings, backlogs: Backlogs, port: int) -> WSGIServer | None:
    """The worker's and the relay's /metrics, in a daemon thread; port 0: none."""
    if port == 0:
        return None

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"only /metrics here\n"]
        if not allowed(settings, environ.get("REMOTE_ADDR"), environ.get("HTTP_AUTHORIZATION")):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"metrics: send the metrics token as a bearer token\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE)])
        return [exposition(backlogs)]

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    try:
        server = make_server(settings.metrics_host, port, application, handler_class=Quiet)
    except OSError as exc:  # a second worker on this machine, say: it works on, without metrics
        log.warning("no metrics from this process: %s:%d is taken (%s)", settings.metrics_host, port, exc)
        return None
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    return server
