"""Triage: how severe is a reported incident, and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return LADDER.index(self)


LADDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


@dataclass(frozen=True)
class IncidentFacts:
    kind: str
    immediate_danger: bool
    family_targeted: bool
    children_involved: bool
    threat_of_violence: bool
    earlier_reports_in_window: int  # by the same official within the repeat window


@dataclass(frozen=True)
class TriageDecision:
    severity: Severity
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TriageRules:
    base: dict[str, Severity]
    raises: dict[str, int]
    repeat_window_days: int
    immediate_danger: Severity

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriageRules:
        return cls(
            base={kind: Severity(value) for kind, value in data["base"].items()},
            raises={reason: int(steps) for reason, steps in data["raise"].items()},
            repeat_window_days=int(data["repeat_window_days"]),
            immediate_danger=Severity(data["immediate_danger"]),
        )


def triage(facts: IncidentFacts, rules: TriageRules) -> TriageDecision:
    severity = rules.base.get(facts.kind, Severity.MEDIUM)
    reasons = [f"kind {facts.kind}: {severity}"]
    present = {
        "family_targeted": facts.family_targeted or facts.kind == "family_targeted",
        "children_involved": facts.children_involved,
        "threat_of_violence": facts.threat_of_violence,
        "repeated": facts.earlier_reports_in_window > 0,
    }
    for reason, steps in rules.raises.items():
        if present.get(reason):
            raised = LADDER[min(len(LADDER) - 1, severity.rank + steps)]
            reasons.append(f"{reason}: +{steps} -> {raised}")
            severity = raised
    if facts.immediate_danger and severity.rank < rules.immediate_danger.rank:
        reasons.append(f"immediate danger -> {rules.immediate_danger}")
        severity = rules.immediate_danger
    elif facts.immediate_danger:
        reasons.append("immediate danger")
    return TriageDecision(severity, tuple(reasons))
