"""/v2/voices: the stock voices a replica trained from an image may speak with.

Seeded from `SEED_VOICES`; tests may add to `state.voices` (keyed by the lower-case slug).
`search` is a case-insensitive substring of `voice_name`, `tag` a case-insensitive tag name,
`sort` `asc` (default) or `desc`; pages count from 1 and the answer echoes `page` and `limit`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState

SORTS = ("asc", "desc")


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _VoiceHandlers(state)
    app.router.add_get("/v2/voices", handlers.index)


def _has_tag(voice: dict[str, Any], tag: str) -> bool:
    return any(str(t.get("tag_name", "")).lower() == tag for t in voice.get("tags") or [])


class _VoiceHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def index(self, request: web.Request) -> web.Response:
        sort = request.query.get("sort") or "asc"
        if sort not in SORTS:
            raise bad_request("sort must be one of: asc, desc")
        search = request.query.get("search", "").lower()
        tag = request.query.get("tag", "").lower()
        voices = sorted(
            (
                voice
                for voice in self.state.voices.values()
                if search in voice["voice_name"].lower() and (not tag or _has_tag(voice, tag))
            ),
            key=lambda voice: str(voice["voice_name"]).lower(),
            reverse=sort == "desc",
        )
        return web.json_response(paginate(request, voices, echo=True))
