"""Routing: which coordinator gets a case, and who is next if nobody acknowledges it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from workflows.incidents.triage import Severity


@dataclass(frozen=True)
class CaseFacts:
    region_ags: str  # the municipality's 8-digit code
    kind: str
    severity: Severity
    language: str
    support_wanted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coordinator:
    account_id: str
    region: str  # AGS prefixes covered, comma-separated ("" for none)
    expertise: frozenset[str]
    languages: frozenset[str]
    on_duty: bool
    open_cases: int
    capacity: int
    team_lead: bool = False
    programme_on_call: bool = False

    def covers(self, ags: str) -> bool:
        return any(ags.startswith(prefix) for prefix in self.region.split(",") if prefix)


@dataclass(frozen=True)
class Rule:
    name: str
    expertise: str
    when: dict[str, frozenset[str]] = field(default_factory=dict)

    def matches(self, case: CaseFacts) -> bool:
        values = {
            "severity": {case.severity.value},
            "kind": {case.kind},
            "support_wanted": set(case.support_wanted),
        }
        return all(values.get(key, set()) & allowed for key, allowed in self.when.items())


@dataclass(frozen=True)
class RoutingRules:
    rules: tuple[Rule, ...]
    acknowledge_within: dict[Severity, timedelta]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoutingRules:
        return cls(
            rules=tuple(
                Rule(
                    name=item["name"],
                    expertise=item["expertise"],
                    when={key: frozenset(values) for key, values in item.get("when", {}).items()},
                )
                for item in data["rules"]
            ),
            acknowledge_within={
                Severity(level): timedelta(minutes=int(minutes))
                for level, minutes in data["acknowledge_within_minutes"].items()
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """The rules as data, to snapshot onto a case: later edits never change a running case."""
        return {
            "rules": [
                {"name": r.name, "expertise": r.expertise, "when": {k: sorted(v) for k, v in r.when.items()}}
                for r in self.rules
            ],
            "acknowledge_within_minutes": {
                s.value: int(d.total_seconds() // 60) for s, d in self.acknowledge_within.items()
            },
        }


@dataclass(frozen=True)
class RoutingDecision:
    rule: str
    expertise: str
    chain: tuple[str, ...]  # primary, backup, team lead, programme on-call (without repeats)
    reasons: tuple[str, ...]
    queued: bool = False  # nobody in the region can take it: the programme queue, and an alert


def route(case: CaseFacts, coordinators: list[Coordinator], rules: RoutingRules) -> RoutingDecision:
    rule = next((r for r in rules.rules if r.matches(case)), None)
    if rule is None:
        return RoutingDecision("none", "", (), ("no routing rule matched",), queued=True)
    regional = [c for c in coordinators if c.covers(case.region_ags)]
    skilled = [c for c in regional if rule.expertise in c.expertise]
    reasons = [
        f"rule {rule.name}: needs {rule.expertise}",
        f"{len(skilled)} coordinator(s) with it in the region",
    ]
    available = [c for c in skilled if c.on_duty and c.open_cases < c.capacity]
    speaking = [c for c in available if case.language in c.languages]
    if available and not speaking:
        reasons.append(f"nobody available speaks {case.language}: routed without the language")
        speaking = available
    elif len(speaking) < len(available):
        reasons.append(f"language {case.language} preferred")
    # Least loaded relative to capacity; on a tie, more spare capacity; then a stable order.
    ranked = sorted(
        speaking,
        key=lambda c: (c.open_cases / max(c.capacity, 1), c.open_cases, -c.capacity, c.account_id),
    )
    chain = [c.account_id for c in ranked[:2]]  # primary and backup: least loaded first
    lead = next((c for c in regional if c.team_lead and c.account_id not in chain), None)
    if lead is not None:
        chain.append(lead.account_id)
    on_call = next((c for c in coordinators if c.programme_on_call and c.account_id not in chain), None)
    if on_call is not None and chain:
        chain.append(on_call.account_id)
    if not ranked:
        reasons.append("nobody on duty with capacity: programme queue")
        chain = [on_call.account_id] if on_call is not None else []
    return RoutingDecision(rule.name, rule.expertise, tuple(chain), tuple(reasons), queued=not ranked)
