"""The catalogue of messages: what each one needs to be rendered, and a sample to test it with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    INBOX = "inbox"
    MATRIX = "matrix"  # the short text, in a direct room with the bot


class Part(StrEnum):
    """What one channel renders. Each part is its own template file per language."""

    EMAIL_TEXT = "email.txt"  # blocks: subject, body
    EMAIL_HTML = "email.html"  # block: body (inside the shared layout)
    SHORT = "short.txt"  # SMS-length text, also carried in webhook payloads
    WEBHOOK = "webhook.json"
    INBOX = "inbox.txt"  # blocks: title, body


LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
SHORT_TEXT_LIMIT = 320  # two SMS segments


# Filled in from the recipient when the message is sent, never stored with the notification: a
# registrant's name is personal data, and the link to their registration carries its secret.
RECIPIENT_VARIABLES = frozenset(
    {"participant_name", "manage_path", "reset_path", "answer_path", "confirmation_code"}
)


class MissingVariables(ValueError):
    """A notification was requested without everything its template needs."""


class StoredSecret(ValueError):
    """A notification's stored context would hold what only the recipient may have."""


@dataclass(frozen=True)
class MessageSpec:
    name: str
    variables: dict[str, type]  # name -> str, int, float or datetime (ISO string in storage)
    sample: dict[str, Any]
    attachments: tuple[str, ...] = field(default=())  # builders in notifications.attachments

    def stored_sample(self) -> dict[str, Any]:
        """The sample without what comes from the recipient: what a notification stores."""
        return {k: v for k, v in self.sample.items() if k not in RECIPIENT_VARIABLES}

    def check_storable(self, context: dict[str, Any]) -> None:
        """What is stored with a notification: everything but what comes from the recipient."""
        kept = sorted(RECIPIENT_VARIABLES & context.keys())
        if kept:
            raise StoredSecret(
                f"message {self.name!r}: {', '.join(kept)} come from the recipient at send time"
            )
        self.coerce({**dict.fromkeys(RECIPIENT_VARIABLES & self.variables.keys(), ""), **context})

    def coerce(self, context: dict[str, Any]) -> dict[str, Any]:
        """The stored JSON context with datetimes parsed; raises MissingVariables."""
        missing = sorted(set(self.variables) - context.keys())
        if missing:
            raise MissingVariables(f"message {self.name!r} needs: {', '.join(missing)}")
        values = dict(context)
        for name, kind in self.variables.items():
            if kind is datetime and isinstance(values[name], str):
                values[name] = datetime.fromisoformat(values[name])
        return values


_WHEN = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)

_REGISTRATION: dict[str, type] = {
    "dialogue_title": str,
    "starts_at": datetime,
    "ends_at": datetime,
    "venue": str,
    "dialogue_uid": str,
    "manage_path": str,
    "participant_name": str,
}
_REGISTRATION_SAMPLE: dict[str, Any] = {
    "dialogue_title": "Zukunftswerkstatt Innenstadt",
    "starts_at": _WHEN,
    "ends_at": datetime(2026, 12, 3, 20, 0, tzinfo=UTC),
    "venue": "Stadtbibliothek, Am Markt 2",
    "dialogue_uid": "d-9",
    "manage_path": "/registrations/r-1?token=t",
    "participant_name": "Jan Kowalski",
}
_ORGANISER: dict[str, type] = {"dialogue_title": str, "starts_at": datetime, "dialogue_path": str}
_ORGANISER_SAMPLE: dict[str, Any] = {
    "dialogue_title": "Zukunftswerkstatt Innenstadt",
    "starts_at": _WHEN,
    "dialogue_path": "/dialogues/d-9",
}

_CASE: dict[str, type] = {"case_ref": str, "case_path": str}
_CASE_SAMPLE: dict[str, Any] = {"case_ref": "F-2026-0042", "case_path": "/cases/42"}

