"""`tavus.dictionaries`: pronunciation dictionaries a persona's TTS layer can use.

A persona takes one in `layers.tts.pronunciation_dictionary_id`. Lists count pages from 0;
edits are JSON Patch on `/name` and `/rules`, and `rules` is always replaced whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal

from ._http import APIResource, known_fields, path_param, query, unwrap_one
from ._paging import walk_either_numbering
from .models import RULE_TYPES, Page, PronunciationDictionary, PronunciationRuleSpec
from .patch import Patched, PatchOperation, replace

PATH = "/v2/pronunciation-dictionaries"
FIRST_PAGE = 0
MAX_NAME = 255
MAX_TEXT = 200
MAX_PRONUNCIATION = 500
ID_KEY = "pronunciation_dictionary_id"
REQUIRED = ("text", "pronunciation", "type")


def _check_name(name: str) -> str:
    if not name.strip() or len(name) > MAX_NAME:
        raise ValueError(f"name must be 1 to {MAX_NAME} characters")
    return name


def _check_rule(spec: PronunciationRuleSpec) -> dict[str, Any]:
    rule = known_fields("rule", spec, PronunciationRuleSpec, REQUIRED)
    if len(rule["text"]) > MAX_TEXT:
        raise ValueError(f"rule text must be at most {MAX_TEXT} characters")
    if len(rule["pronunciation"]) > MAX_PRONUNCIATION:
        raise ValueError(f"rule pronunciation must be at most {MAX_PRONUNCIATION} characters")
    if rule["type"] not in RULE_TYPES:
        raise ValueError(f"rule type must be one of {', '.join(RULE_TYPES)}")
    return rule


def _check_rules(rules: Sequence[PronunciationRuleSpec]) -> list[dict[str, Any]]:
    if isinstance(rules, Mapping):
        raise TypeError("expected a list of rules, got a single rule")
    checked = [_check_rule(spec) for spec in rules]
    texts = [rule["text"] for rule in checked]
    if len(set(texts)) != len(texts):
        raise ValueError("two rules have the same text")
    return checked


class PronunciationDictionaries(APIResource):
    id_name = "dictionary_id"

    async def create(
        self, *, name: str, rules: Sequence[PronunciationRuleSpec] | None = None
    ) -> PronunciationDictionary:
        """Never retried: a retry could create a second dictionary."""
        body: dict[str, Any] = {"name": _check_name(name)}
        if rules is not None:
            body["rules"] = _check_rules(rules)
        return PronunciationDictionary.from_api(await self._create(PATH, body))

    async def get(self, dictionary_id: str) -> PronunciationDictionary:
        path = f"{PATH}/{path_param('dictionary_id', dictionary_id)}"
        data = await self._get_one(path)
        return PronunciationDictionary.from_api(unwrap_one(data, ID_KEY, "Dictionary"))

    async def list(
        self, *, page: int = FIRST_PAGE, limit: int = 10, sort: Literal["asc", "desc"] | None = None
    ) -> Page[PronunciationDictionary]:
        """One page (from 0); rows carry `rules_count`, not the rules."""
        return await self._get_page(
            PATH,
            PronunciationDictionary.from_api,
            page=page,
            limit=limit,
            first_page=FIRST_PAGE,
            sort=sort,
        )

    def iter_all(self, *, limit: int = 100) -> AsyncIterator[PronunciationDictionary]:
        return walk_either_numbering(
            lambda page: self._get(PATH, query(page=page, limit=limit)),
            PronunciationDictionary.from_api,
            key=lambda dictionary: dictionary.dictionary_id,
            limit=limit,
        )

    async def update(
        self,
        dictionary_id: str,
        *,
        name: str | None = None,
        rules: Sequence[PronunciationRuleSpec] | None = None,
    ) -> Patched:
        """Rename and/or replace every rule (Tavus cannot add or drop one rule alone)."""
        operations: list[PatchOperation] = []
        if name is not None:
            operations.append(replace("/name", _check_name(name)))
        if rules is not None:
            operations.append(replace("/rules", _check_rules(rules)))
        if not operations:
            raise ValueError("give name, rules or both")
        return await self.patch(dictionary_id, operations)

    async def patch(self, dictionary_id: str, operations: Sequence[PatchOperation]) -> Patched:
        path = f"{PATH}/{path_param('dictionary_id', dictionary_id)}"
        return await self._json_patch(path, operations)

    async def delete(self, dictionary_id: str) -> None:
        """Also unsets it on every persona that used it."""
        await self._delete_one(f"{PATH}/{path_param('dictionary_id', dictionary_id)}")
