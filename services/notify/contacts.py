"""Who a recipient is at send time: address, language, channels, quiet hours.

Events carry only ids; the address is looked up when the message goes out, so a corrected e-mail
address is used even for a retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from notifications.messages import DEFAULT_LOCALE, Channel
from notifications.policy import QuietHours
from services.notify.tables import NotificationPreference
from services.store.prefetch import by_ids
from services.store.tables import Account


@dataclass(frozen=True)
class Contact:
    email: str | None
    locale: str
    preferred: tuple[Channel, ...]
    quiet: QuietHours | None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    account_id: str | None = None  # only accounts have an in-app inbox
    matrix_id: str | None = None  # only once confirmed (or the ID a confirmation code is sent to)
    # Values about the recipient that messages use, filled in at send time and never stored with a
    # notification (a registrant's name, the secret link to their registration).
    details: Mapping[str, str] = field(default_factory=dict)

    def reachable(self) -> tuple[Channel, ...]:
        """Every channel this recipient can be reached on (the urgent lane uses all of them)."""
        channels: list[Channel] = []
        if self.email:
            channels.append(Channel.EMAIL)
        if self.account_id:
            channels.append(Channel.INBOX)
        if self.webhook_url and self.webhook_secret:
            channels.append(Channel.WEBHOOK)
        if self.matrix_id:
            channels.append(Channel.MATRIX)
        return tuple(channels)

    def channels_for(self, urgent: bool) -> tuple[Channel, ...]:
        reachable = self.reachable()
        if urgent:
            return reachable
        chosen = tuple(channel for channel in self.preferred if channel in reachable)
        return chosen or reachable[:1]  # never drop a message because preferences exclude everything


class Later(Mapping[str, str]):
    """Details worked out only when a message is rendered: planning a delivery needs the channels,
    not the recipient's name (which may be encrypted, or not even loaded)."""

    def __init__(self, work: Callable[[], Mapping[str, str]]) -> None:
        self._work = work
        self._values: Mapping[str, str] | None = None

    def _done(self) -> Mapping[str, str]:
        if self._values is None:
            self._values = dict(self._work())
        return self._values

    def __getitem__(self, key: str) -> str:
        return self._done()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._done())

    def __len__(self) -> int:
        return len(self._done())


class UnknownRecipient(LookupError):
    pass


def account_contact(session: Session, account_id: str) -> Contact:
    account = session.get(Account, account_id)
    if account is None or not account.is_active:
        raise UnknownRecipient(f"no active account {account_id}")
    preference = session.get(NotificationPreference, account_id)
    if preference is None:
        return Contact(
            account.email, DEFAULT_LOCALE, (Channel.EMAIL, Channel.INBOX), None, account_id=account.id
        )
    quiet = None
    if preference.quiet_start is not None and preference.quiet_end is not None:
        quiet = QuietHours(preference.quiet_start, preference.quiet_end, preference.timezone)
    return Contact(
        email=account.email,
        locale=preference.locale,
        preferred=tuple(Channel(c) for c in preference.channels.split(",") if c),
        quiet=quiet,
        webhook_url=preference.webhook_url,
        webhook_secret=preference.webhook_secret,
        account_id=account.id,
        matrix_id=preference.matrix_id if preference.matrix_confirmed_at is not None else None,
    )


def account_rows(session: Session, account_ids: Sequence[str]) -> list[object]:
    """What ``account_contact`` reads, for many accounts at once."""
    return [
        *by_ids(session, Account, account_ids),
        *by_ids(session, NotificationPreference, account_ids, NotificationPreference.account_id),
    ]


ContactResolver = Callable[[Session, str], Contact]
Preload = Callable[[Session, Sequence[str]], Sequence[object]]
_RESOLVERS: dict[str, ContactResolver] = {"account": account_contact}
_PRELOADS: dict[str, Preload] = {"account": account_rows}


def register_recipients(kind: str, resolver: ContactResolver, preload: Preload | None = None) -> None:
    """A stream tells the notifier how to reach its own kind of recipient (a dialogue's registrant,
    say), and how to load many of them at once; called at bootstrap, so this module never reads a
    stream's tables."""
    _RESOLVERS[kind] = resolver
    if preload is not None:
        _PRELOADS[kind] = preload


def preload(session: Session, recipients: Iterable[tuple[str, str]]) -> list[object]:
    """Load the rows behind many (kind, id) recipients in a query or two per kind, so ``resolve``
    finds them in the session; keep the returned list while resolving."""
    ids: dict[str, list[str]] = {}
    for kind, recipient_id in recipients:
        ids.setdefault(kind, []).append(recipient_id)
    return [
        row for kind, wanted in ids.items() if kind in _PRELOADS for row in _PRELOADS[kind](session, wanted)
    ]


def resolve(session: Session, kind: str, recipient_id: str) -> Contact:
    resolver = _RESOLVERS.get(kind)
    if resolver is None:
        raise UnknownRecipient(f"no resolver for recipients of kind {kind!r}; is its stream bootstrapped?")
    return resolver(session, recipient_id)
