"""Calendar invites are valid RFC 5545, read the same by two independent parsers: UTC times, one UID
per registration, SEQUENCE rising, cancellations with METHOD:CANCEL, UTF-8 declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import vobject
from icalendar import Calendar

from notifications.attachments import calendar_cancel, calendar_invite
from notifications.channels import Mail, build_email
from notifications.messages import MESSAGES
from notifications.rendering import Renderer

BERLIN_WINTER = timezone(timedelta(hours=1))  # what a stored ISO time turns into: a bare offset
ISSUED = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)


def context(**changes: Any) -> dict[str, Any]:
    return {
        "dialogue_title": "Bürgerdialog Zusammenhalt",
        "venue": "Rathaus, Marktplatz 1, Göttingen",
        "starts_at": datetime(2026, 12, 3, 18, 30, tzinfo=BERLIN_WINTER),
        "ends_at": datetime(2026, 12, 3, 20, 30, tzinfo=BERLIN_WINTER),
        "dialogue_uid": "d-7",
        "registration_uid": "r-42",
        "calendar_sequence": 1796000000,
        "calendar_organizer": "noreply@weltoffen.example",
        **changes,
    }


def both_parsers(data: bytes) -> tuple[Any, Any]:
    ours = Calendar.from_ical(data)
    theirs = vobject.readOne(data.decode("utf-8"))
    return ours, theirs


def test_an_invite_is_read_alike_by_two_parsers_with_utc_times_and_no_made_up_zone() -> None:
    invite = calendar_invite(context(), ISSUED)
    text = invite.data.decode("utf-8")
    assert "TZID" not in text and "DTSTART:20261203T173000Z" in text
    ours, theirs = both_parsers(invite.data)
    event = ours.walk("VEVENT")[0]
    assert str(ours["method"]) == "PUBLISH" and theirs.method.value == "PUBLISH"
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert theirs.vevent.dtstart.value == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert str(event["uid"]) == theirs.vevent.uid.value == "registration-r-42@weltoffen"
    assert int(event["sequence"]) == int(theirs.vevent.sequence.value) == 1796000000
    assert theirs.vevent.summary.value == "Bürgerdialog Zusammenhalt"
    assert theirs.vevent.organizer.value == "mailto:noreply@weltoffen.example"


def test_a_cancellation_has_the_same_uid_a_higher_sequence_and_method_cancel() -> None:
    invite = calendar_invite(context(), ISSUED)
    cancel = calendar_cancel(context(calendar_sequence=1796000500), ISSUED + timedelta(days=1))
    first, _ = both_parsers(invite.data)
    ours, theirs = both_parsers(cancel.data)
    assert str(ours["method"]) == "CANCEL" and theirs.method.value == "CANCEL"
    assert theirs.vevent.status.value == "CANCELLED"
    assert theirs.vevent.uid.value == str(first.walk("VEVENT")[0]["uid"])
    assert int(theirs.vevent.sequence.value) > int(first.walk("VEVENT")[0]["sequence"])
    assert cancel.content_type == "text/calendar; method=CANCEL; charset=utf-8"


def test_the_mail_declares_the_invites_charset_so_umlauts_arrive_whole() -> None:
    renderer = Renderer(sender_address="noreply@weltoffen.example")
    sample = {**MESSAGES["registration_confirmed"].sample, "registration_uid": "r-1", "calendar_sequence": 5}
    rendered = renderer.render("registration_confirmed", "de", sample, ISSUED)
    built = build_email(Mail("W <noreply@weltoffen.example>", "a@example.org", "<1@x>", ISSUED), rendered)
    mail = message_from_bytes(built.data.replace(b"\r\n", b"\n"), policy=policy.default)  # as received
    assert isinstance(mail, EmailMessage)
    [part] = list(mail.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_param("charset") == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    assert "Bürgerdialog" in part.get_content()
    assert vobject.readOne(part.get_content()).vevent.uid.value == "registration-r-1@weltoffen"


def test_every_message_with_an_invite_or_a_cancellation_builds_one() -> None:
    renderer = Renderer()
    for name, spec in MESSAGES.items():
        for attachment in renderer.render(name, "de", spec.sample, ISSUED).attachments:
            assert vobject.readOne(attachment.data.decode("utf-8")).vevent.dtstart.value.tzinfo is not None
