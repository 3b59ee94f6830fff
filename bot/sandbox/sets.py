"""What objectives and guardrails share: a set `{<id>, ..., "data": [items], created_at,
updated_at}` created in one POST, read whole, patched with JSON Patch, deleted whole.

GET one answers the set itself, its `data` a list, `{"data": [{...}], ...}` (as
tavus-callbacks.md says), or with the `*_get_shape` option `object`, the spec's
`{"data": {...}, ...}`: the first item alone. List rows are sets too. PATCH applies to the
set as GET shows it, by every spelling the sources use: `/data/0/objective_name`, the
object shape's `/data/objective_name`, and the spec's `/objective_name`; the last two mean
the first item.
An id that does not look like one (its letter, then hex) answers 400 `Invalid <id key>`; a
well-formed unknown id 404, as the spec lists both.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import ApiError, bad_request, read_json
from bot.sandbox.pagination import paginate
from bot.sandbox.patching import patch_document
from bot.sandbox.state import iso_now

SET_READ_ONLY = ("created_at", "updated_at")


class Invalid(ValueError):
    """A refused set: create answers it as `{"message": ...}`, PATCH as `{"error": ...}`."""


def find(
    store: dict[str, dict[str, Any]], request: web.Request, id_key: str, not_found: str
) -> dict[str, Any]:
    """The set named in the path; its ids are a letter (`o`, `g`) and hex digits."""
    raw = request.match_info[id_key]
    found = store.get(raw)
    if found is not None:
        return found
    if not re.fullmatch(rf"{id_key[0]}[0-9a-f]+", raw):
        raise bad_request(f"Invalid {id_key}")
    raise ApiError(404, {"error": not_found})


def get_one(found: dict[str, Any], shape: str) -> dict[str, Any]:
    return found if shape == "list" else {**found, "data": found["data"][0]}


def item_list(body: dict[str, Any], what: str) -> list[Any]:
    data = body.get("data")
    if data is None:
        raise Invalid("data is required")
    if not isinstance(data, list) or not data:
        raise Invalid(f"data must be a non-empty list of {what}")
    return data


def check_keys(item: Any, index: int, allowed: Collection[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Invalid(f"data[{index}] must be an object")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise Invalid(f"Unknown field: data[{index}].{unknown[0]}")
    return item


def required_text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None or value == "":
        raise Invalid(f"{key} is required")
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{key} must be a non-empty string")
    return value


def choice(item: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = item.get(key)
    if value is None:
        return choices[0]
    if value not in choices:
        raise Invalid(f"{key} must be one of: {', '.join(choices)}")
    return str(value)


def optional_url(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise Invalid(f"Invalid {key}")
    return value


def unique_names(items: list[dict[str, Any]], key: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item[key] in seen:
            raise Invalid(f"Duplicate {key}: {item[key]}")
        seen.add(item[key])


def _first_item(fields: Collection[str]) -> Callable[[str], str]:
    def rewrite(pointer: str) -> str:
        parts = pointer.split("/")
        if len(parts) > 1 and parts[1] in fields:  # /objective_name
            return f"/data/0{pointer}"
        if len(parts) > 2 and parts[1] == "data" and parts[2] in fields:  # /data/objective_name
            return "/data/0/" + "/".join(parts[2:])
        return pointer

    return rewrite


def flat_paths(fields: Collection[str]) -> Callable[[list[Any]], list[Any]]:
    """Operations with an item field's flat path (`/objective_name`) aimed at the first item."""
    rewrite = _first_item(fields)

    def operation(op: Any) -> Any:
        if not isinstance(op, dict):
            return op  # left for the patch library to refuse
        pointers = {
            k: rewrite(v) for k, v in op.items() if k in ("path", "from") and isinstance(v, str)
        }
        return {**op, **pointers}

    return lambda ops: [operation(op) for op in ops]


def patched_set(
    current: dict[str, Any],
    operations: Any,
    *,
    id_key: str,
    fields: Collection[str],
    item_fields: Collection[str],
    validate: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any] | None:
    """The set after the patch, validated and stamped; None when nothing changed.
    `fields`: the set's writable top-level fields (`data`, and `name` for guardrails)."""
    read_only = (id_key, *SET_READ_ONLY)
    patched = patch_document(
        current,
        operations,
        writable=lambda field: field in fields,
        rewrite=flat_paths(item_fields),
    )
    if patched is None:
        return None
    try:
        checked = validate(patched)
    except Invalid as exc:
        raise bad_request(str(exc)) from exc
    return {**checked, **{key: current[key] for key in read_only}, "updated_at": iso_now()}


Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass(frozen=True)
class SetRoutes:
    """List, GET one, PATCH and DELETE, which both families serve alike; each family's own
    create is given to ``add``."""

    path: str  # "/v2/objectives"
    id_key: str
    sets: Callable[[], dict[str, dict[str, Any]]]  # the state's sets of this family, by id
    get_shape: Callable[[], str]  # the `*_get_shape` option, read at each GET
    fields: tuple[str, ...]  # the set's writable top-level fields
    item_fields: tuple[str, ...]
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    not_found: str
    updated: str

    def add(self, app: web.Application, create: Handler) -> None:
        one = f"{self.path}/{{{self.id_key}}}"
        app.router.add_post(self.path, create)
        app.router.add_get(self.path, self.index)
        app.router.add_get(one, self.show)
        app.router.add_patch(one, self.patch)
        app.router.add_delete(one, self.delete)

    def find(self, request: web.Request) -> dict[str, Any]:
        return find(self.sets(), request, self.id_key, self.not_found)

    async def index(self, request: web.Request) -> web.Response:
        return web.json_response(paginate(request, list(reversed(self.sets().values()))))

    async def show(self, request: web.Request) -> web.Response:
        return web.json_response(get_one(self.find(request), self.get_shape()))

    async def patch(self, request: web.Request) -> web.Response:
        current = self.find(request)
        patched = patched_set(
            current,
            await read_json(request),
            id_key=self.id_key,
            fields=self.fields,
            item_fields=self.item_fields,
            validate=self.validate,
        )
        if patched is None:
            return web.Response(status=304)
        self.sets()[current[self.id_key]] = patched
        return web.json_response({"message": self.updated})

    async def delete(self, request: web.Request) -> web.Response:
        del self.sets()[self.find(request)[self.id_key]]
        return web.Response(status=204)
