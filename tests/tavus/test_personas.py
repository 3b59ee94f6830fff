from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import BadRequest, NotFound, Persona, ServerError, TavusError
from bot.tavus.patch import Patched, PatchOperation, add, remove, replace

from .conftest import MakeTavus
from .mock_api import (
    Handler,
    Recorder,
    invalid_patch,
    no_content,
    not_modified,
    ok,
    paged,
    unavailable,
    unreachable,
)

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


CREATED = {"persona_id": "p9", "persona_name": "Coach", "created_at": "2026-01-01T00:00:00Z"}


async def test_create_sends_every_given_field(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    persona = await make_tavus(recorder).personas.create(
        persona_name="Coach",
        system_prompt="You coach.",
        pipeline_mode="full",
        context="Slack users.",
        default_replica_id="r1",
        document_ids=("d1",),
        document_tags=["handbook"],
        objectives_id="o1",
        guardrails_id="g1",
        guardrail_ids=["g2"],
        guardrail_tags=["safety"],
        layers={
            "llm": {"model": "tavus-gpt-oss"},
            "tts": {"tts_engine": "cartesia", "external_voice_id": "v1"},
            "stt": {"stt_engine": "tavus-auto"},
            "perception": {"perception_model": "off"},
            "conversational_flow": {"turn_detection_model": "sparrow-1"},
        },
    )

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/personas")
    assert recorder.body() == {
        "persona_name": "Coach",
        "system_prompt": "You coach.",
        "pipeline_mode": "full",
        "context": "Slack users.",
        "default_replica_id": "r1",
        "document_ids": ["d1"],
        "document_tags": ["handbook"],
        "objectives_id": "o1",
        "guardrails_id": "g1",
        "guardrail_ids": ["g2"],
        "guardrail_tags": ["safety"],
        "layers": {
            "llm": {"model": "tavus-gpt-oss"},
            "tts": {"tts_engine": "cartesia", "external_voice_id": "v1"},
            "stt": {"stt_engine": "tavus-auto"},
            "perception": {"perception_model": "off"},
            "conversational_flow": {"turn_detection_model": "sparrow-1"},
        },
    }
    # Tavus answers id, name and created_at; the rest is what was sent.
    assert (persona.persona_id, persona.created_at) == ("p9", "2026-01-01T00:00:00Z")
    assert (persona.objectives_id, persona.guardrail_ids) == ("o1", ("g2",))
    assert (persona.llm_model, persona.tts_voice, persona.perception_model) == (
        "tavus-gpt-oss",
        "v1",
        "off",
    )


async def test_create_sends_only_what_was_given(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    await make_tavus(recorder).personas.create(persona_name="Echo", pipeline_mode="echo")

    assert recorder.body() == {"persona_name": "Echo", "pipeline_mode": "echo"}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"persona_name": " ", "system_prompt": "x"}, "persona_name"),
        ({"persona_name": "P"}, "system_prompt is required"),
        ({"persona_name": "P", "pipeline_mode": "full", "system_prompt": " "}, "system_prompt"),
        ({"persona_name": "P", "pipeline_mode": "turbo", "system_prompt": "x"}, "pipeline_mode"),
    ],
    ids=["blank-name", "no-prompt", "blank-prompt", "bad-mode"],
)
async def test_create_refuses_bad_input(
    make_tavus: MakeTavus, options: dict[str, Any], match: str
) -> None:
    recorder = Recorder(ok(CREATED))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).personas.create(**options)

    assert recorder.requests == []


async def test_create_refuses_a_bare_string_for_a_list(make_tavus: MakeTavus) -> None:
    with pytest.raises(TypeError, match="document_tags"):
        await make_tavus(ok(CREATED)).personas.create(
            persona_name="P", system_prompt="x", document_tags="handbook"
        )


@pytest.mark.parametrize("failure", [unavailable, unreachable], ids=["503", "unreachable"])
async def test_create_is_never_retried(make_tavus: MakeTavus, failure: Handler) -> None:
    recorder = Recorder(failure, ok(CREATED))
    with pytest.raises(TavusError):
        await make_tavus(recorder).personas.create(persona_name="P", system_prompt="x")

    assert len(recorder.requests) == 1


