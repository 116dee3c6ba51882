"""Reporting incidents: signed-in officials, anonymous reporters with a case code, evidence files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, UploadFile, status

from services.api.deps import ContainerDep, CurrentOfficial, CurrentPrincipal, SessionDep, committed
from services.api.limits import rate_limited
from services.bootstrap import Container
from services.incidents import reporter_actions
from services.incidents.intake import IncidentCreate, Reported, report_incident
from services.incidents.schemas import Added, AnonymousStatus, EvidenceAdded, Information, NewsAddress

router = APIRouter(tags=["incidents"])


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
    secret_key = container.settings.secret_key.get_secret_value()
    # The 2xx means: incident, case and event are stored. Immediate danger writes first.
    with committed(container, urgent=body.immediate_danger) as uow:
        return report_incident(uow, body, reporter_id, container.cipher, secret_key)


SecretHeader = Annotated[
    str, Header(alias="X-Case-Secret", description="the secret shown with the case code")
]


anonymous_lookups = [Depends(rate_limited("anonymous-case", "anonymous_case_lookups_per_minute"))]


@router.get("/anonymous/cases/{code}", response_model=AnonymousStatus, dependencies=anonymous_lookups)
def anonymous_status(
    code: str, secret: SecretHeader, session: SessionDep, container: ContainerDep
) -> AnonymousStatus:
    secret_key = container.settings.secret_key.get_secret_value()
    return reporter_actions.anonymous_status(session, container.cipher, secret_key, code, secret)


@router.put(
    "/anonymous/cases/{code}/news-address", response_model=AnonymousStatus, dependencies=anonymous_lookups
)
def anonymous_news_address(
    code: str, body: NewsAddress, secret: SecretHeader, container: ContainerDep
) -> AnonymousStatus:
    """Leave an address to be told *that* there is news (never what), or delete it (null)."""
    secret_key = container.settings.secret_key.get_secret_value()
    with committed(container) as uow:
        reporter_actions.set_news_address(uow, secret_key, code, secret, body.address)
    with container.uow() as uow:
        return reporter_actions.anonymous_status(uow.session, container.cipher, secret_key, code, secret)


@router.post(
    "/anonymous/cases/{code}/information",
    response_model=Added,
    status_code=status.HTTP_201_CREATED,
    dependencies=anonymous_lookups,
)
def anonymous_information(
    code: str, body: Information, secret: SecretHeader, container: ContainerDep
) -> Added:
    secret_key = container.settings.secret_key.get_secret_value()
    with committed(container) as uow:
        reporter_actions.inform_anonymously(uow, container.cipher, secret_key, code, secret, body.text)
    return Added()


@router.post("/cases/{case_id}/evidence", response_model=EvidenceAdded, status_code=status.HTTP_201_CREATED)
async def upload_evidence(
    case_id: str, file: UploadFile, principal: CurrentPrincipal, container: ContainerDep
) -> EvidenceAdded:
    """The reporting official adds a file (PNG, JPEG, PDF or plain text, at most 10 MiB)."""
    data = await file.read(reporter_actions.MAX_EVIDENCE_BYTES + 1)
    content_type = (file.content_type or "").split(";")[0].strip()
    with committed(container) as uow:
        return reporter_actions.add_evidence(
            uow, container.cipher, principal, case_id, file.filename, content_type, data
        )
