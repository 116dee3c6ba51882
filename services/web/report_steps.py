"""The report form in short steps, without JavaScript: each step's answers are checked, and the
answers so far travel along in hidden fields; the last step sends the report through the same
operation as the API. What belongs to which step, and turning the answers into an IncidentCreate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from services.incidents.intake import IncidentCreate
from services.web.forms import checked, listed
from services.web.i18n import BERLIN, N_

KINDS = (
    "threat",
    "hate_speech_online",
    "insult",
    "stalking",
    "doxxing",
    "property_damage",
    "physical_attack",
    "family_targeted",
    "other",
)
CHANNELS = ("online", "social_media", "email", "letter", "phone", "in_person", "other")
TARGETS = ("self", "family", "staff")
SUPPORT = ("legal", "psychosocial", "security", "takedown", "media", "peer")


@dataclass(frozen=True)
class Step:
    name: str
    fields: tuple[str, ...]


STEPS = (
    Step("danger", ("immediate_danger",)),
    Step(
        "what",
        (
            "kind",
            "channel",
            "occurred_date",
            "occurred_time",
            "municipality_ags",
            *(f"target:{t}" for t in TARGETS),
            "threat_of_violence",
            "children_involved",
        ),
    ),
    Step("details", ("narrative", "evidence_links", "perpetrator_handles")),
    Step("support", (*(f"support:{s}" for s in SUPPORT), "consent_police", "share_contact")),
)
NAMES = [s.name for s in STEPS]
STEP_OF_FIELD = {
    "immediate_danger": "danger",
    "kind": "what",
    "channel": "what",
    "occurred_at": "what",
    "occurred_date": "what",
    "municipality_ags": "what",
    "targets": "what",
    "narrative": "details",
    "evidence_links": "details",
    "perpetrator_handles": "details",
    "support_wanted": "support",
}
MESSAGES = {
    "immediate_danger": N_("Say whether you or others are in danger right now"),
    "kind": N_("Choose what happened"),
    "channel": N_("Choose how it reached you"),
    "occurred_date": N_("Enter the day it happened, like 28.11.2026; it cannot lie in the future"),
    "municipality_ags": N_("Choose your municipality, or enter its 8-digit key (AGS)"),
    "targets": N_("Choose at least one: whom it was aimed at"),
    "narrative": N_("Tell us what happened in at least 10 characters"),
    "evidence_links": N_("Enter each link on its own line, starting with https://"),
    "perpetrator_handles": N_("Enter at most 20 names or accounts, one per line"),
}


def step_named(name: str | None) -> str:
    return name if name in NAMES else "danger"


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def occurred_at(values: Mapping[str, str]) -> datetime | None:
    """The day (and time, if given) in Berlin time."""
    day, time = values.get("occurred_date", "").strip(), values.get("occurred_time", "").strip() or "12:00"
    for pattern in ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(f"{day} {time}", pattern).replace(tzinfo=BERLIN)
        except ValueError:
            continue
    return None


def incident(values: Mapping[str, str], language: str, signed_in: bool) -> IncidentCreate:
    """The answers as the operation's input; a ValidationError names the fields that do not fit."""
    when = occurred_at(values)
    return IncidentCreate.model_validate(
        {
            "kind": values.get("kind") or None,
            "channel": values.get("channel") or None,
            "occurred_at": when.isoformat() if when else "",
            "municipality_ags": values.get("municipality_ags", "").strip(),
            "targets": listed(values, "target"),
            "children_involved": checked(values, "children_involved"),
            "threat_of_violence": checked(values, "threat_of_violence"),
            "immediate_danger": values.get("immediate_danger") == "yes",
            "narrative": values.get("narrative", "").strip(),
            "evidence_links": lines(values.get("evidence_links", "")),
            "perpetrator_handles": lines(values.get("perpetrator_handles", "")),
            "support_wanted": listed(values, "support"),
            "consent_police": checked(values, "consent_police"),
            "language": "en" if language == "en" else "de",
            "share_contact": signed_in and checked(values, "share_contact"),
        }
    )


def problems_until(values: Mapping[str, str], step: str, language: str, signed_in: bool) -> dict[str, str]:
    """The fields (msgids by field) that do not fit, among the steps up to ``step``."""
    problems: dict[str, str] = {}
    if values.get("immediate_danger") not in ("yes", "no"):
        problems["immediate_danger"] = MESSAGES["immediate_danger"]
    if step == "danger":
        return problems
    try:
        incident(values, language, signed_in)
    except ValidationError as exc:
        reached = NAMES[: NAMES.index(step) + 1]
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "narrative"
            field = "occurred_date" if field == "occurred_at" else field
            if STEP_OF_FIELD.get(field) in reached and field not in problems:
                problems[field] = MESSAGES.get(field, N_("Check this answer"))
    return problems
