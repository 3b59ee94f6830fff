from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import Unauthorized

from .conftest import MakeTavus
from .mock_api import Recorder, invalid_token, ok, paged, rate_limited

ANNA: dict[str, Any] = {
    "voice_name": "anna",
    "replica_id": "r90bbd427f71",
    "audio_url": "https://cdn.test/anna.mp3",
    "tags": [{"tag_name": "female"}, {"tag_name": "en"}],
}


async def test_list_searches_and_parses(make_tavus: MakeTavus) -> None:
    answer = {"data": [ANNA], "total_count": 1, "page": 1, "limit": 10}
    recorder = Recorder(ok(answer))
    page = await make_tavus(recorder).voices.list(search="ann", sort="desc", tag="en")

    assert recorder.last.url.path == "/v2/voices"
    assert dict(recorder.last.url.params) == {
        "page": "1",
        "limit": "10",
        "search": "ann",
        "sort": "desc",
        "tag": "en",
    }
    (voice,) = page.items
    assert voice.voice_name == "anna"
    assert voice.replica_id == "r90bbd427f71"
    assert voice.audio_url == "https://cdn.test/anna.mp3"
    assert voice.tags == ("female", "en")
    assert not page.has_more


async def test_list_without_search_sends_only_paging(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [{"voice_name": "ben", "audio_url": None}]}))
    page = await make_tavus(recorder).voices.list(search="")

    assert dict(recorder.last.url.params) == {"page": "1", "limit": "10"}
    assert page.items[0].audio_url is None
    assert page.items[0].tags == ()


async def test_iter_all_walks_one_based_pages(make_tavus: MakeTavus) -> None:
    rows = [{"voice_name": f"v{i}"} for i in range(5)]
    recorder = Recorder(paged(rows))
    found = [v.voice_name async for v in make_tavus(recorder).voices.iter_all(search="v", limit=2)]

    assert found == ["v0", "v1", "v2", "v3", "v4"]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]
    assert {r.url.params["search"] for r in recorder.requests} == {"v"}


async def test_list_is_retried_and_errors_map(make_tavus: MakeTavus) -> None:
    recorder = Recorder(rate_limited, invalid_token)
    with pytest.raises(Unauthorized):
        await make_tavus(recorder).voices.list()

    assert len(recorder.requests) == 2
