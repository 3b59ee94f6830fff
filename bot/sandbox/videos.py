"""/v2/videos: generate (simulated job + callbacks), get, list, rename, delete.

A video is `queued`, then `generating` with `generation_progress` stepping (`jobs.py`) over
`video_delay` seconds, then `ready` with its URLs; `fast` renders have no stream or
thumbnails, `transparent_background` ones download as .webm. Callbacks come only on `ready`
and on `error`: the whole video object, with naive timestamps; the create answer says
`created_at` in RFC 1123. A soft delete leaves the video listed as `deleted`; `hard=true`
removes it. Pages count from `video_first_page` (0, as the spec says).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.sandbox.errors import (
    REPLICA_NOT_READY,
    bad_request,
    optional_bool,
    optional_object,
    optional_str,
    optional_url,
    query_flag,
    read_object,
)
from bot.sandbox.jobs import (
    CDN,
    SCRIPT_FAIL_MARKER,
    advance,
    error_for,
    naive_time,
    progress,
    url_marked,
    utc_now,
)
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState

NO_SOURCE = "Either script or audio_url must be provided."
BOTH_SOURCES = "Only one of script or audio_url may be provided."
AUDIO_FORMAT = "audio_url must be a .wav or .mp3 file."
WATERMARK_FORMAT = "watermark_image_url must be a png or jpeg image."
TRANSPARENT_NEEDS_FAST = "transparent_background requires fast to be true."
VIDEO_ERROR = "An error occurred while generating the video. Please try again."
QUEUED = "Your video is queued for generation."
GENERATING = "Your video is being generated."
READY = "Your request has processed successfully!"  # Tavus's wording
AUDIO_EXTENSIONS = (".wav", ".mp3")
WATERMARK_EXTENSIONS = (".png", ".jpg", ".jpeg")


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _choice(*choices: str) -> Callable[[Any], bool]:
    return lambda value: value in choices


PROPERTY_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "background_scroll": (_boolean, "a boolean"),
    "background_scroll_type": (_choice("human", "smooth"), "one of: human, smooth"),
    "background_scroll_depth": (_choice("middle", "bottom"), "one of: middle, bottom"),
    "background_scroll_return": (_choice("return", "halt"), "one of: return, halt"),
    "start_with_wave": (_boolean, "a boolean"),
}


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _VideoHandlers(state)
    app.router.add_post("/v2/videos", handlers.create)
    app.router.add_get("/v2/videos", handlers.index)
    app.router.add_get("/v2/videos/{video_id}", handlers.show)
    app.router.add_patch("/v2/videos/{video_id}/name", handlers.rename)
    app.router.add_delete("/v2/videos/{video_id}", handlers.delete)


@dataclass
class Video:
    video_id: str
    video_name: str
    replica_id: str
    data: dict[str, str]
    callback_url: str | None = None
    fast: bool = False
    transparent_background: bool = False
    background_url: str | None = None
    background_source_url: str | None = None
    watermark_image_url: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    status_details: str = QUEUED
    generation_progress: str = progress(0)
    download_url: str | None = None
    stream_url: str | None = None
    still_image_thumbnail_url: str | None = None
    gif_thumbnail_url: str | None = None
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)

    @property
    def hosted_url(self) -> str:
        return f"https://videos.tavus.io/video/{self.video_id}"

    def created_answer(self) -> dict[str, Any]:
        return {
            "video_id": self.video_id,
            "video_name": self.video_name,
            "status": self.status,
            "hosted_url": self.hosted_url,
            "created_at": format_datetime(self.created_at, usegmt=True),
        }

    def to_api(self, *, verbose: bool = False) -> dict[str, Any]:
        answer = {
            "video_id": self.video_id,
            "video_name": self.video_name,
            "status": self.status,
            "replica_id": self.replica_id,
            "data": dict(self.data),
            "status_details": self.status_details,
            "generation_progress": self.generation_progress,
            "download_url": self.download_url,
            "stream_url": self.stream_url,
            "hosted_url": self.hosted_url,
            "background_url": self.background_url,
            "background_source_url": self.background_source_url,
            "created_at": naive_time(self.created_at),
            "updated_at": naive_time(self.updated_at),
        }
        if verbose:
            answer["still_image_thumbnail_url"] = self.still_image_thumbnail_url
            answer["gif_thumbnail_url"] = self.gif_thumbnail_url
        return answer

    def listed(self) -> dict[str, Any]:
        """A list item: the spec's carries the thumbnails (verbose in GET) and `error_details`."""
        error_details = self.status_details if self.status == "error" else None
        return {**self.to_api(verbose=True), "error_details": error_details}

    def advance_to(self, percent: int) -> None:
        self.status, self.status_details = "generating", GENERATING
        self.generation_progress, self.updated_at = progress(percent), utc_now()

    def finish(self) -> None:
        base = f"{CDN}/videos/{self.video_id}"
        extension = "webm" if self.transparent_background else "mp4"
        self.status, self.status_details = "ready", READY
        self.generation_progress, self.updated_at = progress(100), utc_now()
        self.download_url = f"{base}/{self.video_id}.{extension}?download=1"
        if not self.fast:  # fast renders have no stream and no thumbnails
            self.stream_url = f"{base}/stream.m3u8"
            self.still_image_thumbnail_url = f"{base}/thumbnail.jpg"
            self.gif_thumbnail_url = f"{base}/thumbnail.gif"

    def fail(self, reason: str) -> None:
        self.status, self.status_details = "error", reason
        self.generation_progress, self.updated_at = progress(0), utc_now()


