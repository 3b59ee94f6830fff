"""/v2/voices: the seeded stock voices, search, tag, sort, 1-based pages echoed back."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import SEED_REPLICA_ID
from tests.sandbox.conftest import Sandbox


async def _voices(sandbox: Sandbox, **params: Any) -> dict[str, Any]:
    response = await sandbox.client.get("/v2/voices", params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _names(answer: dict[str, Any]) -> list[str]:
    return [voice["voice_name"] for voice in answer["data"]]


async def test_lists_stock_voices_by_name_with_their_replica(sandbox: Sandbox) -> None:
    answer = await _voices(sandbox)

    assert _names(answer) == ["anna", "charlie", "lucas"]
    assert (answer["total_count"], answer["page"], answer["limit"]) == (3, 1, 10)
    anna = answer["data"][0]
    assert anna["replica_id"] == SEED_REPLICA_ID
    assert anna["audio_url"].endswith("/anna.mp3")
    assert {"tag_name": "female"} in anna["tags"]


async def test_search_is_a_case_insensitive_substring(sandbox: Sandbox) -> None:
    assert _names(await _voices(sandbox, search="AN")) == ["anna"]
    assert _names(await _voices(sandbox, search="a")) == ["anna", "charlie", "lucas"]
    assert (await _voices(sandbox, search="zz"))["total_count"] == 0


async def test_tag_matches_a_whole_tag_name(sandbox: Sandbox) -> None:
    # "male" must not match "female".
    assert _names(await _voices(sandbox, tag="MALE")) == ["charlie", "lucas"]


async def test_sort_descending(sandbox: Sandbox) -> None:
    assert _names(await _voices(sandbox, sort="desc")) == ["lucas", "charlie", "anna"]


async def test_pages_count_from_one(sandbox: Sandbox) -> None:
    second = await _voices(sandbox, limit=1, page=2)

    assert _names(second) == ["charlie"]
    assert (second["total_count"], second["page"], second["limit"]) == (3, 2, 1)


async def test_voices_added_to_the_state_are_listed(sandbox: Sandbox) -> None:
    sandbox.state.voices["zoe"] = {"voice_name": "zoe", "replica_id": "rz", "tags": []}

    assert _names(await _voices(sandbox, search="zo")) == ["zoe"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"page": 0}, "Invalid page"),
        ({"limit": "ten"}, "Invalid limit"),
        ({"sort": "sideways"}, "sort must be one of: asc, desc"),
    ],
)
async def test_refused_queries(sandbox: Sandbox, params: dict[str, Any], error: str) -> None:
    response = await sandbox.client.get("/v2/voices", params=params)

    assert response.status_code == 400
    assert response.json() == {"error": error}


async def test_an_empty_list_still_echoes_page_and_limit(sandbox: Sandbox) -> None:
    sandbox.state.voices.clear()

    assert await _voices(sandbox) == {"data": [], "total_count": 0, "page": 1, "limit": 10}
