"""Files that travel with a message, built from its context (no I/O).

Calendar invites follow RFC 5545 (and the iTIP methods of RFC 5546): times in UTC (no floating times,
no made-up time zones), one UID per registration, so a calendar replaces its entry instead of adding
another; SEQUENCE rises with every change; a cancellation is a METHOD:CANCEL with the same UID. The
text part is UTF-8 and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=PUBLISH; charset=utf-8"
    data: bytes


def _uid(context: dict[str, Any]) -> str:
    """One UID per registration (older messages without it: per dialogue)."""
    registration = context.get("registration_uid")
    if registration:
        return f"registration-{registration}@weltoffen"
    return f"dialogue-{context['dialogue_uid']}@weltoffen"


def _sequence(context: dict[str, Any], issued_at: datetime) -> int:
    """Rises with every change (the sender counts seconds since 2026; older messages without it: 0)."""
    return int(context.get("calendar_sequence") or 0)


def _event(context: dict[str, Any], issued_at: datetime, cancelled: bool) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Weltoffen//Dialoge//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", _uid(context))
    event.add("sequence", _sequence(context, issued_at))
    event.add("dtstamp", issued_at.astimezone(UTC))
    event.add("dtstart", context["starts_at"].astimezone(UTC))
    event.add("dtend", context["ends_at"].astimezone(UTC))
    event.add("summary", context["dialogue_title"])
    event.add("location", context["venue"])
    event.add("description", f"{context['dialogue_title']} - {context['venue']}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{context.get('calendar_organizer') or 'noreply@weltoffen.invalid'}")
    organizer.params["cn"] = vText("Weltoffen")
    event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar


def calendar_invite(context: dict[str, Any], issued_at: datetime) -> Attachment:
    """The dialogue as an event to add to (or update in) a calendar."""
    calendar = _event(context, issued_at, cancelled=False)
    return Attachment("einladung.ics", "text/calendar; method=PUBLISH; charset=utf-8", calendar.to_ical())


def calendar_cancel(context: dict[str, Any], issued_at: datetime) -> Attachment:
    """Takes the event out of the calendar it was added to (same UID, higher SEQUENCE)."""
    calendar = _event(context, issued_at, cancelled=True)
    return Attachment("absage.ics", "text/calendar; method=CANCEL; charset=utf-8", calendar.to_ical())


BUILDERS: dict[str, Callable[[dict[str, Any], datetime], Attachment]] = {
    "calendar_invite": calendar_invite,
    "calendar_cancel": calendar_cancel,
}
