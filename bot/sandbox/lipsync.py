"""/v2/lipsync: create (simulated job + callback), get, list, delete.

Tavus marks these routes deprecated; the sandbox keeps them for older clients. A lip-sync is
`started` for `lipsync_delay` seconds, then `completed` with `video_url`, or `error`; the
callback is the GET object. `error_message` is not in the spec: the sandbox adds it (null
unless the job failed) so a reason can reach Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request, optional_str, optional_url, read_object
from bot.sandbox.jobs import CDN, advance, error_for, naive_time, url_marked, utc_now
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState, new_id

LIPSYNC_ERROR = "The audio could not be synchronized with the video."


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _LipsyncHandlers(state)
    app.router.add_post("/v2/lipsync", handlers.create)
    app.router.add_get("/v2/lipsync", handlers.index)
    app.router.add_get("/v2/lipsync/{lipsync_id}", handlers.show)
    app.router.add_delete("/v2/lipsync/{lipsync_id}", handlers.delete)


@dataclass
class Lipsync:
    lipsync_id: str
    original_video_url: str
    source_audio_url: str
    lipsync_name: str | None = None
    callback_url: str | None = None
    status: str = "started"
    video_url: str | None = None
    error_message: str | None = None
    created_at: datetime = field(default_factory=utc_now)

    def _names(self) -> dict[str, Any]:
        # `request_id` / `request_name`: legacy duplicates Tavus still sends.
        return {
            "lipsync_id": self.lipsync_id,
            "lipsync_name": self.lipsync_name,
            "request_id": self.lipsync_id,
            "request_name": self.lipsync_name,
        }

    def created_answer(self) -> dict[str, Any]:
        return {**self._names(), "status": self.status, "callback_url": self.callback_url}

    def to_api(self) -> dict[str, Any]:
        return {
            **self._names(),
            "status": self.status,
            "created_at": naive_time(self.created_at),
            "video_url": self.video_url,
            "error_message": self.error_message,
        }


def _required_url(body: dict[str, Any], key: str) -> str:
    url = optional_url(body, key)
    if url is None:
        raise bad_request(f"Invalid {key}")
    return url


def _new_lipsync(body: dict[str, Any]) -> Lipsync:
    return Lipsync(
        lipsync_id=new_id("w"),
        original_video_url=_required_url(body, "original_video_url"),
        source_audio_url=_required_url(body, "source_audio_url"),
        lipsync_name=optional_str(body, "lipsync_name"),
        callback_url=optional_url(body, "callback_url"),
    )


async def _sync(state: SandboxState, lipsync: Lipsync, error: str | None) -> None:
    await advance(state.lipsync_delay, lambda _percent: None, failing=error is not None)
    if error is None:
        lipsync.status, lipsync.video_url = "completed", f"{CDN}/lipsync/{lipsync.lipsync_id}.mp4"
    else:
        lipsync.status, lipsync.error_message = "error", error
    if lipsync.callback_url:
        state.send_callbacks(lipsync.callback_url, [lipsync.to_api()], key=lipsync.lipsync_id)


class _LipsyncHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request) -> Lipsync:
        lipsync = self.state.lipsyncs.get(request.match_info["lipsync_id"])
        if lipsync is None:
            raise bad_request("Invalid lipsync_id")
        return lipsync

    async def create(self, request: web.Request) -> web.Response:
        lipsync = _new_lipsync(await read_object(request))
        self.state.lipsyncs[lipsync.lipsync_id] = lipsync
        marked = url_marked(lipsync.original_video_url, lipsync.source_audio_url)
        error = error_for(self.state.lipsync_error, LIPSYNC_ERROR, marked)
        self.state.start_job(lipsync.lipsync_id, _sync(self.state, lipsync, error))
        return web.json_response(lipsync.created_answer())

    async def index(self, request: web.Request) -> web.Response:
        lipsyncs = [lipsync.to_api() for lipsync in reversed(self.state.lipsyncs.values())]
        return web.json_response(paginate(request, lipsyncs))

    async def show(self, request: web.Request) -> web.Response:
        return web.json_response(self._find(request).to_api())

    async def delete(self, request: web.Request) -> web.Response:
        lipsync = self._find(request)
        self.state.stop_job(lipsync.lipsync_id)
        del self.state.lipsyncs[lipsync.lipsync_id]
        return web.Response(status=204)
