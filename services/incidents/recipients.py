"""How the notifier reaches an anonymous reporter who left an address: e-mail only, in the language
of the report, only to say that there is news. Registered with the notifier at bootstrap; deleting
the address (or closing the case) ends it."""

from __future__ import annotations

from sqlmodel import Session

from notifications.messages import Channel
from services.incidents.messages import ANONYMOUS_REPORTER
from services.incidents.tables import Case, Incident
from services.notify.contacts import Contact, UnknownRecipient, register_recipients


def anonymous_reporter(session: Session, case_id: str) -> Contact:
    case = session.get(Case, case_id)
    if case is None or not case.news_address:
        raise UnknownRecipient(f"case {case_id} has no address for news (deleted or never left)")
    incident = session.get(Incident, case.incident_id)
    language = incident.language if incident is not None else "de"
    return Contact(case.news_address, language, (Channel.EMAIL,), None)


def register() -> None:
    register_recipients(ANONYMOUS_REPORTER, anonymous_reporter)
