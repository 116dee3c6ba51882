"""People on the real Synapse homeserver that infra/test.sh starts: users registered with the shared
secret (bench.matrix.Homeserver), and a person's messenger (matrix-nio) that joins the bot's room,
reads, reacts and answers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any

from nio import AsyncClient, InviteMemberEvent, JoinResponse, RoomMessageText, SyncResponse

from bench.matrix import Homeserver, MatrixUser


class Messenger:
    """A person's Matrix client: accepts the bot's invitations and collects the texts it sends."""

    def __init__(self, homeserver: Homeserver, user: MatrixUser) -> None:
        self.user = user
        self.client = AsyncClient(homeserver.url, user.user_id)
        self.client.access_token = user.access_token
        self.client.user_id = user.user_id
        self.messages: list[tuple[str, str, str, float]] = []  # room, event id, text, arrival (monotonic)
        self._since: str | None = None
        # One loop for the client's whole life (aiohttp binds to it), in a thread of its own: a test
        # driving Playwright already runs a loop in this thread.
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="messenger", daemon=True)
        self._thread.start()

    async def _sync_once(self, timeout_ms: int) -> None:
        answer = await self.client.sync(timeout=timeout_ms, since=self._since, full_state=self._since is None)
        if not isinstance(answer, SyncResponse):
            raise AssertionError(f"sync failed: {answer}")
        self._since = answer.next_batch
        for room_id, room in answer.rooms.invite.items():
            if any(isinstance(e, InviteMemberEvent) for e in room.invite_state):
                joined = await self.client.join(room_id)
                assert isinstance(joined, JoinResponse), joined
        for room_id, room in answer.rooms.join.items():
            for event in room.timeline.events:
                if isinstance(event, RoomMessageText) and event.sender != self.user.user_id:
                    self.messages.append((room_id, event.event_id, event.body, time.monotonic()))

    def wait_for(self, contains: str, timeout_s: float = 30.0) -> tuple[str, str, str, float]:
        """The first message whose text contains the words, waiting for it to arrive."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [m for m in self.messages if contains in m[2]]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no Matrix message with {contains!r}; got {[m[2] for m in self.messages]}"
                )
            self._run(self._sync_once(1000))

    def read(self, timeout_ms: int = 300) -> None:
        """One reading: accept invitations, collect what arrived."""
        self._run(self._sync_once(timeout_ms))

    def invite(self, room_id: str, user_id: str) -> None:
        async def invite() -> None:
            answer = await self.client.room_invite(room_id, user_id)
            assert not hasattr(answer, "status_code") or answer.status_code is None, answer

        self._run(invite())

    def react(self, room_id: str, event_id: str, key: str = "👍") -> None:
        content: dict[str, Any] = {
            "m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        }
        self._send(room_id, "m.reaction", content)

    def say(self, room_id: str, text: str) -> None:
        self._send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})

    def _send(self, room_id: str, kind: str, content: dict[str, Any]) -> None:
        async def send() -> None:
            answer = await self.client.room_send(room_id, kind, content, ignore_unverified_devices=True)
            assert hasattr(answer, "event_id"), answer

        self._run(send())

    def _run(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=60)

    def close(self) -> None:
        self._run(self.client.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
