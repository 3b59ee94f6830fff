from __future__ import annotations

from typing import Any

import pytest

from .conftest import MakeTavus
from .mock_api import Recorder, ok, paged

REPLICA: dict[str, Any] = {
    "replica_id": "r783537ef5",
    "replica_name": "My Replica",
    "thumbnail_video_url": "https://example.test/thumb.mp4",
    "training_progress": "100/100",
    "status": "completed",
    "created_at": "2024-01-24T07:14:03.327Z",
    "updated_at": "2024-01-24T07:14:03.327Z",
    "error_message": None,
    "replica_type": "user",
    "model_name": "phoenix-3",
}


async def test_get_parses_a_replica(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(REPLICA))
    replica = await make_tavus(recorder).replicas.get("r783537ef5", verbose=True)

    assert recorder.last.url.path == "/v2/replicas/r783537ef5"
    assert recorder.last.url.params["verbose"] == "true"
    assert replica.training_progress == "100/100"
    assert replica.model_name == "phoenix-3"
    assert replica.is_ready


async def test_list_sends_only_given_filters(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [REPLICA], "total_count": 1}))
    await make_tavus(recorder).replicas.list()
    await make_tavus(recorder).replicas.list(verbose=True, replica_type="system")

    first, second = (dict(r.url.params) for r in recorder.requests)
    assert first == {"page": "1", "limit": "10"}
    assert second == {"page": "1", "limit": "10", "verbose": "true", "replica_type": "system"}


async def test_iter_all_walks_pages(make_tavus: MakeTavus) -> None:
    rows = [{**REPLICA, "replica_id": f"r{i}"} for i in range(5)]
    recorder = Recorder(paged(rows))
    found = [r.replica_id async for r in make_tavus(recorder).replicas.iter_all(limit=2)]

    assert found == ["r0", "r1", "r2", "r3", "r4"]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]


@pytest.mark.parametrize("bad_id", ["", "r1/name"])
async def test_get_validates_replica_id(make_tavus: MakeTavus, bad_id: str) -> None:
    recorder = Recorder(ok(REPLICA))
    with pytest.raises(ValueError, match="replica_id"):
        await make_tavus(recorder).replicas.get(bad_id)

    assert recorder.requests == []
