"""/v2/pronunciation-dictionaries: create, get, list, JSON Patch, delete.

A dictionary is `{pronunciation_dictionary_id, name, rules, rules_count, created_at,
updated_at}`; a rule `{text, pronunciation, type: alias|ipa, case_sensitive (false),
word_boundaries (true)}`, no two with the same `text`. Create answers 201 with the whole
dictionary; the list (pages from 0, `page` and `limit` echoed, `sort` by creation, `desc`
by default) leaves `rules` out. PATCH may change `name` and `rules` only, and answers the
whole dictionary (422 for a bad patch, 304 for no change). Delete unsets the dictionary in
every persona using it. An unknown id is 404 `{"message": ...}`; a refused body 400
`{"error": "Invalid request: ..."}`.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from bot.sandbox.errors import ApiError, api_message, bad_request, read_json, read_object
from bot.sandbox.pagination import paginate
from bot.sandbox.patching import patch_document
from bot.sandbox.personas import forget_dictionary
from bot.sandbox.state import SandboxState, iso_now

ID_KEY = "pronunciation_dictionary_id"
WRITABLE = ("name", "rules")
RULE_FIELDS = ("text", "pronunciation", "type", "case_sensitive", "word_boundaries")
RULE_TYPES = ("alias", "ipa")
MAX_NAME, MAX_TEXT, MAX_PRONUNCIATION = 255, 200, 500
SORTS = ("asc", "desc")
NOT_FOUND = "Pronunciation dictionary not found"
DUPLICATES = "duplicate text values in rules"


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _DictionaryHandlers(state)
    path = "/v2/pronunciation-dictionaries"
    app.router.add_post(path, handlers.create)
    app.router.add_get(path, handlers.index)
    app.router.add_get(path + "/{dictionary_id}", handlers.show)
    app.router.add_patch(path + "/{dictionary_id}", handlers.patch)
    app.router.add_delete(path + "/{dictionary_id}", handlers.delete)


# Validation


def _invalid(message: str) -> ApiError:
    return bad_request(f"Invalid request: {message}")


def _text(value: Any, key: str, limit: int) -> str:
    if value is None or value == "":
        raise _invalid(f"{key} is required")
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{key} must be a non-empty string")
    if len(value) > limit:
        raise _invalid(f"{key} must be at most {limit} characters")
    return value


def _flag(rule: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = rule.get(key, default)
    if not isinstance(value, bool):
        raise _invalid(f"{where}.{key} must be a boolean")
    return value


def _rule(rule: Any, index: int) -> dict[str, Any]:
    where = f"rules[{index}]"
    if not isinstance(rule, dict):
        raise _invalid(f"{where} must be an object")
    unknown = sorted(set(rule) - set(RULE_FIELDS))
    if unknown:
        raise _invalid(f"unknown field {where}.{unknown[0]}")
    if rule.get("type") not in RULE_TYPES:
        raise _invalid(f"{where}.type must be one of: alias, ipa")
    pronunciation = rule.get("pronunciation")
    return {
        "text": _text(rule.get("text"), f"{where}.text", MAX_TEXT),
        "pronunciation": _text(pronunciation, f"{where}.pronunciation", MAX_PRONUNCIATION),
        "type": rule["type"],
        "case_sensitive": _flag(rule, "case_sensitive", where, False),
        "word_boundaries": _flag(rule, "word_boundaries", where, True),
    }


def _rules(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid("rules must be a list")
    rules = [_rule(rule, index) for index, rule in enumerate(value)]
    texts = [rule["text"] for rule in rules]
    if len(set(texts)) != len(texts):
        raise _invalid(DUPLICATES)
    return rules


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    """`name` and `rules` checked, defaults filled, `rules_count` counted."""
    rules = _rules(body.get("rules"))
    name = _text(body.get("name"), "name", MAX_NAME)
    return {"name": name, "rules": rules, "rules_count": len(rules)}


def _listed(dictionary: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in dictionary.items() if key != "rules"}


class _DictionaryHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request) -> dict[str, Any]:
        dictionary = self.state.dictionaries.get(request.match_info["dictionary_id"])
        if dictionary is None:
            raise api_message(404, NOT_FOUND)
        return dictionary

    async def create(self, request: web.Request) -> web.Response:
        body = await read_object(request)
        unknown = sorted(set(body) - set(WRITABLE))
        if unknown:
            raise _invalid(f"unknown field {unknown[0]}")
        now = iso_now()
        dictionary = {
            ID_KEY: "pd_" + secrets.token_hex(7),
            **_checked(body),
            "created_at": now,
            "updated_at": now,
        }
        self.state.dictionaries[dictionary[ID_KEY]] = dictionary
        return web.json_response(dictionary, status=201)

    async def index(self, request: web.Request) -> web.Response:
        sort = request.query.get("sort") or "desc"
        if sort not in SORTS:
            raise _invalid("sort must be one of: asc, desc")
        dictionaries = [_listed(d) for d in self.state.dictionaries.values()]
        if sort == "desc":
            dictionaries.reverse()
        return web.json_response(paginate(request, dictionaries, first_page=0, echo=True))

    async def show(self, request: web.Request) -> web.Response:
        return web.json_response(self._find(request))

    async def patch(self, request: web.Request) -> web.Response:
        current = self._find(request)
        operations = await read_json(request)
        patched = patch_document(current, operations, writable=lambda field: field in WRITABLE)
        if patched is None:
            return web.Response(status=304)
        updated = {**current, **_checked(patched), "updated_at": iso_now()}
        self.state.dictionaries[current[ID_KEY]] = updated
        return web.json_response(updated)

    async def delete(self, request: web.Request) -> web.Response:
        dictionary = self._find(request)
        del self.state.dictionaries[dictionary[ID_KEY]]
        forget_dictionary(self.state, dictionary[ID_KEY])
        return web.Response(status=204)
