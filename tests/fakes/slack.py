"""A fake Slack Web API server for tests.

Slack's own client is aiohttp-based, so tests point a real `AsyncWebClient` at this server
(`base_url=slack.api_url`) instead of mocking it. Every call is recorded; message state is kept
so tests can assert on what the channel would show.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes import blockkit
from tests.fakes.socket_mode import FakeSocketMode

Args = dict[str, Any]
Body = dict[str, Any]

GRANTED_SCOPES = [
    "commands",
    "chat:write",
    "files:write",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "links:read",
    "links:write",
]
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100
POLL_INTERVAL = 0.01
JSON_FIELDS = ("blocks", "attachments", "files", "view", "metadata")


@dataclass
class SlackCall:
    method: str
    args: Args
    headers: dict[str, str]
    failed: bool = False
    error: str | None = None
    # time.perf_counter() when the request arrived: benchmarks time delivery with it.
    received_at: float = field(default_factory=time.perf_counter)


@dataclass
class _Failure:
    status: int
    retry_after: int
    error: str
    remaining: int


@dataclass(eq=False)
class Storm:
    """A stretch during which Slack answers one method badly: see ``FakeSlack.storm``."""

    method: str
    status: int
    error: str
    retry_after: int
    hang: bool
    channels: frozenset[str] | None
    hits: int = 0  # calls the storm answered (or is holding)
    _over: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def active(self) -> bool:
        return not self._over.is_set()

    def end(self) -> None:
        """Slack is well again; calls held by a hanging storm are answered now."""
        self._over.set()

    def covers(self, method: str, channel: Any) -> bool:
        if not self.active or method != self.method:
            return False
        return self.channels is None or channel in self.channels

    async def over(self) -> None:
        await self._over.wait()

    async def wait_hits(
        self,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline for tests
    ) -> None:
        """Wait until the storm has answered (or is holding) `count` calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.hits < count:
            if loop.time() >= deadline:
                raise AssertionError(f"the {self.method} storm hit {self.hits} of {count} calls")
            await asyncio.sleep(POLL_INTERVAL)


@dataclass
class _Message:
    channel: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    user: str
    deleted: bool = False
    metadata: dict[str, Any] | None = None
    files: list[dict[str, Any]] | None = None  # a file shared into the channel or thread

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "thread_ts": self.thread_ts,
            "user": self.user,
        }

    def as_api(self, *, with_metadata: bool = False) -> Body:
        body: Body = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.blocks is not None:
            body["blocks"] = self.blocks
        if self.thread_ts is not None:
            body["thread_ts"] = self.thread_ts
        if self.files is not None:
            body["files"] = self.files
        # Slack returns metadata only to those who ask (include_all_metadata).
        if with_metadata and self.metadata is not None:
            body["metadata"] = self.metadata
        return body


