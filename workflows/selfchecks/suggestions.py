"""Suggestions for further work, kept as data beside a questionnaire: per field of action and per
goal, each linked to a support offer or a dialogue format; per field, the guests a workshop on it
should invite (civil society, politics, business). Validated against the questionnaire as read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflows.selfchecks.questionnaire import LANGUAGES, Questionnaire, QuestionnaireError

OFFERS = ("workshop", "consulting", "peer_exchange")
FORMATS = ("citizen_dialogue", "round_table", "future_workshop", "online")
GUEST_GROUPS = ("civil_society", "politics", "business")


@dataclass(frozen=True)
class Suggestion:
    text: dict[str, str]
    offer: str | None  # a support offer of the programme, or
    dialogue_format: str | None  # a dialogue format to invite people to


@dataclass(frozen=True)
class FieldSuggestions:
    suggestions: tuple[Suggestion, ...]
    guests: dict[str, dict[str, str]]  # GUEST_GROUPS -> who, in German and English


@dataclass(frozen=True)
class Suggestions:
    version: str
    fields: dict[str, FieldSuggestions]
    goals: dict[str, tuple[Suggestion, ...]]

    @classmethod
    def from_dict(cls, data: dict[str, Any], questionnaire: Questionnaire, source: str) -> Suggestions:
        def fail(problem: str) -> QuestionnaireError:
            return QuestionnaireError(f"{source}: {problem}")

        def texts(value: Any, where: str) -> dict[str, str]:
            if not isinstance(value, dict) or any(
                not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGUAGES
            ):
                raise fail(f"{where} needs a text in {' and '.join(LANGUAGES)}")
            return {lang: value[lang] for lang in LANGUAGES}

        def listed(items: Any, where: str) -> tuple[Suggestion, ...]:
            if not isinstance(items, list) or not items:
                raise fail(f"{where} needs at least one suggestion")
            found = []
            for n, item in enumerate(items, 1):
                offer, form = item.get("offer"), item.get("dialogue_format")
                if (offer is None) == (form is None):
                    raise fail(f"{where}, suggestion {n}: link it to either an offer or a dialogue format")
                if offer not in (None, *OFFERS) or form not in (None, *FORMATS):
                    raise fail(f"{where}, suggestion {n}: {offer or form!r} is not one of {OFFERS + FORMATS}")
                found.append(Suggestion(texts(item, f"{where}, suggestion {n}"), offer, form))
            return tuple(found)

        if str(data.get("version")) != questionnaire.version:
            raise fail(f"written for version {data.get('version')!r}, not {questionnaire.version!r}")
        try:
            fields = {}
            for field in questionnaire.fields:
                entry = data["fields"][field.id]
                guests = {
                    g: texts(entry["guests"][g], f"field {field.id!r} guests {g}") for g in GUEST_GROUPS
                }
                fields[field.id] = FieldSuggestions(
                    listed(entry["suggestions"], f"field {field.id!r}"), guests
                )
            goals = {g: listed(data["goals"][g], f"goal {g!r}") for g in questionnaire.goals}
        except (KeyError, TypeError, AttributeError) as exc:
            raise fail(f"missing or malformed entry: {exc}") from None
        unknown = (set(data["fields"]) - set(questionnaire.fields_by_id)) | (
            set(data.get("goals") or {}) - set(questionnaire.goals)
        )
        if unknown:
            raise fail(f"suggestions for what the questionnaire does not have: {sorted(unknown)}")
        return cls(questionnaire.version, fields, goals)
