"""How the notifier reaches a self-check respondent: the address the municipality gave (no
account), by e-mail, in German; the secret answer link is made at send time, never stored with the
notification. Registered with the notifier at bootstrap."""

from __future__ import annotations

from sqlmodel import Session

from notifications.messages import Channel
from services.crypto import keyed_hash
from services.notify.contacts import Contact, UnknownRecipient, register_recipients
from services.selfchecks.tables import Respondent

RESPONDENT = "respondent"


def answer_token(secret: str, respondent_id: str) -> str:
    """The secret of a respondent's answer link, derived (never stored)."""
    return keyed_hash(secret, f"respondent:{respondent_id}")


def answer_path(secret: str, respondent_id: str) -> str:
    return f"/selfchecks/respondents/{respondent_id}?token={answer_token(secret, respondent_id)}"


def register(secret: str) -> None:
    def contact(session: Session, respondent_id: str) -> Contact:
        respondent = session.get(Respondent, respondent_id)
        if respondent is None or not respondent.email:
            raise UnknownRecipient(
                f"respondent {respondent_id} has no address (the round closed, or none given)"
            )
        details = {"answer_path": answer_path(secret, respondent.id)}
        return Contact(respondent.email, "de", (Channel.EMAIL,), None, details=details)

    register_recipients(RESPONDENT, contact)
