from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import NotFound

from .conftest import MakeTavus
from .mock_api import Recorder, ok, paged

PERSONA: dict[str, Any] = {
    "persona_id": "p5317866",
    "persona_name": "Life Coach",
    "default_replica_id": "r79e1c033f",
    "system_prompt": "You are a coach.",
    "pipeline_mode": "full",
    "persona_type": "user",
    "layers": {"llm": {"model": "tavus-gpt-4o"}},
}


@pytest.mark.parametrize(
    "payload",
    [{"data": [PERSONA]}, {"data": PERSONA}, PERSONA],
    ids=["wrapped-list", "wrapped-object", "plain"],
)
async def test_get_unwraps_every_shape(make_tavus: MakeTavus, payload: dict[str, Any]) -> None:
    recorder = Recorder(ok(payload))
    persona = await make_tavus(recorder).personas.get("p5317866")

    assert recorder.last.url.path == "/v2/personas/p5317866"
    assert persona.persona_name == "Life Coach"
    assert persona.default_replica_id == "r79e1c033f"
    assert persona.raw["layers"]["llm"]["model"] == "tavus-gpt-4o"


async def test_get_with_empty_data_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound):
        await make_tavus(ok({"data": []})).personas.get("p1")


async def test_list_filters_by_type(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [PERSONA], "total_count": 1}))
    page = await make_tavus(recorder).personas.list(persona_type="system")

    assert dict(recorder.last.url.params) == {"page": "1", "limit": "10", "persona_type": "system"}
    assert not page.has_more


async def test_iter_all_walks_pages(make_tavus: MakeTavus) -> None:
    rows = [{**PERSONA, "persona_id": f"p{i}"} for i in range(5)]
    recorder = Recorder(paged(rows))
    found = [p.persona_id async for p in make_tavus(recorder).personas.iter_all(limit=2)]

    assert found == ["p0", "p1", "p2", "p3", "p4"]
    assert len(recorder.requests) == 3


@pytest.mark.parametrize("bad_id", ["", "p1/../x"])
async def test_get_validates_persona_id(make_tavus: MakeTavus, bad_id: str) -> None:
    recorder = Recorder(ok(PERSONA))
    with pytest.raises(ValueError, match="persona_id"):
        await make_tavus(recorder).personas.get(bad_id)

    assert recorder.requests == []
