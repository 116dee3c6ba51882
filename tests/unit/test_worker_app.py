"""The worker's Faust app takes its stream buffer from the settings: with Faust's default (4096) a
backlog kept the buffer full, and Faust paused and resumed fetching all the time. Its folder lies
in the service's data folder, not in the folder the worker was started from."""

from __future__ import annotations

from pathlib import Path

from events.catalog import URGENT_TOPICS
from services.pipeline.handler_types import load_handlers
from services.pipeline.processing import Outcome, Record
from services.settings import Settings
from services.worker.app import create_worker_app
from tests.support.pipeline import pipeline_settings


class _NoTopics:
    def topics(self) -> list[object]:
        return []


class _Processor:
    def process_batch(self, records: list[Record]) -> list[Outcome]:
        return []


def test_the_worker_s_streams_hold_as_many_events_as_the_settings_say() -> None:
    settings = pipeline_settings("sqlite://", "127.0.0.1:9", worker_stream_buffer=12345)
    app = create_worker_app(settings, _Processor(), _NoTopics())  # type: ignore[arg-type]
    assert app.conf.stream_buffer_maxsize == 12345


def test_by_default_they_hold_more_than_faust_s_own_default() -> None:
    settings = pipeline_settings("sqlite://", "127.0.0.1:9")
    app = create_worker_app(settings, _Processor(), _NoTopics())  # type: ignore[arg-type]
    assert app.conf.stream_buffer_maxsize == settings.worker_stream_buffer == 16384


def test_faust_s_folder_lies_in_the_service_s_data_folder(tmp_path: Path) -> None:
    settings = pipeline_settings("sqlite://", "127.0.0.1:9", data_dir=tmp_path)
    app = create_worker_app(settings, _Processor(), _NoTopics())  # type: ignore[arg-type]
    assert app.conf.datadir == tmp_path / "faust" / settings.worker_group


def test_an_app_given_some_topics_reads_only_those() -> None:
    handlers = load_handlers(Settings().handlers)
    urgent = [spec for spec in handlers.topics() if spec in URGENT_TOPICS.values()]
    settings = pipeline_settings("sqlite://", "127.0.0.1:9")
    whole = create_worker_app(settings, _Processor(), handlers)
    narrowed = create_worker_app(settings, _Processor(), handlers, topics=urgent)
    assert len(urgent) == 2
    assert sorted(whole.agents) == sorted(f"consume-{spec.name}" for spec in handlers.topics())
    assert sorted(narrowed.agents) == sorted(f"consume-{spec.name}" for spec in urgent)
