"""Files that travel with a message, built from its context (no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from icalendar import Calendar, Event


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=PUBLISH"
    data: bytes


def calendar_invite(context: dict[str, Any], issued_at: datetime) -> Attachment:
    """An iCalendar (RFC 5545) event for a dialogue, times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", "-//Weltoffen//Dialoge//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"dialogue-{context['dialogue_uid']}@weltoffen")
    event.add("summary", context["dialogue_title"])
    event.add("location", context["venue"])
    event.add("description", f"{context['dialogue_title']} - {context['venue']}")
    event.add("dtstart", context["starts_at"])
    event.add("dtend", context["ends_at"])
    event.add("dtstamp", issued_at)
    calendar.add_component(event)
    return Attachment("einladung.ics", "text/calendar; method=PUBLISH", calendar.to_ical())


BUILDERS: dict[str, Callable[[dict[str, Any], datetime], Attachment]] = {"calendar_invite": calendar_invite}
