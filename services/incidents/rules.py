"""The rule files of the incident workflows, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workflows.incidents.campaign import CampaignRules
from workflows.incidents.offers import OfferRules
from workflows.incidents.routing import RoutingRules
from workflows.incidents.triage import TriageRules

RULES = Path(__file__).resolve().parents[2] / "workflows" / "incidents" / "rules"


class RuleFileError(ValueError):
    pass


@dataclass(frozen=True)
class IncidentRules:
    triage: TriageRules
    routing: RoutingRules
    offers: OfferRules
    campaign: CampaignRules


def _load(name: str) -> dict[str, Any]:
    path = RULES / name
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return data
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"{path}: {exc}") from None


@cache
def incident_rules() -> IncidentRules:
    try:
        return IncidentRules(
            triage=TriageRules.from_dict(_load("triage.yaml")),
            routing=RoutingRules.from_dict(_load("routing.yaml")),
            offers=OfferRules.from_dict(_load("offers.yaml")),
            campaign=CampaignRules(),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise RuleFileError(f"incident rules in {RULES} are invalid: {exc}") from exc
