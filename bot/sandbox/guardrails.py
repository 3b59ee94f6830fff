"""/v2/guardrails: create a named set, list, get, JSON Patch, delete; and triggers in calls.

A set is `{guardrails_id, name, data: [guardrail, ...], created_at, updated_at}` (the spec's
legacy shape; see `sets.py` for GET's two shapes and PATCH's path spellings). A
guardrail: `guardrail_name` (at most 100 letters, digits or underscores, unique in the
set), `guardrail_prompt` (at most 1000 characters), `modality` (`verbal`/`visual`),
`callback_url`.

During a call whose persona has guardrails (`guardrails_id`, then `guardrail_ids`), one
guardrail triggers `guardrail_delay` seconds after the first participant joins: the one
named by `guardrail_trigger`, else the first. With a `callback_url` it posts
`{conversation_id, properties: {guardrail, guardrail_uuid}}` there.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from aiohttp import web

from bot.sandbox.errors import api_message, read_object
from bot.sandbox.sets import (
    Invalid,
    SetRoutes,
    check_keys,
    choice,
    item_list,
    optional_url,
    required_text,
    unique_names,
)
from bot.sandbox.state import Conversation, SandboxState, iso_now, new_id

ID_KEY = "guardrails_id"
SET_FIELDS = ("name", "data")
GUARDRAIL_FIELDS = ("guardrail_name", "guardrail_prompt", "modality", "callback_url")
MODALITIES = ("verbal", "visual")
NAME_PATTERN = re.compile(r"[A-Za-z0-9_]+")
MAX_NAME = 100
MAX_PROMPT = 1000
NOT_FOUND = "Guardrails not found"
UPDATED = "Guardrails updated successfully"
# Fixed, so a guardrail keeps its uuid for as long as it keeps its set and its name.
UUID_NAMESPACE = uuid.UUID("6f1d8a52-3c4e-4b7a-9a51-2d0c7e9b1f35")


def add_routes(app: web.Application, state: SandboxState) -> None:
    routes = SetRoutes(
        path="/v2/guardrails",
        id_key=ID_KEY,
        sets=lambda: state.guardrails,
        get_shape=lambda: state.guardrails_get_shape,
        fields=SET_FIELDS,
        item_fields=GUARDRAIL_FIELDS,
        validate=check_guardrails,
        not_found=NOT_FOUND,
        updated=UPDATED,
    )
    routes.add(app, _GuardrailHandlers(state).create)


# Validation


def _guardrail(item: Any, index: int) -> dict[str, Any]:
    item = check_keys(item, index, GUARDRAIL_FIELDS)
    name = required_text(item, "guardrail_name")
    if not NAME_PATTERN.fullmatch(name):
        raise Invalid("guardrail_name may only contain letters, digits and underscores")
    if len(name) > MAX_NAME:
        raise Invalid(f"guardrail_name must be at most {MAX_NAME} characters")
    prompt = required_text(item, "guardrail_prompt")
    if len(prompt) > MAX_PROMPT:
        raise Invalid(f"guardrail_prompt must be at most {MAX_PROMPT} characters")
    guardrail = {
        **item,
        "guardrail_name": name,
        "guardrail_prompt": prompt,
        "modality": choice(item, "modality", MODALITIES),
    }
    if "callback_url" in item:
        guardrail["callback_url"] = optional_url(item, "callback_url")
    return guardrail


def check_guardrails(body: dict[str, Any]) -> dict[str, Any]:
    """The set's body with its guardrails checked and defaults filled; raises Invalid."""
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise Invalid("name must be a string")
    guardrails = [_guardrail(item, i) for i, item in enumerate(item_list(body, "guardrails"))]
    unique_names(guardrails, "guardrail_name")
    return {**body, "name": name, "data": guardrails}


# Triggers during a call


def guardrail_uuid(guardrails_id: str, guardrail_name: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, f"{guardrails_id}/{guardrail_name}"))


def _candidates(state: SandboxState, conv: Conversation) -> list[tuple[str, dict[str, Any]]]:
    """(set id, guardrail) for every guardrail of the call's sets still there, in order."""
    sets = [state.guardrails[i] for i in conv.guardrails_ids if i in state.guardrails]
    return [(found[ID_KEY], guardrail) for found in sets for guardrail in found["data"]]


def triggered_payload(conv: Conversation, guardrails_id: str, name: str) -> dict[str, Any]:
    properties = {"guardrail": name, "guardrail_uuid": guardrail_uuid(guardrails_id, name)}
    return {"conversation_id": conv.conversation_id, "properties": properties}


async def trigger_guardrail(state: SandboxState, conv: Conversation, delay: float) -> None:
    await asyncio.sleep(delay)
    wanted = state.guardrail_trigger
    chosen = [
        (set_id, guardrail)
        for set_id, guardrail in _candidates(state, conv)
        if wanted in (None, guardrail["guardrail_name"])
    ]
    if not chosen or not chosen[0][1].get("callback_url"):
        return
    set_id, guardrail = chosen[0]
    payload = triggered_payload(conv, set_id, guardrail["guardrail_name"])
    state.send_callbacks(guardrail["callback_url"], [payload], key=conv.conversation_id)


class _GuardrailHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def create(self, request: web.Request) -> web.Response:
        body = await read_object(request)
        unknown = sorted(set(body) - set(SET_FIELDS))
        if unknown:
            raise api_message(400, f"Unknown field: {unknown[0]}")
        try:
            guardrails = check_guardrails(body)
        except Invalid as exc:
            raise api_message(400, str(exc)) from exc
        now = iso_now()
        created = {ID_KEY: new_id("g"), **guardrails, "created_at": now, "updated_at": now}
        self.state.guardrails[created[ID_KEY]] = created
        answer = {ID_KEY: created[ID_KEY], "guardrails_name": created["name"], "status": "active"}
        return web.json_response({**answer, "created_at": now})
