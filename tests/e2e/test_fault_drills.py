"""The fault drills, run as CI runs them: on a PostgreSQL cluster and a Kafka broker of their own
(the drills stop the one and kill the other), API, relay and workers as processes, a real SMTP server.
Outages are shorter than in `python -m bench.drills` (8 s instead of 20 s) to keep CI quick; the rules
are the same: nothing accepted is lost, nothing takes effect twice, an outage is never a 500."""

from __future__ import annotations

import pytest

from bench.drills import DRILLS, run
from events.catalog import INPUT_TOPICS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lines() -> dict[str, dict[str, object]]:
    return {line["drill"]: line for line in run(list(DRILLS), outage_s=8, rate=8)}


@pytest.mark.parametrize("drill", list(DRILLS))
def test_nothing_is_lost_and_nothing_happens_twice(lines: dict[str, dict[str, object]], drill: str) -> None:
    line = lines[drill]
    assert line["lost"] == 0 and line["duplicated"] == 0, line
    assert line["handled"] + line["dead_lettered"] == line["sent"] > 0, line  # type: ignore[operator]
    assert line.get("api_500", 0) == 0 and line.get("api_503_without_retry_after", 0) == 0, line


def test_every_kind_of_poison_on_every_input_topic_is_dead_lettered_and_published(
    lines: dict[str, dict[str, object]],
) -> None:
    line = lines["poison"]
    kinds = len(line["kinds"])  # type: ignore[arg-type]
    assert line["dead_lettered"] == line["letters_published"] == kinds * len(INPUT_TOPICS), line
    assert line["handled"] == 2 * len(INPUT_TOPICS) and line["worker_restarts"] == 0, line
    assert line["handled_without_key"] == len(INPUT_TOPICS), line  # no key is no poison


@pytest.mark.parametrize(
    "drill", ["database_down", "smtp_down", "broker_killed", "worker_killed", "rebalance"]
)
def test_valid_events_are_never_dead_lettered_because_something_else_failed(
    lines: dict[str, dict[str, object]], drill: str
) -> None:
    assert lines[drill]["dead_lettered"] == 0, lines[drill]


def test_the_database_outage_was_answered_503_while_it_lasted(lines: dict[str, dict[str, object]]) -> None:
    answers = lines["database_down"]["api_answers"]
    assert answers.get("503", 0) > 0 and answers.get("202", 0) > 0, answers  # type: ignore[union-attr]


def test_an_emergency_reaches_the_coordinator_within_30_s_after_the_worker_is_killed(
    lines: dict[str, dict[str, object]],
) -> None:
    seconds = lines["worker_killed"]["urgent_mail_s"]
    assert seconds is not None and seconds <= 30, lines["worker_killed"]  # type: ignore[operator]
