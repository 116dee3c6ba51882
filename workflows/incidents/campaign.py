"""Campaign detection: many incidents against several officials in one district within a day, or
incidents sharing a perpetrator's handle or link, are probably one coordinated campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RecentIncident:
    case_id: str
    official_key: str  # who was targeted (an opaque key, never a name)
    district: str  # the first five digits of the AGS code
    reported_at: datetime
    marks: frozenset[str]  # keyed hashes of perpetrator handles and links
    campaign_id: str | None = None


@dataclass(frozen=True)
class CampaignFinding:
    case_ids: tuple[str, ...]
    reason: str
    existing_campaign_id: str | None


@dataclass(frozen=True)
class CampaignRules:
    window: timedelta = timedelta(hours=24)
    min_incidents: int = 3
    min_officials: int = 2


def detect(new: RecentIncident, recent: list[RecentIncident], rules: CampaignRules) -> CampaignFinding | None:
    """Given the new incident and the others of the window, the cases that form a campaign."""
    window = [
        i for i in recent if i.case_id != new.case_id and new.reported_at - i.reported_at <= rules.window
    ]
    shared = [i for i in window if i.marks & new.marks]
    if shared:
        group = [*shared, new]
        reason = f"{len(group)} incidents share a perpetrator handle or link"
    else:
        group = [*(i for i in window if i.district == new.district), new]
        officials = {i.official_key for i in group}
        if len(group) < rules.min_incidents or len(officials) < rules.min_officials:
            return None
        reason = (
            f"{len(group)} incidents against {len(officials)} officials"
            f" in district {new.district} within {rules.window}"
        )
    existing = next((i.campaign_id for i in group if i.campaign_id), None)
    return CampaignFinding(tuple(sorted(i.case_id for i in group)), reason, existing)
