from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from notifications.channels import verify_webhook, webhook_signature
from notifications.policy import QuietHours, RetrySchedule, earliest_send

NIGHT = QuietHours(time(22, 0), time(7, 0))  # Europe/Berlin


def test_quiet_hours_hold_back_bulk_until_morning_in_berlin() -> None:
    late = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    assert earliest_send(late, NIGHT, urgent=False) == datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # 07:00 CET
    early = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # 05:00 in Berlin
    assert earliest_send(early, NIGHT, urgent=False) == datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def test_quiet_hours_never_delay_an_urgent_message() -> None:
    late = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)
    assert earliest_send(late, NIGHT, urgent=True) == late


def test_outside_quiet_hours_and_daytime_windows() -> None:
    noon = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    assert earliest_send(noon, NIGHT, urgent=False) == noon
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert earliest_send(noon, lunch, urgent=False) == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert earliest_send(noon, None, urgent=False) == noon


def test_retry_backoff_grows_with_jitter_and_gives_up() -> None:
    schedule = RetrySchedule(base_s=30, max_s=600, max_attempts=4)
    now = datetime(2026, 11, 26, tzinfo=UTC)
    rng = random.Random(7)
    delays = [(schedule.next_attempt(now, attempt, rng) - now).total_seconds() for attempt in (1, 2, 3)]  # type: ignore[operator]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert schedule.next_attempt(now, 4, rng) is None
    capped = RetrySchedule(base_s=30, max_s=600, max_attempts=20).next_attempt(now, 15, rng)
    assert capped is not None and capped - now <= timedelta(seconds=600)


def test_webhook_signature_verifies_and_rejects_tampering_and_replays() -> None:
    body = b'{"message":"case_assigned"}'
    signature = webhook_signature("s3cret", 1_800_000_000, body)
    assert signature.startswith("sha256=")
    assert verify_webhook("s3cret", "1800000000", signature, body, now=1_800_000_010)
    assert not verify_webhook("s3cret", "1800000000", signature, body + b" ", now=1_800_000_010)
    assert not verify_webhook("other", "1800000000", signature, body, now=1_800_000_010)
    assert not verify_webhook("s3cret", "1800000000", signature, body, now=1_800_000_000 + 3600)
    assert not verify_webhook("s3cret", "yesterday", signature, body, now=1_800_000_010)
