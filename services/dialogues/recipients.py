"""How the notifier reaches a dialogue's registrant: no account, e-mail only, in the language they
chose. Registered with the notifier at bootstrap."""

from __future__ import annotations

from sqlmodel import Session

from notifications.messages import Channel
from services.dialogues.tables import Registration
from services.notify.contacts import Contact, UnknownRecipient, register_recipients

KIND = "registration"


def registration_contact(session: Session, registration_id: str) -> Contact:
    registration = session.get(Registration, registration_id)
    if registration is None or registration.email is None:
        raise UnknownRecipient(f"registration {registration_id} has no address (anonymised or gone)")
    return Contact(registration.email, registration.language, (Channel.EMAIL,), None)


def register() -> None:
    register_recipients(KIND, registration_contact)
