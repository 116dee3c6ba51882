"""What a reporting official does after the report: follow an anonymous case with its code and
secret, add information to it, add evidence files to their own case."""

from __future__ import annotations

import hmac

from sqlmodel import Session, select

from events.contracts import CaseAction
from events.ids import new_id
from services.access import Principal, Scope, require_access
from services.crypto import FieldCipher, keyed_hash
from services.incidents.case_actions import add_information
from services.incidents.case_views import conversation, handler
from services.incidents.cases import normalise_code, record
from services.incidents.schemas import AnonymousStatus, EvidenceAdded
from services.incidents.tables import Case, EvidenceFile, SupportOffer
from services.store.uow import UnitOfWork
from workflows.errors import Invalid, NotFound, TooLarge, UnsupportedType

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8\xff",
    "application/pdf": b"%PDF",
    "text/plain": b"",
}


class NoAnonymousCase(NotFound):
    def __init__(self) -> None:
        super().__init__("no case with this code and secret")


class CaseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("case not found")


class EvidenceTooLarge(TooLarge):
    def __init__(self) -> None:
        super().__init__(f"a file may be at most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB")


class EvidenceTypeNotAccepted(UnsupportedType):
    def __init__(self) -> None:
        super().__init__(f"allowed file types: {', '.join(sorted(EVIDENCE_TYPES))}")


class EvidenceContentMismatch(Invalid):
    def __init__(self, content_type: str) -> None:
        super().__init__(f"the file's content is not {content_type}")


def is_plain_text(data: bytes) -> bool:
    """UTF-8 text without control characters other than tabs and line breaks."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in text)


def safe_filename(name: str | None) -> str:
    """Only the last part of a name (no folders, no '..'), without control characters, at most 200."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return cleaned[:200] or "evidence"


def anonymous_case(session: Session, secret_key: str, code: str, secret: str) -> Case:
    """The case of this code, if the secret shown with it matches (compared in constant time)."""
    case = session.exec(select(Case).where(Case.anonymous_code == normalise_code(code))).first()
    expected = keyed_hash(secret_key, secret)
    if (
        case is None
        or not case.anonymous_secret_hash
        or not hmac.compare_digest(case.anonymous_secret_hash, expected)
    ):
        raise NoAnonymousCase()
    return case


def anonymous_status(
    session: Session, cipher: FieldCipher, secret_key: str, code: str, secret: str
) -> AnonymousStatus:
    """What an anonymous reporter sees: the state, who looks after the case, the conversation."""
    case = anonymous_case(session, secret_key, code, secret)
    offers = session.exec(select(SupportOffer.kind).where(SupportOffer.case_id == case.id)).all()
    return AnonymousStatus(
        case_ref=case.ref,
        status=case.status,
        severity=case.severity,
        offers=list(offers),
        updated_at=case.updated_at,
        handler=handler(session, case),
        messages=conversation(session, cipher, case),
        news_address_set=bool(case.news_address),
    )


def set_news_address(uow: UnitOfWork, secret_key: str, code: str, secret: str, address: str | None) -> Case:
    """An anonymous reporter leaves an address to be told that there is news, or deletes it."""
    case = anonymous_case(uow.session, secret_key, code, secret)
    case.news_address = address.strip().lower() if address else None
    record(uow, case, CaseAction.NEWS_ADDRESS_CHANGED, None, {"set": address is not None})
    return case


def inform_anonymously(
    uow: UnitOfWork, cipher: FieldCipher, secret_key: str, code: str, secret: str, text: str
) -> Case:
    case = anonymous_case(uow.session, secret_key, code, secret)
    add_information(uow, cipher, case, None, text)
    return case


def add_evidence(
    uow: UnitOfWork,
    cipher: FieldCipher,
    principal: Principal,
    case_id: str,
    filename: str | None,
    content_type: str,
    data: bytes,
) -> EvidenceAdded:
    """A file for the reporter's own case: checked for size and type, stored encrypted."""
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceTooLarge()
    if content_type not in EVIDENCE_TYPES:
        raise EvidenceTypeNotAccepted()
    if not data or not data.startswith(EVIDENCE_TYPES[content_type]):
        raise EvidenceContentMismatch(content_type)
    if content_type == "text/plain" and not is_plain_text(data):
        raise EvidenceContentMismatch(content_type)
    case = uow.session.get(Case, case_id)
    if case is None:
        raise CaseNotFound()
    require_access(principal, Scope(owner_id=case.reporter_id), "case")
    evidence = EvidenceFile(
        id=new_id(),
        incident_id=case.incident_id,
        filename=safe_filename(filename),
        content_type=content_type,
        size=len(data),
        data_enc=cipher.encrypt_bytes(data),
        added_at=uow.clock(),
    )
    uow.session.add(evidence)
    record(uow, case, CaseAction.INFORMATION_ADDED, principal.account_id, {"evidence_file": evidence.id})
    return EvidenceAdded(id=evidence.id, size=len(data), content_type=content_type)