# Validation


def _has_extension(url: str, extensions: tuple[str, ...]) -> bool:
    return urlsplit(url).path.lower().endswith(extensions)


def _ready_replica(state: SandboxState, body: dict[str, Any]) -> str:
    replica_id = optional_str(body, "replica_id")
    if not replica_id:
        raise bad_request("replica_id is required")
    replica = state.replicas.get(replica_id)
    if replica is None:
        raise bad_request("Invalid replica_id")
    if replica["status"] != "completed":
        raise bad_request(REPLICA_NOT_READY)
    return replica_id


def _source(body: dict[str, Any]) -> dict[str, str]:
    """`{"script": ...}` or `{"audio_url": ...}`: exactly one of them, as the spec's oneOf."""
    script, audio_url = optional_str(body, "script"), optional_url(body, "audio_url")
    if script is not None and audio_url is not None:
        raise bad_request(BOTH_SOURCES)
    if audio_url is not None:
        if not _has_extension(audio_url, AUDIO_EXTENSIONS):
            raise bad_request(AUDIO_FORMAT)
        return {"audio_url": audio_url}
    if not script or not script.strip():
        raise bad_request(NO_SOURCE)
    return {"script": script}


def _rendering(body: dict[str, Any]) -> tuple[bool, bool]:
    fast, transparent = optional_bool(body, "fast"), optional_bool(body, "transparent_background")
    if transparent and not fast:
        raise bad_request(TRANSPARENT_NEEDS_FAST)
    return fast, transparent


def _watermark(body: dict[str, Any]) -> str | None:
    url = optional_url(body, "watermark_image_url")
    if url is not None and not _has_extension(url, WATERMARK_EXTENSIONS):
        raise bad_request(WATERMARK_FORMAT)
    return url


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    properties = optional_object(body, "properties")
    for key, (check, expected) in PROPERTY_CHECKS.items():
        if key in properties and not check(properties[key]):
            raise bad_request(f"properties.{key} must be {expected}")
    return properties


def _new_video(state: SandboxState, body: dict[str, Any]) -> Video:
    replica_id = _ready_replica(state, body)
    data = _source(body)
    fast, transparent = _rendering(body)
    video_id = secrets.token_hex(5)
    return Video(
        video_id=video_id,
        video_name=optional_str(body, "video_name") or f"Video {video_id}",
        replica_id=replica_id,
        data=data,
        callback_url=optional_url(body, "callback_url"),
        fast=fast,
        transparent_background=transparent,
        background_url=optional_url(body, "background_url"),
        background_source_url=optional_url(body, "background_source_url"),
        watermark_image_url=_watermark(body),
        properties=_properties(body),
    )


# Generation


def _planned_error(state: SandboxState, video: Video) -> str | None:
    marked_script = SCRIPT_FAIL_MARKER in video.data.get("script", "")
    marked_audio = url_marked(video.data.get("audio_url"))
    return error_for(state.video_error, VIDEO_ERROR, marked_script, marked_audio)


async def _generate(state: SandboxState, video: Video, error: str | None) -> None:
    await advance(state.video_delay, video.advance_to, failing=error is not None)
    if error is None:
        video.finish()
    else:
        video.fail(error)
    if video.callback_url:
        state.send_callbacks(video.callback_url, [video.to_api()], key=video.video_id)


class _VideoHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request, *, deleted: bool = True) -> Video:
        video = self.state.videos.get(request.match_info["video_id"])
        if video is None or (video.status == "deleted" and not deleted):
            raise bad_request("Invalid video_id")
        return video

    async def create(self, request: web.Request) -> web.Response:
        video = _new_video(self.state, await read_object(request))
        self.state.videos[video.video_id] = video
        error = _planned_error(self.state, video)
        self.state.start_job(video.video_id, _generate(self.state, video, error))
        return web.json_response(video.created_answer())

    async def index(self, request: web.Request) -> web.Response:
        videos = [v.listed() for v in reversed(self.state.videos.values())]
        first_page = self.state.video_first_page
        return web.json_response(paginate(request, videos, first_page=first_page))

    async def show(self, request: web.Request) -> web.Response:
        video = self._find(request)
        return web.json_response(video.to_api(verbose=query_flag(request, "verbose")))

    async def rename(self, request: web.Request) -> web.Response:
        video = self._find(request, deleted=False)
        name = (await read_object(request)).get("video_name")
        if not isinstance(name, str) or not name.strip():
            raise bad_request("video_name is required")
        video.video_name, video.updated_at = name, utc_now()
        return web.Response(status=200)

    async def delete(self, request: web.Request) -> web.Response:
        video = self._find(request)
        self.state.stop_job(video.video_id)  # a deleted video is never called back
        if query_flag(request, "hard"):
            del self.state.videos[video.video_id]
        else:
            video.status, video.updated_at = "deleted", utc_now()
        return web.Response(status=204)