@dataclass
class _Counters:
    ts: int = FIRST_TS_MICROS
    view: int = 0
    file: int = 0

    def next_ts(self) -> str:
        """Like Slack's: the time of posting (so `oldest` filters work), always increasing."""
        micros = max(self.ts, time.time_ns() // 1000)
        self.ts = micros + TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_view_id(self) -> str:
        self.view += 1
        return f"V{self.view:08d}"

    def next_file_id(self) -> str:
        self.file += 1
        return f"F{self.file:08d}"


def dm_channel_for(user_id: str) -> str:
    return "D" + user_id[1:]


def _failure_key(method: str, channel: str | None) -> str:
    return method if channel is None else f"{method}@{channel}"


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _after(ts: str, oldest: Any) -> bool:
    try:
        return oldest in (None, "") or float(ts) >= float(oldest)
    except (TypeError, ValueError):
        return True


def _error(error: str) -> Body:
    return {"ok": False, "error": error}


def _decode_json_fields(args: Args) -> Args:
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            args[key] = json.loads(value)
    return args


async def _read_args(request: web.Request) -> Args:
    args: Args = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            args[key] = value.file.read() if isinstance(value, web.FileField) else value
    return _decode_json_fields(args)


async def _read_upload(request: web.Request) -> bytes:
    if request.content_type != "multipart/form-data":
        return await request.read()
    form = await request.post()
    for value in form.values():
        if isinstance(value, web.FileField):
            return value.file.read()
    return b""


class FakeSlack:
    """An aiohttp server on 127.0.0.1 that answers like the Slack Web API."""

    def __init__(
        self,
        *,
        token: str = "xoxb-test-token",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_channels: set[str] | None = None,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_channels = bot_channels
        self.calls: list[SlackCall] = []
        # What the bot token was granted, as auth.test's x-oauth-scopes header says.
        self.scopes: set[str] = set(GRANTED_SCOPES)
        self.uploaded_files: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        # Payloads Slack would refuse for their Block Kit; see assert_nothing_rejected().
        self.rejected: list[blockkit.Rejection] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_creators: dict[str, str] = {}  # conversations.info's `creator`
        # Posting there answers `is_archived`.
        self.archived_channels: set[str] = set()
        self.unfurls: list[Args] = []  # chat.unfurl calls Slack accepted
        self._messages: list[_Message] = []
        self._views: dict[str, Body] = {}
        self._pending_uploads: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, _Failure] = {}
        self._storms: list[Storm] = []
        self._delays: dict[str, float] = {}
        self._in_flight: list[SlackCall] = []
        self._upload_failures = 0
        self._ids = _Counters()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.socket_mode: FakeSocketMode | None = None
        self._methods: dict[str, Callable[[Args], Body]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "conversations.info": self._conversations_info,
            "conversations.replies": self._conversations_replies,
            "conversations.history": self._conversations_history,
            "conversations.open": self._conversations_open,
            "chat.unfurl": self._chat_unfurl,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{response_id}", self._handle_response)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for storm in self._storms:
            storm.end()  # release held calls: the server cannot stop while they wait
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def response_url(self) -> str:
        """A response_url for slash commands and actions; what is posted lands in `responses`."""
        return f"{self.base_url}/response/1"

    async def wait_for_response(
        self,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline for tests
    ) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.responses) < count:
            if loop.time() >= deadline:
                raise AssertionError(
                    f"expected {count} response_url posts, got {self.responses}; "
                    f"refused: {[str(r) for r in self.rejected]}"
                )
            await asyncio.sleep(POLL_INTERVAL)
        return list(self.responses)

    async def _handle_response(self, request: web.Request) -> web.Response:
        payload = await request.json()
        if (rejection := blockkit.response_url_refusal(payload)) is not None:
            self.rejected.append(rejection)
            return web.Response(status=400, text=rejection.error)
        self.responses.append(blockkit.truncated("response_url", payload) or payload)
        return web.Response(text="ok")

    # -- test controls ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str = "ratelimited",
        times: int = 1,
        channel: str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` with an error (HTTP `status`); with
        `channel`, only the calls for that channel (Slack rate-limits posts per channel)."""
        self._failures[_failure_key(method, channel)] = _Failure(status, retry_after, error, times)

    def delay(self, method: str, seconds: float, *, channel: str | None = None) -> None:
        """Answer `method` (for `channel` only, when given) after `seconds`; the call takes
        effect then, even if the client has given up waiting (as a slow Slack does)."""
        self._delays[_failure_key(method, channel)] = seconds

    def storm(
        self,
        method: str,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int = 1,
        hang: bool = False,
        channels: Collection[str] | None = None,
    ) -> Storm:
        """From now until ``Storm.end()``, every call to `method` (for `channels` only, when
        given) fails: HTTP `status` with `error`, and `Retry-After: retry_after` on a 429.

        With `hang`, Slack instead takes each call as usual (a post is in the channel at once)
        but holds its answer until the storm ends: a client with a shorter timeout gives up
        without learning what happened, as when Slack is slow to answer."""
        storm = Storm(
            method=method,
            status=status,
            error=error,
            retry_after=retry_after,
            hang=hang,
            channels=None if channels is None else frozenset(channels),
        )
        self._storms.append(storm)
        return storm

    def fail_uploads(self, *, times: int = 1) -> None:
        """The next `times` file uploads (the bytes, to the upload URL) get a 500."""
        self._upload_failures = times

    def in_flight(self, method: str) -> list[SlackCall]:
        """Calls received and not yet answered."""
        return [call for call in self._in_flight if call.method == method]

    def set_user(self, user_id: str, **fields: Any) -> None:
        """Override fields of the `users.info` answer for one user."""
        self.users[user_id] = fields

    def attach_socket_mode(self, server: FakeSocketMode) -> None:
        """`apps.connections.open` then hands out `server`'s URLs to its app-level token."""
        self.socket_mode = server

    # -- assertions ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[SlackCall]:
        return [call for call in self.calls if call.method == method]

    def assert_nothing_rejected(self) -> None:
        """Fail, with Slack's own reasons, if any payload was refused for its Block Kit."""
        if self.rejected:
            raise AssertionError("\n".join(str(rejection) for rejection in self.rejected))

    async def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline for tests
        predicate: Callable[[SlackCall], bool] | None = None,
        include_failed: bool = False,
    ) -> list[SlackCall]:
        """Wait until `count` calls to `method` (successful ones, by default) were answered."""

        def matching() -> list[SlackCall]:
            return [
                call
                for call in self.calls_to(method)
                if (include_failed or not call.failed) and (predicate is None or predicate(call))
            ]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := matching()) < count:
            if loop.time() >= deadline:
                raise AssertionError(self._wait_failure(method, count, len(found), timeout))
            await asyncio.sleep(POLL_INTERVAL)
        return found

    def _wait_failure(self, method: str, count: int, found: int, timeout: float) -> str:
        seen = [f"{c.method} (failed: {c.error})" if c.failed else c.method for c in self.calls]
        return (
            f"expected {count} call(s) to {method} within {timeout}s, got {found}; "
            f"calls made: {seen or 'none'}"
        )

    def messages(
        self, channel: str | None = None, thread_ts: str | None = None
    ) -> list[dict[str, Any]]:
        """Posted messages in their current (edited) form; `thread_ts` selects replies.

        Files shared into a channel are messages to Slack's history APIs, not here: see
        `uploaded_files` for them."""
        return [
            message.as_dict()
            for message in self._messages
            if not message.deleted
            and message.files is None
            and (channel is None or message.channel == channel)
            and (thread_ts is None or message.thread_ts == thread_ts)
        ]

    def replies(self, channel: str, thread_ts: str) -> list[Body]:
        """A thread's replies, oldest first, as `conversations.replies` lists them with
        `include_all_metadata`, but without the parent: shared files and metadata included."""
        return [
            message.as_api(with_metadata=True)
            for message in self._messages
            if message.channel == channel and message.thread_ts == thread_ts and not message.deleted
        ]

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _read_args(request)
        call = SlackCall(method, args, dict(request.headers))
        self._in_flight.append(call)
        try:
            channel = args.get("channel") or args.get("channel_id")
            seconds = self._delays.get(
                _failure_key(method, channel if isinstance(channel, str) else None)
            )
            if seconds := seconds or self._delays.get(method):
                await asyncio.sleep(seconds)
            response = self._answer(call, request.headers.get("Authorization", ""))
            if (held := self._holding(call)) is not None:
                await held.over()  # taken, answered only once the storm is over
        finally:
            self._in_flight.remove(call)
        if method == "auth.test" and not call.failed:
            response.headers["x-oauth-scopes"] = ",".join(sorted(self.scopes))
        self.calls.append(call)
        return response

    def _answer(self, call: SlackCall, authorization: str) -> web.Response:
        if call.method == "apps.connections.open":
            return self._apps_connections_open(call, authorization)
        if authorization != f"Bearer {self.token}" and call.args.get("token") != self.token:
            return self._fail(call, _error("invalid_auth"))
        channel = call.args.get("channel") or call.args.get("channel_id")
        if (storm := self._storm_for(call.method, channel, hang=False)) is not None:
            storm.hits += 1
            stormy = _Failure(storm.status, storm.retry_after, storm.error, remaining=0)
            return self._injected_failure(call, stormy)
        if (failure := self._take_failure(call.method, channel)) is not None:
            return self._injected_failure(call, failure)
        if (refusal := blockkit.refusal(call.method, call.args)) is not None:
            self.rejected.append(blockkit.Rejection.of(call.method, call.args, refusal))
            return self._fail(call, refusal)
        kept = blockkit.truncated(call.method, call.args)
        handler = self._methods.get(call.method)
        body = handler(kept or call.args) if handler else _error("unknown_method")
        if kept is not None and body["ok"]:
            body["response_metadata"] = blockkit.TRUNCATION_WARNING
        return self._fail(call, body) if not body["ok"] else web.json_response(body)

    def _apps_connections_open(self, call: SlackCall, authorization: str) -> web.Response:
        """Only the app-level token (xapp-, as Bearer) may open a Socket Mode connection."""
        token = authorization.removeprefix("Bearer ")
        if not token.startswith("xapp-"):
            return self._fail(call, _error("not_allowed_token_type" if token else "not_authed"))
        if self.socket_mode is None or token != self.socket_mode.app_token:
            return self._fail(call, _error("invalid_auth"))
        if (failure := self._take_failure(call.method)) is not None:
            return self._injected_failure(call, failure)
        return web.json_response({"ok": True, "url": self.socket_mode.open_url()})

    def _fail(self, call: SlackCall, body: Body, status: int = 200) -> web.Response:
        call.failed, call.error = True, body["error"]
        return web.json_response(body, status=status)

    def _storm_for(self, method: str, channel: Any, *, hang: bool) -> Storm | None:
        for storm in self._storms:
            if storm.hang == hang and storm.covers(method, channel):
                return storm
        return None

    def _holding(self, call: SlackCall) -> Storm | None:
        """The hanging storm that holds this call's answer, if any (it counts the call)."""
        channel = call.args.get("channel") or call.args.get("channel_id")
        storm = self._storm_for(call.method, channel, hang=True)
        if storm is not None:
            storm.hits += 1
        return storm

    def _take_failure(self, method: str, channel: Any = None) -> _Failure | None:
        key = _failure_key(method, channel if isinstance(channel, str) else None)
        if key not in self._failures:
            key = method
        failure = self._failures.get(key)
        if failure is None:
            return None
        failure.remaining -= 1
        if failure.remaining <= 0:
            del self._failures[key]
        return failure

    def _injected_failure(self, call: SlackCall, failure: _Failure) -> web.Response:
        response = self._fail(call, _error(failure.error), status=failure.status)
        if failure.status == 429:
            response.headers["Retry-After"] = str(failure.retry_after)
        return response

    async def _handle_upload(self, request: web.Request) -> web.Response:
        pending = self._pending_uploads.get(request.match_info["file_id"])
        if pending is None:
            return web.Response(status=404, text="file not found")
        if self._upload_failures > 0:
            self._upload_failures -= 1
            await request.read()
            return web.Response(status=500, text="upload failed")
        pending["content"] = await _read_upload(request)
        return web.Response(text=f"OK - {len(pending['content'])}")

    # -- Web API methods -------------------------------------------------------------------

    def _auth_test(self, args: Args) -> Body:
        return {
            "ok": True,
            "url": f"https://fake-{self.team_id.lower()}.slack.com/",
            "team": "Fake Team",
            "user": "tavus",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": "B0001",
            "is_enterprise_install": False,
        }

    def _channel_error(self, channel: Any) -> str | None:
        if not isinstance(channel, str) or channel[:1] not in ("C", "D", "G"):
            return "channel_not_found"
        if self.bot_channels is not None and channel not in self.bot_channels:
            # A public channel says the bot is not in it; a private one, a DM or a group DM
            # the bot is not part of does not exist as far as the bot can tell.
            return "not_in_channel" if channel.startswith("C") else "channel_not_found"
        if channel in self.archived_channels:
            return "is_archived"
        return None

    def _find_message(self, channel: Any, ts: Any) -> _Message | None:
        for message in self._messages:
            if message.channel == channel and message.ts == ts and not message.deleted:
                return message
        return None

    def _chat_post_message(self, args: Args) -> Body:
        channel = args.get("channel")
        if isinstance(channel, str) and channel[:1] in ("U", "W"):
            # Slack posts to a user ID in the app's direct-message channel with that user.
            args = {**args, "channel": dm_channel_for(channel)}
        if error := self._channel_error(args.get("channel")):
            return _error(error)
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return _error("no_text")
        message = _Message(
            channel=args["channel"],
            ts=self._ids.next_ts(),
            text=args.get("text", ""),
            blocks=args.get("blocks"),
            thread_ts=args.get("thread_ts") or None,
            user=self.bot_user_id,
            metadata=args.get("metadata") if isinstance(args.get("metadata"), dict) else None,
        )
        self._messages.append(message)
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "message": message.as_api(),
        }

    def _chat_post_ephemeral(self, args: Args) -> Body:
        if error := self._channel_error(args.get("channel")):
            return _error(error)
        if not args.get("user"):
            return _error("user_not_found")
        return {"ok": True, "message_ts": self._ids.next_ts()}

    def _chat_update(self, args: Args) -> Body:
        message = self._find_message(args.get("channel"), args.get("ts"))
        if message is None:
            return _error("message_not_found")
        if "text" in args:
            message.text = args["text"]
        if "blocks" in args:
            message.blocks = args["blocks"]
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": message.as_api(),
        }

    def _chat_delete(self, args: Args) -> Body:
        message = self._find_message(args.get("channel"), args.get("ts"))
        if message is None:
            return _error("message_not_found")
        message.deleted = True
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _store_view(self, view_id: str, view: Any) -> Body:
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "hash": f"{self._ids.next_ts()}.hash",
            "state": {"values": {}},
        }
        self._views[view_id] = stored
        return {"ok": True, "view": stored}

    def _views_open(self, args: Args) -> Body:
        if not args.get("trigger_id") and not args.get("interactivity_pointer"):
            return _error("invalid_arguments")
        return self._store_view(self._ids.next_view_id(), args.get("view"))

    def _views_update(self, args: Args) -> Body:
        view_id = args.get("view_id") or self._view_id_for(args.get("external_id"))
        if view_id not in self._views:
            return _error("not_found")
        return self._store_view(view_id, args.get("view"))

    def _view_id_for(self, external_id: Any) -> str | None:
        for view_id, view in self._views.items():
            if external_id is not None and view.get("external_id") == external_id:
                return view_id
        return None

    def _views_publish(self, args: Args) -> Body:
        if not args.get("user_id"):
            return _error("invalid_arguments")
        return self._store_view(self._ids.next_view_id(), args.get("view"))

    def _users_info(self, args: Args) -> Body:
        user_id = args.get("user")
        if not isinstance(user_id, str) or user_id[:1] not in ("U", "W"):
            return _error("user_not_found")
        name = f"user-{user_id.lower()}"
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": name.title(),
            "profile": {"display_name": name, "real_name": name.title()},
            "is_admin": False,
            "is_bot": user_id == self.bot_user_id,
            "tz": "America/New_York",
            "tz_offset": -18000,
        }
        return {"ok": True, "user": {**user, **self.users.get(user_id, {})}}

    def _conversations_info(self, args: Args) -> Body:
        channel = str(args.get("channel", ""))
        if self._channel_error(channel) == "channel_not_found":
            return _error("channel_not_found")
        info = {
            "id": channel,
            "name": f"channel-{channel.lower()}",
            "is_channel": channel.startswith("C"),
            "is_private": channel.startswith("G"),
            "is_im": channel.startswith("D"),
            "is_member": self.bot_channels is None or channel in self.bot_channels,
        }
        if channel in self.channel_creators:
            info["creator"] = self.channel_creators[channel]
        return {"ok": True, "channel": info}

    def _conversations_replies(self, args: Args) -> Body:
        ts = args.get("ts")
        if self._find_message(args.get("channel"), ts) is None:
            return _error("thread_not_found")
        thread = [
            m.as_api(with_metadata=_flag(args.get("include_all_metadata")))
            for m in self._messages
            if m.channel == args["channel"]
            and not m.deleted
            and ts in (m.ts, m.thread_ts)
            and _after(m.ts, args.get("oldest"))
        ]
        return {"ok": True, "messages": thread, "has_more": False}

    def _chat_unfurl(self, args: Args) -> Body:
        """Unfurls for a message's links; each is Block Kit, checked like a message's."""
        unfurls = args.get("unfurls")
        if isinstance(unfurls, str):
            unfurls = json.loads(unfurls)
        if not isinstance(unfurls, dict) or not unfurls:
            return _error("invalid_unfurls_format")
        if not (args.get("channel") and args.get("ts")) and not args.get("unfurl_id"):
            return _error("cannot_find_message")
        for unfurl in unfurls.values():
            if isinstance(unfurl, dict) and blockkit.validate_blocks(unfurl.get("blocks") or []):
                return _error("invalid_blocks")
        self.unfurls.append(args)
        return {"ok": True}

    def _conversations_open(self, args: Args) -> Body:
        """The app's DM with one user (Slack answers the same D... id every time)."""
        users = str(args.get("users") or "")
        if not users or "," in users or users[:1] not in ("U", "W"):
            return _error("user_not_found" if users else "users_list_not_supplied")
        return {"ok": True, "channel": {"id": dm_channel_for(users)}}

    def _conversations_history(self, args: Args) -> Body:
        """Top-level messages, newest first, as Slack lists a channel's history."""
        channel = args.get("channel")
        if error := self._channel_error(channel):
            return _error(error)
        history = [
            m.as_api(with_metadata=_flag(args.get("include_all_metadata")))
            for m in reversed(self._messages)
            if m.channel == channel
            and not m.deleted
            and m.thread_ts is None
            and _after(m.ts, args.get("oldest"))
        ]
        return {"ok": True, "messages": history, "has_more": False}

    def _files_get_upload_url(self, args: Args) -> Body:
        if not args.get("filename") or not args.get("length"):
            return _error("invalid_arguments")
        file_id = self._ids.next_file_id()
        self._pending_uploads[file_id] = {"filename": args["filename"], "content": None}
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: Args) -> Body:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return _error("invalid_arguments")
        channel_id = args.get("channel_id")
        if channel_id and (error := self._channel_error(channel_id)):
            return _error(error)
        if any(self._pending_uploads.get(f.get("id"), {}).get("content") is None for f in files):
            return _error("file_not_found")
        done = [self._complete_file(f, args) for f in files]
        return {"ok": True, "files": [{"id": d["id"], "title": d["title"]} for d in done]}

    def _complete_file(self, item: dict[str, Any], args: Args) -> dict[str, Any]:
        pending = self._pending_uploads.pop(item["id"])
        uploaded = {
            "id": item["id"],
            "title": item.get("title") or pending["filename"],
            "filename": pending["filename"],
            "content": pending["content"],
            "channel_id": args.get("channel_id"),
            "thread_ts": args.get("thread_ts"),
            "initial_comment": args.get("initial_comment"),
        }
        self.uploaded_files.append(uploaded)
        if args.get("channel_id"):  # shared: Slack shows it as a message in the channel/thread
            self._messages.append(
                _Message(
                    channel=str(args["channel_id"]),
                    ts=self._ids.next_ts(),
                    text=str(args.get("initial_comment") or ""),
                    blocks=None,
                    thread_ts=args.get("thread_ts") or None,
                    user=self.bot_user_id,
                    files=[{"id": uploaded["id"], "title": uploaded["title"]}],
                )
            )
        return uploaded
