"""Raising a process's priority where the host does not allow it is not a failure: the process runs
at normal priority and says so."""

from __future__ import annotations

import logging

import pytest

from services.priority import reschedule


def test_a_change_the_host_allows_is_made() -> None:
    asked: list[int] = []
    assert reschedule(-10, "the urgent sender", nice=lambda by: asked.append(by) or by)
    assert asked == [-10]


def test_no_change_asks_nothing() -> None:
    def refuse(by: int) -> int:
        raise AssertionError("not to be called")

    assert reschedule(0, "the urgent sender", nice=refuse)


def test_a_refused_raise_leaves_the_process_running_and_says_what_to_do(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(by: int) -> int:
        raise PermissionError(1, "Operation not permitted")

    with caplog.at_level(logging.WARNING, logger="services.priority"):
        assert not reschedule(-10, "the urgent Processor", nice=refuse)
    assert "the urgent Processor runs at normal priority" in caplog.text
    assert "CAP_SYS_NICE" in caplog.text and "URGENT_NICE=0" in caplog.text
