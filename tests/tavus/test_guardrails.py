from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import GuardrailSet, NotFound
from bot.tavus.patch import Patched, remove, replace

from .conftest import MakeTavus
from .mock_api import Recorder, no_content, not_modified, ok, paged, unavailable

ADVICE: dict[str, Any] = {
    "guardrail_name": "no_medical_advice",
    "guardrail_prompt": "Never give medical advice.",
    "modality": "verbal",
    "callback_url": "https://app.test/tavus/callbacks/tok",
}
IDS: dict[str, Any] = {"guardrail_name": "no_ids", "guardrail_prompt": "No IDs on camera."}
CREATED = {
    "guardrails_id": "g12345",
    "guardrails_name": "Healthcare",
    "status": "active",
    "created_at": "2024-01-15T10:30:00Z",
}
# A newer single guardrail, as the notes describe it.
SINGLE: dict[str, Any] = {
    "uuid": "3f1c9a",
    "guardrail_name": "no_competitors",
    "guardrail_prompt": "Never mention competitors.",
    "modality": "verbal",
    "callback_url": None,
    "tags": ["sales", "brand"],
    "created_at": "2025-03-01T00:00:00Z",
}


async def test_create_sends_a_named_set_in_the_spec_shape(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    created = await make_tavus(recorder).guardrails.create(
        name="Healthcare", guardrails=[ADVICE, IDS]
    )  # type: ignore[list-item]

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/guardrails")
    assert recorder.body() == {"name": "Healthcare", "data": [ADVICE, IDS]}
    assert (created.guardrails_id, created.name, created.single) == ("g12345", "Healthcare", False)
    assert [g.guardrail_name for g in created.guardrails] == ["no_medical_advice", "no_ids"]


async def test_create_is_never_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok(CREATED))
    with pytest.raises(Exception, match="503"):
        await make_tavus(recorder).guardrails.create(name="S", guardrails=[IDS])  # type: ignore[list-item]

    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("name", "guardrails", "match"),
    [
        (" ", [IDS], "name is required"),
        ("S", [], "at least one"),
        ("S", [{**IDS, "guardrail_name": "no ids"}], "letters, digits or underscores"),
        ("S", [{**IDS, "guardrail_name": "x" * 101}], "up to 100"),
        ("S", [{**IDS, "guardrail_prompt": "x" * 1001}], "at most 1000"),
        ("S", [{**IDS, "guardrails_prompt": "typo"}], "unknown field"),
        ("S", [{"guardrail_name": "x"}], "guardrail_prompt required"),
        ("S", [{**IDS, "modality": "conversational"}], "modality"),
        ("S", [IDS, IDS], "unique"),
    ],
    ids=[
        "blank-set-name",
        "empty",
        "spaces",
        "long-name",
        "long-prompt",
        "plural-prompt-typo",
        "no-prompt",
        "modality",
        "duplicate",
    ],
)
async def test_create_refuses_bad_guardrails(
    make_tavus: MakeTavus, name: str, guardrails: list[Any], match: str
) -> None:
    recorder = Recorder(ok(CREATED))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).guardrails.create(name=name, guardrails=guardrails)

    assert recorder.requests == []


@pytest.mark.parametrize(
    "payload",
    [
        {"data": ADVICE},
        {"data": [ADVICE]},
        {"guardrails_id": "g12345", "name": "Healthcare", "data": [ADVICE]},
    ],
    ids=["object", "list", "whole-set"],
)
async def test_get_reads_a_legacy_set_however_wrapped(
    make_tavus: MakeTavus, payload: dict[str, Any]
) -> None:
    recorder = Recorder(ok(payload))
    found = await make_tavus(recorder).guardrails.get("g12345")

    assert recorder.last.url.path == "/v2/guardrails/g12345"
    assert (found.guardrails_id, found.single) == ("g12345", False)
    (guardrail,) = found.guardrails
    assert guardrail.guardrail_prompt == "Never give medical advice."
    assert (guardrail.modality, guardrail.guardrail_id) == ("verbal", None)


async def test_get_reads_a_newer_single_guardrail(make_tavus: MakeTavus) -> None:
    found = await make_tavus(ok({"data": SINGLE})).guardrails.get("3f1c9a")

    assert (found.guardrails_id, found.single) == ("3f1c9a", True)
    (guardrail,) = found.guardrails
    assert (guardrail.guardrail_id, guardrail.tags) == ("3f1c9a", ("sales", "brand"))


async def test_list_reads_both_generations(make_tavus: MakeTavus) -> None:
    legacy_row = {"guardrails_id": "g1", "created_at": "t1", "updated_at": "t2"}
    recorder = Recorder(ok({"data": [legacy_row, SINGLE], "total_count": 2}))
    page = await make_tavus(recorder).guardrails.list()

    legacy, single = page.items
    assert (legacy.guardrails_id, legacy.single, legacy.guardrails) == ("g1", False, ())
    assert (legacy.created_at, legacy.updated_at) == ("t1", "t2")
    assert (single.guardrails_id, single.name, single.single) == ("3f1c9a", "no_competitors", True)
    assert single.created_at == "2025-03-01T00:00:00Z"
    assert dict(recorder.last.url.params) == {"page": "1", "limit": "10"}


async def test_iter_all_walks_pages(make_tavus: MakeTavus) -> None:
    rows = [{"guardrails_id": f"g{i}"} for i in range(3)]
    found = [s.guardrails_id async for s in make_tavus(paged(rows)).guardrails.iter_all(limit=2)]

    assert found == ["g0", "g1", "g2"]


def test_legacy_prompt_spelling_is_read() -> None:
    data = {"guardrails_id": "g1", "data": [{"guardrail_name": "x", "guardrails_prompt": "old"}]}

    assert GuardrailSet.from_api(data).guardrails[0].guardrail_prompt == "old"


async def test_unknown_set_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound):
        await make_tavus(ok({"error": "Invalid guardrails_id"}, 400)).guardrails.delete("g1")


async def test_patch_and_delete(make_tavus: MakeTavus) -> None:
    recorder = Recorder(not_modified, unavailable, no_content)
    tavus = make_tavus(recorder)
    result = await tavus.guardrails.patch("g1", [remove("/data/0/callback_url")])
    await tavus.guardrails.delete("g1")

    assert result is Patched.NOT_MODIFIED
    assert recorder.body(0) == [{"op": "remove", "path": "/data/0/callback_url"}]
    assert [r.method for r in recorder.requests] == ["PATCH", "DELETE", "DELETE"]


async def test_patch_changed(make_tavus: MakeTavus) -> None:
    result = await make_tavus(ok({"message": "Guardrails updated successfully"})).guardrails.patch(
        "g1", [replace("/data/0/guardrail_prompt", "Never diagnose.")]
    )

    assert result is Patched.CHANGED
