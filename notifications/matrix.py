"""The Matrix channel: a bot account of the deployment writes into a direct room with each person and
reads back their reactions and replies. Plain client-server API over HTTPS (no end-to-end encryption:
see the README); every failure is classified like the other channels' (an unreachable or failing
homeserver is an outage, the message waits)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from notifications.channels import DeliveryError

# Alerts a coordinator acknowledges from the messenger (a reaction, or the reply "ok").
ACKNOWLEDGEABLE = frozenset({"case_assigned", "case_escalated"})
OK_WORDS = frozenset({"ok", "okay", "ack", "👍", "✅", "übernommen", "übernehme"})
_HINT = {
    "de": "Zum Übernehmen: mit einem Emoji reagieren oder „ok“ antworten.",
    "en": 'To acknowledge: react with an emoji or answer "ok".',
}
_ANSWER = {
    "de": {"done": "Bestätigt: Fall {ref} ist bei Ihnen.", "refused": "Nicht bestätigt: {reason}"},
    "en": {"done": "Acknowledged: case {ref} is yours.", "refused": "Not acknowledged: {reason}"},
}


def acknowledge_hint(locale: str) -> str:
    return _HINT.get(locale, _HINT["de"])


def acknowledge_answer(locale: str, done: bool, **values: str) -> str:
    return _ANSWER.get(locale, _ANSWER["de"])["done" if done else "refused"].format(**values)


MATRIX_ID = re.compile(
    r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:[0-9]{1,5})?$"
)  # a user ID, lower-case localpart
API = "/_matrix/client/v3"


@dataclass(frozen=True)
class Reply:
    """What someone did in a room the bot is in: reacted to a message, or wrote text (maybe as a
    reply to one of the bot's messages)."""

    room_id: str
    event_id: str
    sender: str
    kind: str  # "reaction" or "text"
    relates_to: str | None  # the bot's message reacted or replied to
    body: str  # the reaction's key (an emoji) or the text


class MatrixBot(Protocol):
    user_id: str

    def direct_room(self, user_id: str) -> str: ...

    def send(self, room_id: str, text: str, txn_id: str) -> str: ...

    def sync(self, since: str | None, timeout_ms: int) -> tuple[str, list[Reply]]: ...


class HttpMatrixBot:
    def __init__(self, homeserver: str, user_id: str, access_token: str, timeout_s: float = 10.0) -> None:
        self.user_id = user_id
        self._timeout_s = timeout_s
        self._client = httpx.Client(
            base_url=homeserver.rstrip("/"),
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=timeout_s,
        )

    def direct_room(self, user_id: str) -> str:
        """A new private room with the person invited (they join from their messenger)."""
        body = {"preset": "trusted_private_chat", "is_direct": True, "invite": [user_id], "name": "Weltoffen"}
        return str(self._call("POST", f"{API}/createRoom", body)["room_id"])

    def send(self, room_id: str, text: str, txn_id: str) -> str:
        """A text message; the transaction id makes a retry after a lost answer send it once."""
        path = f"{API}/rooms/{quote(room_id)}/send/m.room.message/{quote(txn_id)}"
        return str(self._call("PUT", path, {"msgtype": "m.text", "body": text})["event_id"])

    def sync(self, since: str | None, timeout_ms: int) -> tuple[str, list[Reply]]:
        """Wait up to timeout_ms for what happened since the token; the next token and the replies."""
        params: dict[str, Any] = {"timeout": timeout_ms, "filter": json.dumps(_FILTER)}
        if since:
            params["since"] = since
        answer = self._call("GET", f"{API}/sync", None, params, self._timeout_s + timeout_ms / 1000)
        replies = [
            reply
            for room_id, room in answer.get("rooms", {}).get("join", {}).items()
            for event in room.get("timeline", {}).get("events", [])
            if event.get("sender") != self.user_id and (reply := _reply(room_id, event)) is not None
        ]
        return str(answer["next_batch"]), replies

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        params: dict[str, Any] | None = None,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, json=body, params=params, timeout=timeout_s)
        except httpx.TransportError as exc:  # refused, timed out, reset: the homeserver is away
            raise DeliveryError(
                f"Matrix unavailable: {type(exc).__name__}: {exc}", False, outage=True
            ) from None
        if response.status_code >= 500:
            raise DeliveryError(f"Matrix homeserver {response.status_code}", False, outage=True)
        if response.status_code == 429 or response.status_code == 401:  # slowed down; a token to fix
            raise DeliveryError(f"Matrix {response.status_code}: {_errcode(response)}", permanent=False)
        if response.status_code >= 400:
            raise DeliveryError(f"Matrix {response.status_code}: {_errcode(response)}", permanent=True)
        answer: dict[str, Any] = response.json()
        return answer


_FILTER = {
    "presence": {"types": []},
    "account_data": {"types": []},
    "room": {
        "timeline": {"types": ["m.reaction", "m.room.message"], "limit": 100},
        "state": {"types": []},
        "ephemeral": {"types": []},
        "account_data": {"types": []},
    },
}


def _errcode(response: httpx.Response) -> str:
    try:
        return str(response.json().get("errcode", "")) or response.text[:200]
    except ValueError:
        return response.text[:200]


def _reply(room_id: str, event: dict[str, Any]) -> Reply | None:
    content = event.get("content") or {}
    relation = content.get("m.relates_to") or {}
    if event.get("type") == "m.reaction" and relation.get("rel_type") == "m.annotation":
        return Reply(
            room_id,
            event["event_id"],
            event["sender"],
            "reaction",
            relation.get("event_id"),
            relation.get("key", ""),
        )
    if event.get("type") == "m.room.message" and isinstance(content.get("body"), str):
        replied = (relation.get("m.in_reply_to") or {}).get("event_id")
        return Reply(
            room_id, event["event_id"], event["sender"], "text", replied, _own_words(content["body"])
        )
    return None


def _own_words(body: str) -> str:
    """A reply's text without the quoted lines of the message it answers ("> ...")."""
    return "\n".join(line for line in body.splitlines() if not line.startswith(">")).strip()
