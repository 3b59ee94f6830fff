"""`tavus.voices`: the stock voices an image-trained replica can speak with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

from ._http import APIResource
from .models import Page, Voice

PATH = "/v2/voices"


class Voices(APIResource):
    async def list(
        self,
        *,
        search: str | None = None,
        page: int = 1,
        limit: int = 10,
        sort: Literal["asc", "desc"] | None = None,
        tag: str | None = None,
    ) -> Page[Voice]:
        """``search`` matches part of `voice_name`, ignoring case; pages count from 1."""
        return await self._get_page(
            PATH, Voice.from_api, page=page, limit=limit, search=search or None, sort=sort, tag=tag
        )

    def iter_all(
        self, *, search: str | None = None, tag: str | None = None, limit: int = 100
    ) -> AsyncIterator[Voice]:
        return self._walk(lambda page: self.list(search=search, page=page, limit=limit, tag=tag))
