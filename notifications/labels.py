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
    "channel": {
        "de": {"email": "E-Mail", "webhook": "Webhook", "inbox": "Posteingang"},
        "en": {"email": "e-mail", "webhook": "webhook", "inbox": "inbox"},
    },
}


def label(group: str, code: str, locale: str) -> str:
    """The word for a code; an unknown code is shown as it is rather than failing a message."""
    return LABELS[group].get(locale, LABELS[group]["de"]).get(code, code)
