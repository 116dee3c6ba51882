"""Support offers chosen from the catalogue by kind of incident and what the official asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CATALOGUE = (
    "legal_advice",
    "psychosocial_counselling",
    "security_consultation",
    "police_liaison",
    "takedown_request",
    "media_coaching",
    "peer_exchange",
)


@dataclass(frozen=True)
class OfferRules:
    by_kind: dict[str, tuple[str, ...]]
    by_request: dict[str, tuple[str, ...]]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfferRules:
        rules = cls(
            by_kind={k: tuple(v) for k, v in data["by_kind"].items()},
            by_request={k: tuple(v) for k, v in data["by_request"].items()},
        )
        unknown = {
            o for offers in [*rules.by_kind.values(), *rules.by_request.values()] for o in offers
        } - set(CATALOGUE)
        if unknown:
            raise ValueError(f"offers not in the catalogue: {sorted(unknown)}")
        return rules


def choose_offers(
    kind: str, support_wanted: tuple[str, ...], consent_police: bool, rules: OfferRules
) -> tuple[str, ...]:
    """What was asked for first, then what fits the kind; police liaison only with consent."""
    chosen: list[str] = []
    for wish in support_wanted:
        chosen.extend(rules.by_request.get(wish, ()))
    chosen.extend(rules.by_kind.get(kind, ()))
    unique = list(dict.fromkeys(chosen))
    return tuple(offer for offer in unique if offer != "police_liaison" or consent_police)
