"""A fake Slack Socket Mode server for tests.

It speaks Slack's protocol on loopback so a real `slack_sdk` Socket Mode client (and Bolt's
handler on top of it) can connect: `apps.connections.open` on the fake Web API hands out a
single-use `ws://` URL, the server greets every connection with `hello`, sends envelopes and
waits for the client's ack (`{"envelope_id", "payload"?}`) within Slack's 3 seconds, and can
ask the client to reconnect with a `disconnect` message. Attach it to a `FakeSlack` with
`slack.attach_socket_mode(server)`.

Simplifications: envelopes go to the newest open connection; an unacked `events_api` envelope
is redelivered at once (Slack waits longer between retries) with the same `envelope_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.fakes.signing import API_APP_ID, TEAM_ID, slash_command_body

Payload = dict[str, Any]

APP_TOKEN = "xapp-1-A0001-1-fake-app-token"
# Slack's limit: an envelope not acked within 3 seconds counts as failed.
ACK_DEADLINE_SECONDS = 3.0
# Slack retries an Events API delivery up to three times; commands and clicks are not retried
# (the user sees a timeout error instead).
EVENT_RETRIES = 3
RETRY_REASON = "timeout"
CONNECT_TIMEOUT_SECONDS = 5.0
POLL_INTERVAL = 0.01
DEBUG_HOST = "applink-fake-1"
# Interactive payloads whose ack may carry a response (`response_action`, `options`).
RESPONSE_PAYLOAD_TYPES = frozenset({"view_submission", "block_suggestion"})


class AckTimeout(AssertionError):
    """The client did not ack an envelope within the deadline (after every retry)."""


def slash_command_payload(text: str, **fields: Any) -> Payload:
    """The slash command fields Slack sends, as the JSON object a Socket Mode envelope carries."""
    return dict(parse_qsl(slash_command_body(text, **fields)))


def _envelope(
    envelope_id: str, envelope_type: str, payload: Payload, accepts_response: bool, attempt: int
) -> Payload:
    envelope = {
        "envelope_id": envelope_id,
        "type": envelope_type,
        "payload": payload,
        "accepts_response_payload": accepts_response,
    }
    if envelope_type == "events_api":
        # Only Events API envelopes carry these, like the headers of an HTTP retry.
        envelope["retry_attempt"] = attempt
        envelope["retry_reason"] = RETRY_REASON if attempt else ""
    return envelope


@dataclass
class _Connection:
    ws: web.WebSocketResponse

    @property
    def open(self) -> bool:
        return not self.ws.closed


@dataclass
class _Ids:
    envelopes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    events: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def envelope_id(self) -> str:
        return str(uuid.UUID(int=next(self.envelopes)))

    def event_id(self) -> str:
        return f"Ev{next(self.events):08d}"


class FakeSocketMode:
    """An aiohttp WebSocket server on 127.0.0.1 that behaves like Slack's Socket Mode."""

    def __init__(
        self,
        *,
        app_token: str = APP_TOKEN,
        app_id: str = API_APP_ID,
        ack_deadline: float = ACK_DEADLINE_SECONDS,
        event_retries: int = EVENT_RETRIES,
    ) -> None:
        self.app_token = app_token
        self.app_id = app_id
        self.ack_deadline = ack_deadline
        self.event_retries = event_retries
        self.envelopes: list[Payload] = []
        self.acks: list[Payload] = []
        self.unexpected: list[str] = []
        self.connections_opened = 0
        self._connections: list[_Connection] = []
        self._tickets: set[str] = set()
        self._pending: dict[str, asyncio.Future[Payload]] = {}
        self._ids = _Ids()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._handle_link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        # Open sockets keep their handlers running; close them or cleanup waits for them.
        for connection in self._connections:
            await connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSocketMode:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def open_url(self) -> str:
        """What `apps.connections.open` answers: a fresh URL whose ticket works once."""
        if self._port is None:
            raise RuntimeError("FakeSocketMode is not started")
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}&app_id={self.app_id}"

    # -- state -----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return any(connection.open for connection in self._connections)

    async def wait_connected(
        self,
        *,
        connections: int = 1,
        timeout: float = CONNECT_TIMEOUT_SECONDS,  # noqa: ASYNC109 - a polling deadline for tests
    ) -> None:
        """Wait until `connections` connections were opened in all and one is open now."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (self.connected and self.connections_opened >= connections):
            if loop.time() >= deadline:
                raise AssertionError(
                    f"expected {connections} Socket Mode connection(s) within {timeout}s, "
                    f"got {self.connections_opened} (open now: {self.connected})"
                )
            await asyncio.sleep(POLL_INTERVAL)

    def acks_for(self, envelope_id: str) -> list[Payload]:
        return [ack for ack in self.acks if ack.get("envelope_id") == envelope_id]

    # -- sending ---------------------------------------------------------------------------

    async def send_slash_command(self, payload: Payload) -> Payload:
        """Deliver a slash command; returns the ack, whose `payload` may carry the response."""
        return await self.send_envelope("slash_commands", payload, accepts_response_payload=True)

    async def send_interactive(self, payload: Payload) -> Payload:
        """Deliver a click, shortcut, submission or options request; returns the ack."""
        accepts = payload.get("type") in RESPONSE_PAYLOAD_TYPES
        return await self.send_envelope("interactive", payload, accepts_response_payload=accepts)

    async def send_event(self, event: Payload, *, team_id: str = TEAM_ID) -> Payload:
        """Deliver an Events API event, retried like Slack when unacked; returns the ack."""
        return await self.send_envelope(
            "events_api",
            self.event_callback(event, team_id=team_id),
            accepts_response_payload=False,
            retries=self.event_retries,
        )

    def event_callback(self, event: Payload, *, team_id: str = TEAM_ID) -> Payload:
        return {
            "token": "verification-token",
            "team_id": team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self._ids.event_id(),
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": "UBOT", "is_bot": True, "enterprise_id": None}
            ],
            "is_ext_shared_channel": False,
        }

    async def send_envelope(
        self,
        envelope_type: str,
        payload: Payload,
        *,
        accepts_response_payload: bool,
        retries: int = 0,
    ) -> Payload:
        """Send one envelope and wait for its ack, redelivering up to `retries` times."""
        envelope_id = self._ids.envelope_id()
        attempts = [
            _envelope(envelope_id, envelope_type, payload, accepts_response_payload, attempt)
            for attempt in range(retries + 1)
        ]
        future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        try:
            for envelope in attempts:
                await self._deliver(envelope)
                with contextlib.suppress(TimeoutError):
                    return await asyncio.wait_for(asyncio.shield(future), self.ack_deadline)
        finally:
            del self._pending[envelope_id]
        raise AckTimeout(
            f"no ack for {envelope_type} envelope {envelope_id} within {self.ack_deadline}s "
            f"({retries + 1} attempt(s)); acks received: {self.acks}"
        )

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Tell every open connection to reconnect (Slack's `refresh_requested` or `warning`)."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": DEBUG_HOST}}
        for connection in self._open_connections():
            await connection.ws.send_json(message)

    async def drop_connections(self) -> None:
        """Close every open connection from the server side, as Slack does after a warning."""
        for connection in self._open_connections():
            await connection.ws.close()

    # -- WebSocket -------------------------------------------------------------------------

    def _open_connections(self) -> list[_Connection]:
        return [connection for connection in self._connections if connection.open]

    async def _deliver(self, envelope: Payload) -> None:
        await self.wait_connected()
        self.envelopes.append(envelope)
        await self._open_connections()[-1].ws.send_json(envelope)

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid or used ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections_opened += 1
        self._connections.append(_Connection(ws))
        await ws.send_json(self._hello())
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self._receive(message.data)
        return ws

    def _hello(self) -> Payload:
        return {
            "type": "hello",
            "num_connections": len(self._open_connections()),
            "debug_info": {
                "host": DEBUG_HOST,
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _receive(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            ack = None
        if not isinstance(ack, dict) or "envelope_id" not in ack:
            self.unexpected.append(data)
            return
        self.acks.append(ack)
        future = self._pending.get(ack["envelope_id"])
        if future is not None and not future.done():
            future.set_result(ack)
