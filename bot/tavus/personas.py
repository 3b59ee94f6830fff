"""`tavus.personas`: create, read, JSON-Patch and delete the personas conversations use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

from ._http import APIResource, given, listed, path_param, unwrap_one
from .layers import PersonaLayers
from .models import Page, Persona
from .patch import Patched, PatchOperation

PATH = "/v2/personas"
PIPELINE_MODES = ("full", "echo")


def _check_create(persona_name: str, pipeline_mode: str | None, system_prompt: str | None) -> None:
    if not persona_name.strip():
        raise ValueError("persona_name is required")
    if pipeline_mode is not None and pipeline_mode not in PIPELINE_MODES:
        raise ValueError(f"pipeline_mode must be one of {', '.join(PIPELINE_MODES)}")
    if pipeline_mode != "echo" and not (system_prompt or "").strip():
        raise ValueError("system_prompt is required unless pipeline_mode is 'echo'")


class Personas(APIResource):
    id_name = "persona_id"

    async def create(
        self,
        *,
        persona_name: str,
        system_prompt: str | None = None,
        pipeline_mode: Literal["full", "echo"] | None = None,
        context: str | None = None,
        default_replica_id: str | None = None,
        document_ids: Sequence[str] | None = None,
        document_tags: Sequence[str] | None = None,
        objectives_id: str | None = None,
        guardrails_id: str | None = None,
        guardrail_ids: Sequence[str] | None = None,
        guardrail_tags: Sequence[str] | None = None,
        layers: PersonaLayers | None = None,
    ) -> Persona:
        """Never retried: a retry could create a second persona.

        Tavus answers only the id, name and `created_at`; the Persona returned also carries
        what was sent. ``guardrails_id`` names a legacy set, ``guardrail_ids`` newer single
        guardrails.
        """
        _check_create(persona_name, pipeline_mode, system_prompt)
        body = given(
            persona_name=persona_name,
            system_prompt=system_prompt,
            pipeline_mode=pipeline_mode,
            context=context,
            default_replica_id=default_replica_id,
            document_ids=listed("document_ids", document_ids),
            document_tags=listed("document_tags", document_tags),
            objectives_id=objectives_id,
            guardrails_id=guardrails_id,
            guardrail_ids=listed("guardrail_ids", guardrail_ids),
            guardrail_tags=listed("guardrail_tags", guardrail_tags),
            layers=None if layers is None else dict(layers),
        )
        answer = await self._create(PATH, body)
        return Persona.from_api({**body, **answer})

    async def get(self, persona_id: str) -> Persona:
        path = f"{PATH}/{path_param('persona_id', persona_id)}"
        data = unwrap_one(await self._get_one(path), "persona_id", f"Persona {persona_id}")
        return Persona.from_api(data)

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

    async def patch(self, persona_id: str, operations: Sequence[PatchOperation]) -> Patched:
        """RFC 6902 operations (see `bot.tavus.patch`): `replace` needs an existing path, `add`
        makes a new one. Returns whether anything changed; a patch Tavus cannot apply raises
        BadRequest (422) with Tavus's message."""
        path = f"{PATH}/{path_param('persona_id', persona_id)}"
        return await self._json_patch(path, operations)

    async def delete(self, persona_id: str) -> None:
        await self._delete_one(f"{PATH}/{path_param('persona_id', persona_id)}")
