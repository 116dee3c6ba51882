"""Campaign detection: many incidents against several officials in one district within a day, or
incidents sharing a perpetrator's handle or link, are probably one coordinated campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RecentIncident:
    case_id: str
    official_key: str | None  # who reported (an opaque key, never a name); None: anonymous
    district: str  # the first five digits of the AGS code
    reported_at: datetime
    marks: frozenset[str]  # keyed hashes of perpetrator handles and links
    campaign_id: str | None = None


@dataclass(frozen=True)
class CampaignFinding:
    case_ids: tuple[str, ...]
    basis: str  # "shared_marks" or "district"
    officials: int  # distinct known officials among the reports
    anonymous: int  # anonymous reports: who is behind them is unknown
    window_hours: int
    existing_campaign_id: str | None

    @property
    def reason(self) -> str:
        """The finding in one line, for the record (people read it from the message catalogue)."""
        if self.basis == "shared_marks":
            return f"{len(self.case_ids)} incidents share a perpetrator handle or link"
        unknown = f" and {self.anonymous} anonymous report(s)" if self.anonymous else ""
        return (
            f"{len(self.case_ids)} incidents against {self.officials} known official(s){unknown}"
            f" in one district within {self.window_hours} hours"
        )


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
    hours = int(rules.window.total_seconds() // 3600)
    if shared:
        group = [*shared, new]
        basis = "shared_marks"
    else:
        group = [*(i for i in window if i.district == new.district), new]
        basis = "district"
    officials = len({i.official_key for i in group if i.official_key is not None})
    anonymous = sum(1 for i in group if i.official_key is None)
    if basis == "district":
        # anonymous reports may all come from one person: together they count as one at most
        people = officials + (1 if anonymous else 0)
        if len(group) < rules.min_incidents or people < rules.min_officials:
            return None
    existing = next((i.campaign_id for i in group if i.campaign_id), None)
    cases = tuple(sorted(i.case_id for i in group))
    return CampaignFinding(cases, basis, officials, anonymous, hours, existing)
