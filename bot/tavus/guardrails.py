"""`tavus.guardrails`: behavioural limits a persona keeps to, created as a named set.

Two generations exist: legacy sets (`guardrails_id`, the spec's shape, which `create` sends)
and newer single guardrails (id `uuid`, with `tags`). Reads accept both.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from ._http import APIResource, known_fields, path_param
from .models import MODALITIES, GuardrailSet, GuardrailSpec, Page
from .patch import Patched, PatchOperation

PATH = "/v2/guardrails"
REQUIRED = ("guardrail_name", "guardrail_prompt")
MAX_NAME = 100
MAX_PROMPT = 1000
_NAME = re.compile(r"[A-Za-z0-9_]+")


def _check_guardrail(spec: GuardrailSpec) -> dict[str, Any]:
    guardrail = known_fields("guardrail", spec, GuardrailSpec, REQUIRED)
    name = guardrail["guardrail_name"]
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise ValueError(
            f"guardrail_name must be up to {MAX_NAME} letters, digits or underscores, got {name!r}"
        )
    if len(guardrail["guardrail_prompt"]) > MAX_PROMPT:
        raise ValueError(f"guardrail_prompt must be at most {MAX_PROMPT} characters")
    modality = guardrail.get("modality")
    if modality is not None and modality not in MODALITIES:
        raise ValueError(f"modality must be one of {', '.join(MODALITIES)}, got {modality!r}")
    return guardrail


def _check_guardrails(name: str, guardrails: Sequence[GuardrailSpec]) -> list[dict[str, Any]]:
    if not name.strip():
        raise ValueError("name is required")
    if isinstance(guardrails, Mapping):
        raise TypeError("expected a list of guardrails, got a single guardrail")
    checked = [_check_guardrail(spec) for spec in guardrails]
    if not checked:
        raise ValueError("give at least one guardrail")
    names = [guardrail["guardrail_name"] for guardrail in checked]
    if len(set(names)) != len(names):
        raise ValueError("guardrail names must be unique within a set")
    return checked


class Guardrails(APIResource):
    id_name = "guardrails_id"

    async def create(self, *, name: str, guardrails: Sequence[GuardrailSpec]) -> GuardrailSet:
        """Create a named set (one `guardrails_id` for a persona). Never retried.

        Tavus answers the id and name without the guardrails; the set returned carries those
        sent.
        """
        sent = _check_guardrails(name, guardrails)
        answer = await self._create(PATH, {"name": name, "data": sent})
        known = {"name": name, **answer}
        return GuardrailSet.from_api(known if "data" in answer else {**known, "data": sent})

    async def get(self, guardrails_id: str) -> GuardrailSet:
        path = f"{PATH}/{path_param('guardrails_id', guardrails_id)}"
        return GuardrailSet.from_api(await self._get_one(path), guardrails_id=guardrails_id)

    async def list(self, *, page: int = 1, limit: int = 10) -> Page[GuardrailSet]:
        return await self._get_page(PATH, GuardrailSet.from_api, page=page, limit=limit)

    def iter_all(self, *, limit: int = 100) -> AsyncIterator[GuardrailSet]:
        return self._walk(lambda page: self.list(page=page, limit=limit))

    async def patch(self, guardrails_id: str, operations: Sequence[PatchOperation]) -> Patched:
        """RFC 6902 operations; a set's members are at `/data/<index>/<field>`."""
        path = f"{PATH}/{path_param('guardrails_id', guardrails_id)}"
        return await self._json_patch(path, operations)

    async def delete(self, guardrails_id: str) -> None:
        await self._delete_one(f"{PATH}/{path_param('guardrails_id', guardrails_id)}")
