"""How the notifier reaches a dialogue's registrant: no account, e-mail only, in the language they
chose; their name and the secret link to their registration are filled in at send time, so neither
is stored with a notification. Registered with the notifier at bootstrap."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import defer
from sqlmodel import Session

from notifications.messages import Channel
from services.dialogues.messages import REGISTRANT
from services.dialogues.registrations import manage_path
from services.dialogues.tables import Registration
from services.notify.contacts import Contact, ContactResolver, Later, UnknownRecipient, register_recipients
from services.store.prefetch import by_ids

KIND = REGISTRANT


def registration_contacts(secret: str) -> ContactResolver:
    def contact(session: Session, registration_id: str) -> Contact:
        registration = session.get(Registration, registration_id)
        if registration is None or registration.email is None:
            raise UnknownRecipient(f"registration {registration_id} has no address (anonymised or gone)")

        def details() -> dict[str, str]:
            return {
                "participant_name": registration.name or "",
                "manage_path": manage_path(secret, registration.id),
            }

        return Contact(
            registration.email, registration.language, (Channel.EMAIL,), None, details=Later(details)
        )

    return contact


def register(secret: str) -> None:
    register_recipients(KIND, registration_contacts(secret), registration_rows)


def registration_rows(session: Session, registration_ids: Sequence[str]) -> list[Registration]:
    """What ``registration_contacts`` reads of many registrants at once: their details that no
    message uses are left out (each is decrypted when loaded, the empty ones too)."""
    unused = [defer(getattr(Registration, column)) for column in ("phone", "dietary", "needs_note")]
    return by_ids(session, Registration, registration_ids, options=unused)
