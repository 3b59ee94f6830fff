"""`tavus.lipsync`: lip-sync an existing video to new audio.

Tavus marks these endpoints deprecated ("no longer supported"); they are kept for accounts
that still have them, and answers are read in both the current and the legacy spelling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ._http import APIResource, path_param
from .models import Lipsync, Page

PATH = "/v2/lipsync"


class Lipsyncs(APIResource):
    id_name = "lipsync_id"

    async def create(
        self,
        *,
        original_video_url: str,
        source_audio_url: str,
        lipsync_name: str | None = None,
        callback_url: str | None = None,
    ) -> Lipsync:
        """Never retried: a retry could render (and bill) a second one."""
        if not original_video_url.strip() or not source_audio_url.strip():
            raise ValueError("original_video_url and source_audio_url are required")
        body: dict[str, object] = {
            "original_video_url": original_video_url,
            "source_audio_url": source_audio_url,
        }
        if lipsync_name is not None:
            body["lipsync_name"] = lipsync_name
        if callback_url is not None:
            body["callback_url"] = callback_url
        return Lipsync.from_api(await self._create(PATH, body))

    async def get(self, lipsync_id: str) -> Lipsync:
        return Lipsync.from_api(
            await self._get_one(f"{PATH}/{path_param('lipsync_id', lipsync_id)}")
        )

    async def list(self, *, page: int = 1, limit: int = 10) -> Page[Lipsync]:
        return await self._get_page(PATH, Lipsync.from_api, page=page, limit=limit)

    def iter_all(self, *, limit: int = 100) -> AsyncIterator[Lipsync]:
        return self._walk(lambda page: self.list(page=page, limit=limit))

    async def delete(self, lipsync_id: str) -> None:
        await self._delete_one(f"{PATH}/{path_param('lipsync_id', lipsync_id)}")
