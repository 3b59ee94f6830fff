"""/v2/personas: create, list, get (wrapped in `data`), JSON Patch, delete.

A persona has every field the spec lists (`layers` checked by `layers.py`) plus the newer
`guardrail_ids` / `guardrail_tags`; any other field is refused. The ids it references must
exist: `default_replica_id`, `objectives_id`, `guardrails_id`, each of `guardrail_ids` and
`document_ids`, `layers.tts.pronunciation_dictionary_id`; each of `document_tags` must be
on some document. A PATCH checks only the references it adds, so one whose target was
deleted since does not block other edits. PATCH is RFC 6902 (`patching.py`): 422 for a bad
patch, 400 for a read-only field, 304 for no change.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request, optional_str, optional_str_list, read_json, read_object
from bot.sandbox.layers import check_layers, dictionary_id
from bot.sandbox.pagination import paginate
from bot.sandbox.patching import not_in, patch_document
from bot.sandbox.state import SandboxState, iso_now, new_id

PIPELINE_MODES = ("full", "echo")
READ_ONLY_FIELDS = frozenset({"persona_id", "persona_type", "created_at", "updated_at"})
DEFAULTS: dict[str, Any] = {
    "persona_name": None,
    "system_prompt": None,
    "pipeline_mode": "full",
    "context": None,
    "default_replica_id": None,
    "document_ids": [],
    "document_tags": [],
    "objectives_id": None,
    "guardrails_id": None,
    "layers": {},
}
NEWER_FIELDS = ("guardrail_ids", "guardrail_tags")
FIELDS = frozenset({*DEFAULTS, *NEWER_FIELDS, *READ_ONLY_FIELDS})
LIST_FIELDS = ("document_ids", "document_tags", *NEWER_FIELDS)


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _PersonaHandlers(state)
    app.router.add_post("/v2/personas", handlers.create)
    app.router.add_get("/v2/personas", handlers.index)
    app.router.add_get("/v2/personas/{persona_id}", handlers.show)
    app.router.add_patch("/v2/personas/{persona_id}", handlers.patch)
    app.router.add_delete("/v2/personas/{persona_id}", handlers.delete)


# Validation


def _check_fields(persona: dict[str, Any]) -> None:
    unknown = sorted(set(persona) - FIELDS)
    if unknown:
        raise bad_request(f"Unknown field: {unknown[0]}")
    name = persona.get("persona_name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("persona_name is required")
    if persona.get("pipeline_mode") not in PIPELINE_MODES:
        raise bad_request("pipeline_mode must be one of: full, echo")
    for key in ("system_prompt", "context", "default_replica_id", "objectives_id", "guardrails_id"):
        optional_str(persona, key)
    prompt = persona.get("system_prompt")
    if persona["pipeline_mode"] == "full" and (not isinstance(prompt, str) or not prompt.strip()):
        raise bad_request("system_prompt is required in full pipeline_mode")
    for key in LIST_FIELDS:
        optional_str_list(persona, key)
    check_layers(persona.get("layers"))


def _references(persona: dict[str, Any]) -> dict[str, set[str]]:
    """Each kind of id (and the document tags) the persona points at."""
    single = ("default_replica_id", "objectives_id", "guardrails_id")
    found = {key: {persona[key]} if persona.get(key) else set() for key in single}
    for key in ("guardrail_ids", "document_ids", "document_tags"):
        found[key] = set(persona.get(key) or [])
    found["pronunciation_dictionary_id"] = set(
        filter(None, [dictionary_id(persona.get("layers") or {})])
    )
    return found


def _known(state: SandboxState) -> dict[str, set[str]]:
    tags = {tag for document in state.documents.values() for tag in document.tags}
    return {
        "default_replica_id": set(state.replicas),
        "objectives_id": set(state.objectives),
        "guardrails_id": set(state.guardrails),
        "guardrail_ids": set(state.guardrails),
        "document_ids": set(state.documents),
        "document_tags": tags,
        "pronunciation_dictionary_id": set(state.dictionaries),
    }


def _check_references(
    state: SandboxState, persona: dict[str, Any], before: dict[str, Any] | None = None
) -> None:
    old = _references(before) if before is not None else {}
    known = _known(state)
    for key, wanted in _references(persona).items():
        missing = sorted(wanted - old.get(key, set()) - known[key])
        if missing and key == "default_replica_id":
            raise bad_request("Invalid replica_id")  # the wording tests already rely on
        if missing:
            single = key.endswith("_id")
            raise bad_request(f"Invalid {key}" if single else f"Invalid {key}: {missing[0]}")


def validate(
    state: SandboxState, persona: dict[str, Any], before: dict[str, Any] | None = None
) -> None:
    _check_fields(persona)
    _check_references(state, persona, before)


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
            **DEFAULTS,
            **{k: v for k, v in body.items() if k not in READ_ONLY_FIELDS},
            "persona_id": new_id("p"),
            "persona_type": "user",
            "created_at": now,
            "updated_at": now,
        }
        for key in ("document_ids", "document_tags", "layers"):
            if persona[key] is None:
                persona[key] = DEFAULTS[key]
        validate(self.state, persona)
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
        patched = patch_document(persona, operations, writable=not_in(READ_ONLY_FIELDS))
        if patched is None:
            return web.Response(status=304)
        validate(self.state, patched, before=persona)
        patched["updated_at"] = iso_now()
        self.state.personas[persona["persona_id"]] = patched
        return web.Response(status=200)

    async def delete(self, request: web.Request) -> web.Response:
        persona = self._find(request)
        if persona["persona_type"] == "system":
            raise bad_request("System personas cannot be deleted")
        del self.state.personas[persona["persona_id"]]
        return web.Response(status=204)


def forget_dictionary(state: SandboxState, dictionary: str) -> None:
    """What Tavus does when a dictionary is deleted: personas using it lose the reference."""
    for persona in state.personas.values():
        tts = (persona.get("layers") or {}).get("tts")
        if isinstance(tts, dict) and tts.get("pronunciation_dictionary_id") == dictionary:
            tts["pronunciation_dictionary_id"] = None
            persona["updated_at"] = iso_now()
