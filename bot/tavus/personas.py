"""`tavus.personas`: read the personas a conversation can use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._http import APIResource, path_param
from .errors import NotFound
from .models import Page, Persona

PATH = "/v2/personas"


class Personas(APIResource):
    async def get(self, persona_id: str) -> Persona:
        path = f"{PATH}/{path_param('persona_id', persona_id)}"
        return Persona.from_api(_unwrap(await self._get(path), persona_id))

    async def list(
        self, *, page: int = 1, limit: int = 10, persona_type: str | None = None
    ) -> Page[Persona]:
        return await self._get_page(
            PATH, Persona.from_api, page=page, limit=limit, persona_type=persona_type
        )

    def iter_all(
        self, *, persona_type: str | None = None, limit: int = 100
    ) -> AsyncIterator[Persona]:
        return self._walk(lambda page: self.list(page=page, limit=limit, persona_type=persona_type))


def _unwrap(data: Mapping[str, Any], persona_id: str) -> Mapping[str, Any]:
    """GET answers `{"data": [{...}]}`, `{"data": {...}}` or the bare object."""
    if "persona_id" in data:
        return data
    inner = data.get("data")
    if isinstance(inner, list):
        inner = next((item for item in inner if isinstance(item, Mapping)), None)
    if not isinstance(inner, Mapping):
        raise NotFound(404, f"Persona {persona_id} not found", dict(data))
    return inner
