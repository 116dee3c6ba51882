"""Reporting incidents: signed-in officials, anonymous reporters with a case code, evidence files."""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, UploadFile, status
from pydantic import BaseModel
from sqlmodel import Session, select

from events.contracts import CaseAction
from services.access import Principal, Scope, require_access
from services.api.deps import ContainerDep, CurrentOfficial, CurrentPrincipal, SessionDep
from services.api.limits import rate_limited
from services.bootstrap import Container
from services.crypto import keyed_hash
from services.incidents.case_actions import add_information
from services.incidents.cases import record
from services.incidents.intake import IncidentCreate, Reported, report_incident
from services.incidents.schemas import Added, EvidenceAdded, Information
from services.incidents.tables import Case, EvidenceFile, SupportOffer

router = APIRouter(tags=["incidents"])
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8\xff",
    "application/pdf": b"%PDF",
    "text/plain": b"",
}


@router.post("/incidents", response_model=Reported, status_code=status.HTTP_201_CREATED)
def report(body: IncidentCreate, principal: CurrentOfficial, container: ContainerDep) -> Reported:
    """An official reports hostility. Immediate danger: the answer says to call 110 at once, and the
    case takes the urgent lane."""
    return _report(container, body, principal.account_id)


@router.post(
    "/incidents/anonymous",
    response_model=Reported,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(rate_limited("anonymous-report", "anonymous_reports_per_minute"))],
)
def report_anonymously(body: IncidentCreate, container: ContainerDep) -> Reported:
    """No account needed. Keep the code and secret from the answer: they are shown only once."""
    return _report(container, body, None)


def _report(container: Container, body: IncidentCreate, reporter_id: str | None) -> Reported:
    with container.uow() as uow:
        answer = report_incident(
            uow, body, reporter_id, container.cipher, container.settings.secret_key.get_secret_value()
        )
        uow.commit()  # the 2xx below means: incident, case and event are stored
    return answer


class AnonymousStatus(BaseModel):
    case_ref: str
    status: str
    severity: str | None
    offers: list[str]
    updated_at: datetime


def anonymous_case(session: Session, container: Container, code: str, secret: str) -> Case:
    case = session.exec(select(Case).where(Case.anonymous_code == code)).first()
    expected = keyed_hash(container.settings.secret_key.get_secret_value(), secret)
    if (
        case is None
        or not case.anonymous_secret_hash
        or not hmac.compare_digest(case.anonymous_secret_hash, expected)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no case with this code and secret")
    return case


SecretHeader = Annotated[
    str, Header(alias="X-Case-Secret", description="the secret shown with the case code")
]


@router.get("/anonymous/cases/{code}", response_model=AnonymousStatus)
def anonymous_status(
    code: str, secret: SecretHeader, session: SessionDep, container: ContainerDep
) -> AnonymousStatus:
    case = anonymous_case(session, container, code, secret)
    offers = session.exec(select(SupportOffer.kind).where(SupportOffer.case_id == case.id)).all()
    return AnonymousStatus(
        case_ref=case.ref,
        status=case.status,
        severity=case.severity,
        offers=list(offers),
        updated_at=case.updated_at,
    )


@router.post("/anonymous/cases/{code}/information", response_model=Added, status_code=status.HTTP_201_CREATED)
def anonymous_information(
    code: str, body: Information, secret: SecretHeader, container: ContainerDep
) -> Added:
    with container.uow() as uow:
        case = anonymous_case(uow.session, container, code, secret)
        add_information(uow, container.cipher, case, None, body.text)
        uow.commit()
    return Added()


@router.post("/cases/{case_id}/evidence", response_model=EvidenceAdded, status_code=status.HTTP_201_CREATED)
async def upload_evidence(
    case_id: str, file: UploadFile, principal: CurrentPrincipal, container: ContainerDep
) -> EvidenceAdded:
    """The reporting official adds a file (PNG, JPEG, PDF or plain text, at most 10 MiB)."""
    data = await file.read(MAX_EVIDENCE_BYTES + 1)
    content_type = (file.content_type or "").split(";")[0].strip()
    if len(data) > MAX_EVIDENCE_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "a file may be at most 10 MiB")
    if content_type not in EVIDENCE_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"allowed file types: {', '.join(sorted(EVIDENCE_TYPES))}"
        )
    if not data.startswith(EVIDENCE_TYPES[content_type]) or not data:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"the file's content is not {content_type}"
        )
    with container.uow() as uow:
        case = _own_case(uow.session, principal, case_id)
        evidence = EvidenceFile(
            id=str(uuid.uuid4()),
            incident_id=case.incident_id,
            filename=(file.filename or "evidence")[:200],
            content_type=content_type,
            size=len(data),
            data_enc=container.cipher.encrypt_bytes(data),
            added_at=uow.clock(),
        )
        uow.session.add(evidence)
        record(uow, case, CaseAction.INFORMATION_ADDED, principal.account_id, {"evidence_file": evidence.id})
        uow.commit()
    return EvidenceAdded(id=evidence.id, size=len(data), content_type=content_type)


def _own_case(session: Session, principal: Principal, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
    require_access(principal, Scope(owner_id=case.reporter_id), "case")
    return case
