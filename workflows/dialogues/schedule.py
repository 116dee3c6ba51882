"""What happens when around a dialogue: reminders, logistics briefs, survey, lottery, retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.errors import Invalid


@dataclass(frozen=True)
class Job:
    kind: str  # "reminder:48", "brief:7", "lottery", "survey", "retention"
    due_at: datetime


def jobs_for(
    starts_at: datetime,
    ends_at: datetime,
    registration_closes_at: datetime,
    reminder_hours: tuple[int, ...],
    brief_days: tuple[int, ...],
    retention_days: int,
    lottery: bool,
    survey: bool,
) -> list[Job]:
    jobs = [Job(f"reminder:{h}", starts_at - timedelta(hours=h)) for h in reminder_hours]
    jobs += [Job(f"brief:{d}", starts_at - timedelta(days=d)) for d in brief_days]
    if lottery:
        jobs.append(Job("lottery", registration_closes_at))
    if survey:
        jobs.append(Job("survey", ends_at + timedelta(hours=2)))
    jobs.append(Job("retention", ends_at + timedelta(days=retention_days)))
    return sorted(jobs, key=lambda job: job.due_at)


class ImpossibleDate(Invalid):
    """A dialogue that has already begun, lies implausibly far ahead or lasts for weeks."""


LONGEST_AHEAD = timedelta(days=3 * 365)
LONGEST_DIALOGUE = timedelta(days=7)


def check_dates(now: datetime, starts_at: datetime, ends_at: datetime) -> None:
    """A dialogue is planned for the future: starting after now, within three years, lasting at most a
    week (a typo in the year is caught here, not in a reminder that never comes)."""
    if starts_at <= now:
        raise ImpossibleDate("starts_at lies in the past: a dialogue can only be planned for the future")
    if starts_at > now + LONGEST_AHEAD:
        raise ImpossibleDate("starts_at lies more than three years ahead; please check the year")
    if ends_at - starts_at > LONGEST_DIALOGUE:
        raise ImpossibleDate("a dialogue lasts at most seven days")
