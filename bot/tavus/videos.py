"""`tavus.videos`: generate replica videos from a script or an audio file, and manage them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ._http import APIResource, path_param, query
from ._paging import walk_either_numbering
from .models import Page, Video, VideoProperties

PATH = "/v2/videos"


def _given(**fields: object) -> dict[str, object]:
    return {key: value for key, value in fields.items() if value is not None}


def _check_source(script: str | None, audio_url: str | None) -> None:
    if (script is None) == (audio_url is None):
        raise ValueError("give exactly one of script or audio_url")
    if not (script or audio_url or "").strip():
        raise ValueError("script or audio_url is empty")


class Videos(APIResource):
    id_name = "video_id"

    async def generate(
        self,
        *,
        replica_id: str,
        script: str | None = None,
        audio_url: str | None = None,
        video_name: str | None = None,
        background_url: str | None = None,
        background_source_url: str | None = None,
        fast: bool | None = None,
        transparent_background: bool | None = None,
        watermark_image_url: str | None = None,
        properties: VideoProperties | None = None,
        callback_url: str | None = None,
    ) -> Video:
        """Queue a video. Never retried: a retry could render (and bill) a second one."""
        if not replica_id.strip():
            raise ValueError("replica_id is required")
        _check_source(script, audio_url)
        if transparent_background and not fast:
            raise ValueError("transparent_background needs fast=True")
        body = _given(
            replica_id=replica_id,
            script=script,
            audio_url=audio_url,
            video_name=video_name,
            background_url=background_url,
            background_source_url=background_source_url,
            fast=fast,
            transparent_background=transparent_background,
            watermark_image_url=watermark_image_url,
            properties=None if properties is None else dict(properties),
            callback_url=callback_url,
        )
        return Video.from_api(await self._create(PATH, body))

    async def get(self, video_id: str, *, verbose: bool = False) -> Video:
        """``verbose`` adds the thumbnail links."""
        path = f"{PATH}/{path_param('video_id', video_id)}"
        return Video.from_api(await self._get_one(path, query(verbose=True) if verbose else None))

    async def list(self, *, page: int = 1, limit: int = 10) -> Page[Video]:
        """One page as numbered by the caller: Tavus's first page may be 0 or 1 (unverified)."""
        return await self._get_page(PATH, Video.from_api, page=page, limit=limit)

    def iter_all(self, *, limit: int = 100) -> AsyncIterator[Video]:
        return walk_either_numbering(
            lambda page: self._get(PATH, query(page=page, limit=limit)),
            Video.from_api,
            key=lambda video: video.video_id,
            limit=limit,
        )

    async def rename(self, video_id: str, name: str) -> None:
        if not name.strip():
            raise ValueError("name must not be empty")
        path = f"{PATH}/{path_param('video_id', video_id)}/name"
        await self._patch_one(path, {"video_name": name}, idempotent=True)

    async def delete(self, video_id: str, *, hard: bool = False) -> None:
        """``hard`` also deletes thumbnails and assets, for good."""
        path = f"{PATH}/{path_param('video_id', video_id)}"
        await self._delete_one(path, query(hard=True) if hard else None)
