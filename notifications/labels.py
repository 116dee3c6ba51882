"""Words for codes, per language (used by the templates through ``label(group, code, locale)``)."""

from __future__ import annotations

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "severity": {
        "de": {"critical": "kritisch", "high": "hoch", "medium": "mittel", "low": "niedrig"},
        "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
    },
    "kind": {
        "de": {
            "hate_speech_online": "Hassrede im Netz",
            "insult": "Beleidigung",
            "threat": "Bedrohung",
            "stalking": "Nachstellung",
            "doxxing": "Veröffentlichung privater Daten",
            "property_damage": "Sachbeschädigung",
            "physical_attack": "körperlicher Angriff",
            "family_targeted": "Angriff auf Angehörige",
            "other": "anderes",
        },
        "en": {
            "hate_speech_online": "online hate speech",
            "insult": "insult",
            "threat": "threat",
            "stalking": "stalking",
            "doxxing": "doxxing",
            "property_damage": "property damage",
            "physical_attack": "physical attack",
            "family_targeted": "family targeted",
            "other": "other",
        },
    },
    "escalation_reason": {
        "de": {
            "unacknowledged": "nicht rechtzeitig bestätigt",
            "checkin_missed": "Sicherheits-Check-in verpasst",
        },
        "en": {"unacknowledged": "not acknowledged in time", "checkin_missed": "safety check-in missed"},
    },
    "expertise": {
        "de": {
            "legal": "Recht",
            "psychosocial": "psychosoziale Unterstützung",
            "security": "Sicherheit",
            "takedown": "Löschung von Inhalten",
            "media": "Medienarbeit",
        },
        "en": {
            "legal": "legal",
            "psychosocial": "psychosocial support",
            "security": "security",
            "takedown": "content take-down",
            "media": "media relations",
        },
    },
    "handover": {
        "de": {
            "team_lead": "die Teamleitung hat ihn weitergegeben",
            "admin": "die Programmleitung hat ihn weitergegeben",
            "assignee": "Sie haben ihn übergeben",
            "escalation": "Sie hatten ihn nicht rechtzeitig bestätigt, deshalb ist er eskaliert",
            "off_duty": "Sie sind außer Dienst gegangen und haben ihn abgegeben",
        },
        "en": {
            "team_lead": "the team lead has passed it on",
            "admin": "the programme admin has passed it on",
            "assignee": "you handed it over",
            "escalation": "it was not acknowledged in time, so it escalated",
            "off_duty": "you went off duty and handed it over",
        },
    },
    "channel": {
        "de": {"email": "E-Mail", "webhook": "Webhook", "inbox": "Posteingang"},
        "en": {"email": "e-mail", "webhook": "webhook", "inbox": "inbox"},
    },
}


def label(group: str, code: str, locale: str) -> str:
    """The word for a code; an unknown code is shown as it is rather than failing a message."""
    return LABELS[group].get(locale, LABELS[group]["de"]).get(code, code)
