"""The rule files of the incident workflows, loaded once per process."""

from __future__ import annotations

import hashlib
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


@dataclass(frozen=True)
class RuleFile:
    name: str  # triage, routing, offers
    version: str  # the first 12 hex digits of the file's SHA-256: what a case was decided by
    text: str


def rule_files() -> list[RuleFile]:
    """The rule files in force, as written (with their comments), each with its version."""
    found = []
    for name in ("triage", "routing", "offers"):
        data = (RULES / f"{name}.yaml").read_bytes()
        found.append(RuleFile(name, hashlib.sha256(data).hexdigest()[:12], data.decode("utf-8")))
    return found
