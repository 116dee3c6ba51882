"""What happens when around a dialogue: reminders, logistics briefs, survey, lottery, retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


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