async def test_patch_sends_operations_as_json_and_reports_a_change(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(None))
    operations: list[PatchOperation] = [
        replace("/system_prompt", "Be brief."),
        add("/layers/llm/extra_body", {"temperature": 0.2}),
    ]
    result = await make_tavus(recorder).personas.patch("p1", operations)

    assert result is Patched.CHANGED
    assert (recorder.last.method, recorder.last.url.path) == ("PATCH", "/v2/personas/p1")
    assert recorder.last.headers["content-type"] == "application/json"
    assert recorder.body() == [
        {"op": "replace", "path": "/system_prompt", "value": "Be brief."},
        {"op": "add", "path": "/layers/llm/extra_body", "value": {"temperature": 0.2}},
    ]


async def test_patch_304_is_not_modified(make_tavus: MakeTavus) -> None:
    result = await make_tavus(not_modified).personas.patch("p1", [replace("/context", "same")])

    assert result is Patched.NOT_MODIFIED


async def test_patch_422_is_bad_request_with_tavus_message(make_tavus: MakeTavus) -> None:
    recorder = Recorder(invalid_patch)
    with pytest.raises(BadRequest) as caught:
        await make_tavus(recorder).personas.patch("p1", [replace("/nope", 1)])

    assert (caught.value.status_code, caught.value.message) == (422, "Invalid JSON patch format")
    assert not isinstance(caught.value, NotFound)
    assert len(recorder.requests) == 1


async def test_patch_unknown_persona_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound):
        await make_tavus(ok({"error": "Invalid persona_id"}, 400)).personas.patch(
            "p1", [replace("/context", "x")]
        )


async def test_idempotent_patch_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok(None))
    result = await make_tavus(recorder).personas.patch("p1", [replace("/context", "x")])

    assert result is Patched.CHANGED
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    "operation",
    [remove("/context"), add("/document_ids/-", "d2"), {"op": "move", "from": "/a", "path": "/b"}],
    ids=["remove", "append", "move"],
)
async def test_patch_that_would_act_twice_is_not_retried(
    make_tavus: MakeTavus, operation: PatchOperation
) -> None:
    recorder = Recorder(unavailable, ok(None))
    with pytest.raises(ServerError):
        await make_tavus(recorder).personas.patch("p1", [replace("/context", "x"), operation])

    assert len(recorder.requests) == 1


async def test_patch_validates_before_sending(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(None))
    with pytest.raises(ValueError, match="needs a value"):
        await make_tavus(recorder).personas.patch("p1", [{"op": "replace", "path": "/context"}])

    assert recorder.requests == []


async def test_delete_is_retried_and_maps_unknown_ids(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unreachable, no_content)
    await make_tavus(recorder).personas.delete("p1")

    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("DELETE", "/v2/personas/p1")
    ] * 2
    with pytest.raises(NotFound):
        await make_tavus(ok({"error": "Invalid persona_id"}, 400)).personas.delete("p1")


async def test_get_unknown_persona_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound):
        await make_tavus(ok({"error": "Invalid persona_id"}, 400)).personas.get("p1")


def test_persona_summarises_its_layers() -> None:
    persona = Persona.from_api(
        {
            "persona_id": "p1",
            "guardrails_id": "g1",
            "guardrail_tags": ["safety"],
            "layers": {
                "llm": {"model": "tavus-gemini-2.5-flash"},
                "tts": {
                    "tts_engine": "elevenlabs",
                    "external_voice_id": "v9",
                    "pronunciation_dictionary_id": "pd1",
                },
                "stt": {"stt_engine": "tavus-parakeet"},
                "perception": {"perception_model": "raven-1"},
                "conversational_flow": {
                    "turn_detection_model": "sparrow-1",
                    "turn_taking_patience": "high",
                },
            },
        }
    )

    assert persona.llm_model == "tavus-gemini-2.5-flash"
    assert (persona.tts_engine, persona.tts_voice) == ("elevenlabs", "v9")
    assert persona.pronunciation_dictionary_id == "pd1"
    assert persona.stt_engine == "tavus-parakeet"
    assert persona.perception_model == "raven-1"
    assert (persona.turn_detection_model, persona.turn_taking_patience) == ("sparrow-1", "high")
    assert (persona.guardrails_id, persona.guardrail_tags) == ("g1", ("safety",))


def test_persona_without_layers_summarises_nothing() -> None:
    persona = Persona.from_api({"persona_id": "p1", "layers": None})

    assert persona.layers == {}
    assert persona.llm_model is persona.tts_engine is persona.turn_detection_model is None