MESSAGES: dict[str, MessageSpec] = {
    spec.name: spec
    for spec in (
        MessageSpec(
            "case_assigned",
            {
                "case_ref": str,
                "severity": str,
                "kind": str,
                "region": str,
                "acknowledge_by": datetime,
                "case_path": str,
            },
            {
                "case_ref": "F-2026-0042",
                "severity": "critical",
                "kind": "threat",
                "region": "03241",
                "acknowledge_by": _WHEN,
                "case_path": "/cases/42",
            },
        ),
        MessageSpec(
            "case_escalated",
            {
                "case_ref": str,
                "severity": str,
                "kind": str,
                "region": str,
                "acknowledge_by": datetime,
                "case_path": str,
                "level": int,
                "reason": str,
            },
            {
                "case_ref": "F-2026-0042",
                "severity": "critical",
                "kind": "threat",
                "region": "03241",
                "acknowledge_by": _WHEN,
                "case_path": "/cases/42",
                "level": 1,
                "reason": "unacknowledged",
            },
        ),
        MessageSpec(
            "case_received",
            {"case_ref": str, "offers": int, "case_path": str},
            {"case_ref": "F-2026-0042", "offers": 3, "case_path": "/cases/42"},
        ),
        MessageSpec(
            "case_taken_over",
            {"case_ref": str, "case_path": str, "by": str},  # by: assignee, team_lead or admin
            {"case_ref": "F-2026-0042", "case_path": "/cases/42", "by": "team_lead"},
        ),
        MessageSpec(
            "case_new_coordinator",
            {"case_ref": str, "case_path": str},
            {"case_ref": "F-2026-0042", "case_path": "/cases/42"},
        ),
        MessageSpec(
            "case_queued",
            {
                "case_ref": str,
                "severity": str,
                "region": str,
                "case_path": str,
                "acknowledge_by": datetime,  # when everyone is paged again
                "level": int,  # 0 first page, then the reminders
            },
            {
                "case_ref": "F-2026-0042",
                "severity": "high",
                "region": "03241001",
                "case_path": "/cases/42",
                "acknowledge_by": _WHEN,
                "level": 2,
            },
        ),
        MessageSpec(
            "case_in_hands",
            {"case_ref": str, "case_path": str, "coordinator_name": str, "expertise": str},
            {
                "case_ref": "F-2026-0042",
                "case_path": "/cases/42",
                "coordinator_name": "Dr. Miriam Okafor",
                "expertise": "legal,psychosocial",
            },
        ),
        MessageSpec("case_message", _CASE, _CASE_SAMPLE),
        MessageSpec("case_information", _CASE, _CASE_SAMPLE),
        MessageSpec("case_resolved", _CASE, _CASE_SAMPLE),
        MessageSpec("case_news", {"case_ref": str}, {"case_ref": "F-2026-0042"}),
        MessageSpec(
            "selfcheck_invitation",
            {"municipality_name": str, "label": str, "answer_path": str},
            {
                "municipality_name": "Musterstadt",
                "label": "Bürgeramt",
                "answer_path": "/selfchecks/respondents/r-1?token=t",
            },
        ),
        MessageSpec(
            "password_reset",
            {"expires_at": datetime, "reset_path": str},
            {"expires_at": _WHEN, "reset_path": "/password-reset/a-1?expires=1&token=t"},
        ),
        MessageSpec("matrix_confirmation", {"confirmation_code": str}, {"confirmation_code": "482913"}),
        MessageSpec(
            "checkin_missed",
            {**_CASE, "severity": str},
            {**_CASE_SAMPLE, "severity": "critical"},
        ),
        MessageSpec(
            "campaign_detected",
            {
                "case_count": int,
                "district": str,
                "basis": str,  # shared_marks or district
                "officials": int,  # distinct known officials
                "anonymous": int,  # anonymous reports: people unknown, never counted as officials
                "window_hours": int,
                "case_path": str,
            },
            {
                "case_count": 3,
                "district": "03241",
                "basis": "district",
                "officials": 2,
                "anonymous": 1,
                "window_hours": 24,
                "case_path": "/campaigns/7",
            },
        ),
        MessageSpec(
            "registration_confirmed",
            {
                "dialogue_title": str,
                "starts_at": datetime,
                "ends_at": datetime,
                "venue": str,
                "dialogue_uid": str,
                "manage_path": str,
                "participant_name": str,
            },
            {
                "dialogue_title": "Bürgerdialog <Zukunft> & Zusammenhalt",
                "starts_at": _WHEN,
                "ends_at": datetime(2026, 12, 3, 19, 30, tzinfo=UTC),
                "venue": "Rathaus, Marktplatz 1, Hildesheim",
                "dialogue_uid": "d-7",
                "manage_path": "/registrations/abc?token=xyz",
                "participant_name": "Ayşe Demir",
            },
            attachments=("calendar_invite",),
        ),
        MessageSpec(
            "registration_waitlisted",
            {**_REGISTRATION, "position": int},
            {**_REGISTRATION_SAMPLE, "position": 3},
        ),
        MessageSpec(
            "registration_promoted", _REGISTRATION, _REGISTRATION_SAMPLE, attachments=("calendar_invite",)
        ),
        MessageSpec("registration_full", _REGISTRATION, _REGISTRATION_SAMPLE),
        MessageSpec(
            "registration_received",
            {**_REGISTRATION, "draw_at": datetime},
            {**_REGISTRATION_SAMPLE, "draw_at": datetime(2026, 12, 1, 12, 0, tzinfo=UTC)},
        ),
        MessageSpec(
            "registration_cancelled", _REGISTRATION, _REGISTRATION_SAMPLE, attachments=("calendar_cancel",)
        ),
        MessageSpec("registration_link", _REGISTRATION, _REGISTRATION_SAMPLE),
        MessageSpec("registration_reminder", _REGISTRATION, _REGISTRATION_SAMPLE),
        MessageSpec(
            "dialogue_changed", _REGISTRATION, _REGISTRATION_SAMPLE, attachments=("calendar_invite",)
        ),
        MessageSpec(
            "dialogue_cancelled", _REGISTRATION, _REGISTRATION_SAMPLE, attachments=("calendar_cancel",)
        ),
        MessageSpec(
            "survey_invitation",
            {**_REGISTRATION, "survey_url": str},
            {**_REGISTRATION_SAMPLE, "survey_url": "https://umfrage.example/d7"},
        ),
        MessageSpec("dialogue_drafted", _ORGANISER, _ORGANISER_SAMPLE),
        MessageSpec(
            "capacity_alert",
            {**_ORGANISER, "percent": int, "confirmed": int, "capacity": int},
            {**_ORGANISER_SAMPLE, "percent": 80, "confirmed": 40, "capacity": 50},
        ),
        MessageSpec(
            "logistics_brief",
            {
                **_ORGANISER,
                "days": int,
                "headcount": int,
                "capacity": int,
                "waitlisted": int,
                "step_free": int,
                "sign_language": int,
                "simple_language": int,
                "interpreters": dict,
                "children": int,
                "childcare_staff": int,
                "dietary": dict,
                "tasks": list,
            },
            {
                **_ORGANISER_SAMPLE,
                "days": 7,
                "headcount": 42,
                "capacity": 50,
                "waitlisted": 6,
                "step_free": 3,
                "sign_language": 1,
                "simple_language": 2,
                "interpreters": {"ar": 4, "tr": 1},
                "children": 5,
                "childcare_staff": 2,
                "dietary": {"vegan": 3},
                "tasks": [
                    {
                        "de": "DGS-Dolmetschung buchen",
                        "en": "Book a German Sign Language interpreter",
                        "deadline": "2026-11-19T17:30:00+00:00",
                        "overdue": True,
                    }
                ],
            },
        ),
        MessageSpec(
            "selfcheck_result",
            {"municipality_name": str, "overall_index": int, "weakest_field": str, "report_path": str},
            {
                "municipality_name": "Musterstadt",
                "overall_index": 61,
                "weakest_field": "Engagement und Beteiligung",
                "report_path": "/selfchecks/9/report",
            },
        ),
        MessageSpec(
            "delivery_failed",
            {"notification_id": str, "template": str, "channel": str, "reason": str, "attempts": int},
            {
                "notification_id": "n-1",
                "template": "case_assigned",
                "channel": "email",
                "reason": "550 mailbox unavailable",
                "attempts": 1,
            },
        ),
    )
}
