from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import NotFound, PronunciationDictionary
from bot.tavus.patch import Patched

from .conftest import MakeTavus
from .mock_api import (
    Recorder,
    invalid_patch,
    no_content,
    not_modified,
    ok,
    paged_from_zero,
    unavailable,
)

TAVUS: dict[str, Any] = {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}
CVI: dict[str, Any] = {
    "text": "CVI",
    "pronunciation": "siː viː aɪ",
    "type": "ipa",
    "case_sensitive": True,
    "word_boundaries": False,
}
DICTIONARY: dict[str, Any] = {
    "pronunciation_dictionary_id": "pd_abc123",
    "name": "Brand Terms",
    "rules": [TAVUS, CVI],
    "rules_count": 2,
    "created_at": "2025-01-15T10:30:00Z",
    "updated_at": "2025-01-15T10:30:00Z",
}


async def test_create_sends_name_and_rules(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(DICTIONARY, status_code=201))
    created = await make_tavus(recorder).dictionaries.create(name="Brand Terms", rules=[TAVUS, CVI])  # type: ignore[list-item]

    assert (recorder.last.method, recorder.last.url.path) == (
        "POST",
        "/v2/pronunciation-dictionaries",
    )
    assert recorder.body() == {"name": "Brand Terms", "rules": [TAVUS, CVI]}
    assert (created.dictionary_id, created.rules_count) == ("pd_abc123", 2)
    assert created.rules[1].type == "ipa"
    assert (created.rules[1].case_sensitive, created.rules[1].word_boundaries) == (True, False)


async def test_create_without_rules_sends_the_name_only(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({**DICTIONARY, "rules": [], "rules_count": 0}, status_code=201))
    await make_tavus(recorder).dictionaries.create(name="Empty")

    assert recorder.body() == {"name": "Empty"}


async def test_create_is_never_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok(DICTIONARY))
    with pytest.raises(Exception, match="503"):
        await make_tavus(recorder).dictionaries.create(name="Brand")

    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("name", "rules", "match"),
    [
        ("", None, "name must be"),
        ("x" * 256, None, "name must be"),
        ("B", [{**TAVUS, "type": "phoneme"}], "alias, ipa"),
        ("B", [{**TAVUS, "text": "x" * 201}], "200"),
        ("B", [{**TAVUS, "pronunciation": "x" * 501}], "500"),
        ("B", [{"text": "Tavus", "type": "alias"}], "pronunciation required"),
        ("B", [{**TAVUS, "ignore_case": True}], "unknown field"),
        ("B", [TAVUS, {**TAVUS, "pronunciation": "TAY-vus"}], "same text"),
    ],
    ids=["blank", "long-name", "type", "long-text", "long-pronunciation", "missing", "typo", "dup"],
)
async def test_create_refuses_bad_input(
    make_tavus: MakeTavus, name: str, rules: list[Any] | None, match: str
) -> None:
    recorder = Recorder(ok(DICTIONARY))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).dictionaries.create(name=name, rules=rules)

    assert recorder.requests == []


async def test_get_and_missing(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(DICTIONARY))
    found = await make_tavus(recorder).dictionaries.get("pd_abc123")

    assert recorder.last.url.path == "/v2/pronunciation-dictionaries/pd_abc123"
    assert [rule.text for rule in found.rules] == ["Tavus", "CVI"]
    missing = ok({"message": "Pronunciation dictionary not found"}, 404)
    with pytest.raises(NotFound):
        await make_tavus(missing).dictionaries.get("pd_x")


async def test_list_rows_carry_a_count_and_pages_count_from_zero(make_tavus: MakeTavus) -> None:
    row = {key: DICTIONARY[key] for key in ("pronunciation_dictionary_id", "name", "rules_count")}
    recorder = Recorder(ok({"data": [row], "total_count": 1, "page": 0, "limit": 10}))
    page = await make_tavus(recorder).dictionaries.list(sort="asc")

    assert dict(recorder.last.url.params) == {"page": "0", "limit": "10", "sort": "asc"}
    (dictionary,) = page.items
    assert (dictionary.rules, dictionary.rules_count) == ((), 2)
    assert not page.has_more


async def test_iter_all_walks_from_page_zero(make_tavus: MakeTavus) -> None:
    rows = [{"pronunciation_dictionary_id": f"pd{i}"} for i in range(3)]
    recorder = Recorder(paged_from_zero(rows, total_count=3))
    found = [d.dictionary_id async for d in make_tavus(recorder).dictionaries.iter_all(limit=2)]

    assert found == ["pd0", "pd1", "pd2"]
    assert [r.url.params["page"] for r in recorder.requests] == ["0", "1"]


async def test_update_replaces_name_and_rules_with_json_patch(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok(DICTIONARY))
    result = await make_tavus(recorder).dictionaries.update("pd1", name="Brand", rules=[TAVUS])  # type: ignore[list-item]

    assert result is Patched.CHANGED
    assert (recorder.last.method, recorder.last.url.path) == (
        "PATCH",
        "/v2/pronunciation-dictionaries/pd1",
    )
    assert recorder.body() == [
        {"op": "replace", "path": "/name", "value": "Brand"},
        {"op": "replace", "path": "/rules", "value": [TAVUS]},
    ]
    assert len(recorder.requests) == 2  # a replace is safe to send again


async def test_update_304_and_422(make_tavus: MakeTavus) -> None:
    assert (
        await make_tavus(not_modified).dictionaries.update("pd1", name="Same")
        is Patched.NOT_MODIFIED
    )
    with pytest.raises(Exception, match="Invalid JSON patch format"):
        await make_tavus(invalid_patch).dictionaries.update("pd1", rules=[])


async def test_update_needs_something(make_tavus: MakeTavus) -> None:
    with pytest.raises(ValueError, match="name, rules or both"):
        await make_tavus(ok(DICTIONARY)).dictionaries.update("pd1")


async def test_delete(make_tavus: MakeTavus) -> None:
    recorder = Recorder(no_content)
    await make_tavus(recorder).dictionaries.delete("pd1")

    assert (recorder.last.method, recorder.last.url.path) == (
        "DELETE",
        "/v2/pronunciation-dictionaries/pd1",
    )


def test_rules_count_defaults_to_the_rules_sent() -> None:
    dictionary = PronunciationDictionary.from_api(
        {"pronunciation_dictionary_id": "pd1", "rules": [TAVUS]}
    )

    assert dictionary.rules_count == 1
    assert dictionary.rules[0].case_sensitive is None
