"""/v2/personas: create, list, get (wrapped in `data`), JSON Patch, delete."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.errors import ApiError, bad_request, read_json, read_object
from bot.sandbox.jsonpatch import PatchError, apply_patch, touched_fields
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState, iso_now, new_id

PIPELINE_MODES = ("full", "echo")
READ_ONLY_FIELDS = frozenset({"persona_id", "persona_type", "created_at", "updated_at"})


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _PersonaHandlers(state)
    app.router.add_post("/v2/personas", handlers.create)
    app.router.add_get("/v2/personas", handlers.index)
    app.router.add_get("/v2/personas/{persona_id}", handlers.show)
    app.router.add_patch("/v2/personas/{persona_id}", handlers.patch)
    app.router.add_delete("/v2/personas/{persona_id}", handlers.delete)


def _validate(persona: dict[str, Any], state: SandboxState) -> None:
    name = persona.get("persona_name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("persona_name is required")
    if persona.get("pipeline_mode") not in PIPELINE_MODES:
        raise bad_request("pipeline_mode must be one of: full, echo")
    prompt = persona.get("system_prompt")
    if persona["pipeline_mode"] == "full" and (not isinstance(prompt, str) or not prompt.strip()):
        raise bad_request("system_prompt is required in full pipeline_mode")
    replica_id = persona.get("default_replica_id")
    if replica_id is not None and replica_id not in state.replicas:
        raise bad_request("Invalid replica_id")


class _PersonaHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request) -> dict[str, Any]:
        persona = self.state.personas.get(request.match_info["persona_id"])
        if persona is None:
            raise bad_request("Invalid persona_id")
        return persona

    async def create(self, request: web.Request) -> web.Response:
        body = await read_object(request)
        now = iso_now()
        persona: dict[str, Any] = {
            "persona_name": None,
            "system_prompt": None,
            "pipeline_mode": "full",
            "context": None,
            "default_replica_id": None,
            "document_ids": [],
            "document_tags": [],
            "layers": {},
            **{k: v for k, v in body.items() if k not in READ_ONLY_FIELDS},
            "persona_id": new_id("p"),
            "persona_type": "user",
            "created_at": now,
            "updated_at": now,
        }
        _validate(persona, self.state)
        self.state.personas[persona["persona_id"]] = persona
        return web.json_response(
            {key: persona[key] for key in ("persona_id", "persona_name", "created_at")}
        )

    async def index(self, request: web.Request) -> web.Response:
        kind = request.query.get("persona_type")
        if kind not in (None, "user", "system"):
            raise bad_request("persona_type must be one of: user, system")
        personas = [
            p for p in reversed(self.state.personas.values()) if kind in (None, p["persona_type"])
        ]
        return web.json_response(paginate(request, personas))

    async def show(self, request: web.Request) -> web.Response:
        return web.json_response({"data": [self._find(request)]})

    async def patch(self, request: web.Request) -> web.Response:
        persona = self._find(request)
        operations = await read_json(request)
        try:
            patched = apply_patch(persona, operations)
            read_only = touched_fields(operations) & READ_ONLY_FIELDS
        except PatchError as exc:
            raise ApiError(422, {"message": "Invalid JSON patch format"}) from exc
        if read_only:
            raise bad_request(f"Cannot modify {', '.join(sorted(read_only))}")
        if patched == persona:
            return web.Response(status=304)
        _validate(patched, self.state)
        patched["updated_at"] = iso_now()
        self.state.personas[persona["persona_id"]] = patched
        return web.Response(status=200)

    async def delete(self, request: web.Request) -> web.Response:
        persona = self._find(request)
        if persona["persona_type"] == "system":
            raise bad_request("System personas cannot be deleted")
        del self.state.personas[persona["persona_id"]]
        return web.Response(status=204)
