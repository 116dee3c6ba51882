"""Operations on cases shared by the intake, the handlers, the timers and the API."""

from __future__ import annotations

import json
import secrets
import string
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from events import new_envelope
from events.contracts import CaseAction, CaseUpdated
from services.incidents.on_call import on_call_now
from services.incidents.rules import incident_rules
from services.incidents.tables import Case, CaseHistory, CaseStatus, CoordinatorProfile, DutyShift, Incident
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.incidents import case_rules
from workflows.incidents.routing import CaseFacts, Coordinator, RoutingDecision, route
from workflows.incidents.triage import Severity

OPEN = case_rules.OPEN
_CODE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"


def new_case_ref(now: datetime) -> str:
    return f"F-{now.year}-{secrets.token_hex(3).upper()}"


def new_anonymous_code() -> str:
    return "A-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def normalise_code(typed: str) -> str:
    """An anonymous case code as it is stored ("A-" and ten characters), however it was typed: in
    lower case, with spaces or dashes anywhere."""
    plain = "".join(c for c in typed.upper() if c.isalnum())
    return f"{plain[:1]}-{plain[1:]}" if plain else ""


def record(
    uow: UnitOfWork,
    case: Case,
    action: CaseAction,
    actor_id: str | None,
    detail: dict[str, object] | None = None,
) -> None:
    """One line in the case history and one CaseUpdated event (ids only), in the same transaction."""
    now = uow.clock()
    case.updated_at = now
    case.version += 1
    uow.session.add(case)
    uow.session.add(
        CaseHistory(
            case_id=case.id, at=now, actor_id=actor_id, action=action.value, detail=json.dumps(detail or {})
        )
    )
    uow.emit(
        new_envelope(
            CaseUpdated(case_id=case.id, action=action, escalation_level=case.escalation_level, at=now)
        )
    )


def kind_of(session: Session, case: Case) -> str:
    """The kind of incident a case is about (what a coordinator's page names)."""
    incident = session.get(Incident, case.incident_id)
    return incident.kind if incident is not None else "other"


def chain_of(case: Case) -> tuple[str, ...]:
    return tuple(json.loads(case.escalation_chain))


def route_case(session: Session, incident: Incident, severity: Severity, now: datetime) -> RoutingDecision:
    """Who should take a case now (the intake and the queue's retries ask the same)."""
    wanted = tuple(w for w in incident.support_wanted.split(",") if w)
    facts = CaseFacts(incident.municipality_ags, incident.kind, severity, incident.language, wanted)
    return route(facts, coordinators(session, now), incident_rules().routing)


def coordinators(session: Session, now: datetime) -> list[Coordinator]:
    """Everyone routing may choose from, with their current load and duty."""
    rows = session.exec(
        select(CoordinatorProfile, Account)
        .join(Account, col(Account.id) == col(CoordinatorProfile.account_id))
        .where(col(Account.is_active), Account.role == Role.COORDINATOR)
    ).all()
    load = dict(
        session.exec(
            select(Case.assignee_id, func.count())
            .where(col(Case.status).in_([CaseStatus.ASSIGNED, CaseStatus.ACKNOWLEDGED]))
            .group_by(col(Case.assignee_id))
        ).all()
    )
    shifts: dict[str, list[DutyShift]] = {}
    for shift in session.exec(select(DutyShift).where(col(DutyShift.ends_at) > now)).all():
        shifts.setdefault(shift.account_id, []).append(shift)
    with_shifts = set(session.exec(select(DutyShift.account_id).distinct()).all())
    on_call = set(on_call_now(session, now))
    result = []
    for profile, account in rows:
        in_shift = any(s.starts_at <= now < s.ends_at for s in shifts.get(account.id, []))
        result.append(
            Coordinator(
                account_id=account.id,
                region=profile.regions or account.region or "",
                expertise=frozenset(e for e in profile.expertise.split(",") if e),
                languages=frozenset(lang for lang in profile.languages.split(",") if lang),
                on_duty=profile.on_duty and (in_shift or account.id not in with_shifts),
                open_cases=int(load.get(account.id, 0)),
                capacity=profile.capacity,
                team_lead=profile.team_lead,
                programme_on_call=account.id in on_call,
            )
        )
    return result
