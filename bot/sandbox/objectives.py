"""/v2/objectives: create a set, list, get, JSON Patch, delete; and their completion in calls.

A set is `{objectives_id, data: [objective, ...], created_at, updated_at}` (see `sets.py`
for GET's two shapes and PATCH's path spellings). An objective: `objective_name` (no
spaces, unique in the set), `objective_prompt`, `confirmation_mode` (`auto`/`manual`),
`output_variables`, `modality` (`verbal`/`visual`), `next_required_objective` and
`next_conditional_objectives` (naming objectives of the same set), `callback_url`.

During a call whose persona has an `objectives_id`, the objectives complete one by one,
`objective_delay` seconds apart from the first participant joining: from each objective no
other leads to, following `next_required_objective` (or the first conditional branch, as if
its condition held; the other branches never complete). Each completion with a
`callback_url` posts `{conversation_id, objective_name, output_variables}` there, with a
plausible value for each declared variable. `objectives_completed` stops after that many.
"""

from __future__ import annotations

import asyncio
from datetime import date
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

ID_KEY = "objectives_id"
OBJECTIVE_FIELDS = (
    "objective_name",
    "objective_prompt",
    "confirmation_mode",
    "output_variables",
    "modality",
    "next_required_objective",
    "next_conditional_objectives",
    "callback_url",
)
CONFIRMATION_MODES = ("auto", "manual")
MODALITIES = ("verbal", "visual")
NOT_FOUND = "Objective not found"
UPDATED = "Objective updated successfully"
# (part of a variable's name, a value it might have been given in the call), first match wins.
SAMPLE_VALUES = (
    ("email", "jordan.lee@example.com"),
    ("phone", "+1 415 555 0134"),
    ("first_name", "Jordan"),
    ("last_name", "Lee"),
    ("name", "Jordan Lee"),
    ("time", "14:30"),
    ("age", "34"),
    ("company", "Acme Corp"),
    ("city", "San Francisco"),
    ("budget", "$25,000"),
    ("is_", "yes"),
    ("has_", "yes"),
)


def add_routes(app: web.Application, state: SandboxState) -> None:
    routes = SetRoutes(
        path="/v2/objectives",
        id_key=ID_KEY,
        sets=lambda: state.objectives,
        get_shape=lambda: state.objectives_get_shape,
        fields=("data",),
        item_fields=OBJECTIVE_FIELDS,
        validate=check_objectives,
        not_found=NOT_FOUND,
        updated=UPDATED,
    )
    routes.add(app, _ObjectiveHandlers(state).create)


# Validation


def _output_variables(item: dict[str, Any]) -> list[str]:
    value = item.get("output_variables")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid("output_variables must be a list of strings")
    return list(value)


def _objective(item: Any, index: int) -> dict[str, Any]:
    item = check_keys(item, index, OBJECTIVE_FIELDS)
    name = required_text(item, "objective_name")
    if any(character.isspace() for character in name):
        raise Invalid("objective_name must not contain spaces")
    objective = {
        **item,
        "objective_name": name,
        "objective_prompt": required_text(item, "objective_prompt"),
        "confirmation_mode": choice(item, "confirmation_mode", CONFIRMATION_MODES),
        "output_variables": _output_variables(item),
        "modality": choice(item, "modality", MODALITIES),
    }
    if "callback_url" in item:
        objective["callback_url"] = optional_url(item, "callback_url")
    return objective


def _next_names(objective: dict[str, Any]) -> list[str]:
    """The objectives this one may lead to: the required one, then the conditional ones."""
    required = objective.get("next_required_objective")
    conditional = objective.get("next_conditional_objectives") or {}
    return ([required] if required else []) + list(conditional)


def _check_links(objectives: list[dict[str, Any]]) -> None:
    names = {objective["objective_name"] for objective in objectives}
    for objective in objectives:
        required = objective.get("next_required_objective")
        if required is not None and not isinstance(required, str):
            raise Invalid("next_required_objective must be a string")
        conditional = objective.get("next_conditional_objectives")
        if conditional is not None and not (
            isinstance(conditional, dict) and all(isinstance(v, str) for v in conditional.values())
        ):
            raise Invalid("next_conditional_objectives must map objective names to conditions")
        for name in _next_names(objective):
            if name not in names or name == objective["objective_name"]:
                raise Invalid(f"No other objective named {name} in data")


def check_objectives(body: dict[str, Any]) -> dict[str, Any]:
    """The set's body with its objectives checked and defaults filled; raises Invalid."""
    objectives = [_objective(item, i) for i, item in enumerate(item_list(body, "objectives"))]
    unique_names(objectives, "objective_name")
    _check_links(objectives)
    return {**body, "data": objectives}


# Completion during a call


def completion_order(objectives: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {objective["objective_name"]: objective for objective in objectives}
    led_to = {name for objective in objectives for name in _next_names(objective)}
    heads = [o for o in objectives if o["objective_name"] not in led_to] or objectives[:1]
    order: list[dict[str, Any]] = []
    for head in heads:
        current: dict[str, Any] | None = head
        while current is not None and current not in order:
            order.append(current)
            following = _next_names(current)
            current = by_name.get(following[0]) if following else None
    return order


def sample_value(variable: str) -> str:
    lowered = variable.lower()
    if "date" in lowered:
        return date.today().isoformat()
    for part, value in SAMPLE_VALUES:
        if part in lowered:
            return value
    return f"sample {variable.replace('_', ' ')}"


def completed_payload(conv: Conversation, objective: dict[str, Any]) -> dict[str, Any]:
    variables = {name: sample_value(name) for name in objective["output_variables"]}
    return {
        "conversation_id": conv.conversation_id,
        "objective_name": objective["objective_name"],
        "output_variables": variables,
    }


async def complete_objectives(state: SandboxState, conv: Conversation, delay: float) -> None:
    objectives = state.objectives.get(conv.objectives_id or "")
    if objectives is None:  # deleted since the call started
        return
    order = completion_order(objectives["data"])[: state.objectives_completed]
    for objective in order:
        await asyncio.sleep(delay)
        url = objective.get("callback_url")
        if url:
            payload = completed_payload(conv, objective)
            state.send_callbacks(url, [payload], key=conv.conversation_id)


class _ObjectiveHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def create(self, request: web.Request) -> web.Response:
        body = await read_object(request)
        if set(body) - {"data"}:
            raise api_message(400, f"Unknown field: {sorted(set(body) - {'data'})[0]}")
        try:
            objectives = check_objectives(body)
        except Invalid as exc:
            raise api_message(400, str(exc)) from exc
        now = iso_now()
        created = {ID_KEY: new_id("o"), **objectives, "created_at": now, "updated_at": now}
        self.state.objectives[created[ID_KEY]] = created
        first = created["data"][0]["objective_name"]
        answer = {ID_KEY: created[ID_KEY], "objective_name": first, "status": "active"}
        return web.json_response({**answer, "created_at": now})
