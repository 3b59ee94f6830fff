from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import NotFound, ObjectiveSet, ObjectiveSpec, ServerError
from bot.tavus.patch import Patched, replace

from .conftest import MakeTavus
from .mock_api import Recorder, no_content, not_modified, ok, paged, unavailable, unreachable

ASK: dict[str, Any] = {
    "objective_name": "ask_if_new_patient",
    "objective_prompt": "Ask whether they have been here before.",
    "confirmation_mode": "auto",
    "output_variables": ["patient_status"],
    "modality": "verbal",
    "next_conditional_objectives": {"intake": "If they are new"},
    "callback_url": "https://app.test/tavus/callbacks/tok",
}
INTAKE: dict[str, Any] = {
    "objective_name": "intake",
    "objective_prompt": "Take their details.",
    "next_required_objective": "goodbye",
}
GOODBYE: dict[str, Any] = {"objective_name": "goodbye", "objective_prompt": "Say goodbye."}
CREATED = {
    "objectives_id": "o12345",
    "objective_name": "New Objectives",
    "status": "active",
    "created_at": "2024-01-15T10:30:00Z",
}


async def test_create_sends_the_spec_shape_and_keeps_what_was_sent(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    objectives: list[ObjectiveSpec] = [ASK, INTAKE, GOODBYE]  # type: ignore[list-item]
    created = await make_tavus(recorder).objectives.create(objectives)

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/objectives")
    assert recorder.body() == {"data": [ASK, INTAKE, GOODBYE]}
    assert (created.objectives_id, created.status) == ("o12345", "active")
    assert [o.objective_name for o in created.objectives] == [
        "ask_if_new_patient",
        "intake",
        "goodbye",
    ]
    assert created.objectives[1].next_required_objectives == ("goodbye",)


async def test_create_is_never_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unreachable, ok(CREATED))
    with pytest.raises(Exception, match="Could not reach Tavus"):
        await make_tavus(recorder).objectives.create([GOODBYE])  # type: ignore[list-item]

    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("objectives", "match"),
    [
        ([], "at least one"),
        ([{**GOODBYE, "objective_name": "say goodbye"}], "without spaces"),
        ([{"objective_name": "x"}], "objective_prompt required"),
        ([{**GOODBYE, "confirmation_mode": "automatic"}], "confirmation_mode"),
        ([{**GOODBYE, "modality": "conversational"}], "modality"),
        ([{**GOODBYE, "next_required_objectives": ["a"]}], "unknown field"),
        ([INTAKE], "not in this set: goodbye"),
        ([{**ASK}, GOODBYE], "not in this set: intake"),
        ([GOODBYE, GOODBYE], "unique"),
    ],
    ids=[
        "empty",
        "spaces",
        "no-prompt",
        "automatic",
        "conversational",
        "plural-next",
        "dangling-next",
        "dangling-conditional",
        "duplicate",
    ],
)
async def test_create_refuses_bad_objectives(
    make_tavus: MakeTavus, objectives: list[Any], match: str
) -> None:
    recorder = Recorder(ok(CREATED))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).objectives.create(objectives)

    assert recorder.requests == []


async def test_create_refuses_a_single_objective(make_tavus: MakeTavus) -> None:
    with pytest.raises(TypeError, match="list of objectives"):
        await make_tavus(ok(CREATED)).objectives.create(GOODBYE)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [{"data": {**ASK, "created_at": "t1"}}, {"data": [{**ASK, "created_at": "t1"}]}],
    ids=["object", "list"],
)
async def test_get_reads_both_wrappings(make_tavus: MakeTavus, payload: dict[str, Any]) -> None:
    recorder = Recorder(ok(payload))
    found = await make_tavus(recorder).objectives.get("o12345")

    assert recorder.last.url.path == "/v2/objectives/o12345"
    assert found.objectives_id == "o12345"
    assert found.created_at == "t1"
    (objective,) = found.objectives
    assert objective.objective_name == "ask_if_new_patient"
    assert (objective.confirmation_mode, objective.modality) == ("auto", "verbal")
    assert objective.output_variables == ("patient_status",)
    assert objective.next_conditional_objectives == {"intake": "If they are new"}


async def test_get_unknown_set_is_not_found(make_tavus: MakeTavus) -> None:
    for answer in (
        ok({"error": "Invalid objectives_id"}, 400),
        ok({"error": "Objective not found"}, 404),
    ):
        with pytest.raises(NotFound):
            await make_tavus(answer).objectives.get("o1")


async def test_list_rows_are_flat_objectives_with_their_set_id(make_tavus: MakeTavus) -> None:
    rows = [{**GOODBYE, "objectives_id": f"o{i}", "updated_at": "t"} for i in range(3)]
    recorder = Recorder(paged(rows))
    found = [s async for s in make_tavus(recorder).objectives.iter_all(limit=2)]

    assert [s.objectives_id for s in found] == ["o0", "o1", "o2"]
    assert found[0].objectives[0].objective_prompt == "Say goodbye."
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2"]


def test_objective_reads_the_plural_next_objectives() -> None:
    data = {"objectives_id": "o1", "data": [{**GOODBYE, "next_required_objectives": ["a", "b"]}]}

    assert ObjectiveSet.from_api(data).objectives[0].next_required_objectives == ("a", "b")


def test_objective_set_without_any_id_is_refused() -> None:
    with pytest.raises(KeyError):
        ObjectiveSet.from_api({"data": [GOODBYE]})


async def test_patch_sends_json_patch_and_reports_304(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"message": "Objective updated successfully"}), not_modified)
    tavus = make_tavus(recorder)
    first = await tavus.objectives.patch("o1", [replace("/data/0/objective_prompt", "Ask.")])
    second = await tavus.objectives.patch("o1", [replace("/data/0/objective_prompt", "Ask.")])

    assert (first, second) == (Patched.CHANGED, Patched.NOT_MODIFIED)
    assert recorder.body(0) == [
        {"op": "replace", "path": "/data/0/objective_prompt", "value": "Ask."}
    ]
    assert recorder.last.url.path == "/v2/objectives/o1"


async def test_delete_is_retried_patch_of_a_replace_too(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, no_content)
    await make_tavus(recorder).objectives.delete("o1")
    assert len(recorder.requests) == 2

    recorder = Recorder(unavailable, ok(None))
    await make_tavus(recorder).objectives.patch("o1", [replace("/objective_name", "x")])
    assert len(recorder.requests) == 2


async def test_patch_gives_up_after_retries(make_tavus: MakeTavus) -> None:
    with pytest.raises(ServerError):
        await make_tavus(unavailable, max_retries=1).objectives.patch(
            "o1", [replace("/objective_name", "x")]
        )
