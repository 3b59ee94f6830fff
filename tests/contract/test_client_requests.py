"""Every client method sends what Tavus's OpenAPI description says it takes.

Resource groups the sandbox serves are driven against it, and each request is checked where
the sandbox receives it. Objectives, guardrails, documents and pronunciation dictionaries are
not served by the sandbox yet: their requests are captured at a MockTransport and checked
against the same schemas.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from bot.tavus import TavusClient
from bot.tavus.patch import add, remove, replace

from .conftest import RecordedSandbox
from .contract import CapturingHandler, Contract

CALLBACK = "https://app.test/tavus/callbacks/token"
Drive = Callable[[TavusClient, str], Awaitable[None]]


async def drive_conversations(tavus: TavusClient, callback_url: str) -> None:
    conversation = await tavus.conversations.create(
        persona_id=SEED_PERSONA_ID,
        replica_id=SEED_REPLICA_ID,
        audio_only=False,
        callback_url=callback_url,
        conversation_name="Standup",
        conversational_context="The weekly standup.",
        custom_greeting="Morning all",
        memory_stores=["team-standup"],
        document_retrieval_strategy="balanced",
        test_mode=True,
        require_auth=True,
        max_participants=3,
        properties={
            "max_call_duration": 600,
            "participant_left_timeout": 30,
            "participant_absent_timeout": 60,
            "enable_recording": False,
            "enable_closed_captions": True,
            "language": "english",
        },
    )
    conversation_id = conversation.conversation_id
    await tavus.conversations.get(conversation_id, verbose=True)
    await tavus.conversations.get(conversation_id)
    await tavus.conversations.list(status="ended", limit=5)
    await tavus.conversations.end(conversation_id)
    await tavus.conversations.delete(conversation_id, hard=True)


async def drive_personas(tavus: TavusClient, callback_url: str) -> None:
    persona = await tavus.personas.create(
        persona_name="Coach",
        system_prompt="You coach people.",
        pipeline_mode="full",
        context="Slack users.",
        default_replica_id=SEED_REPLICA_ID,
        layers={
            "llm": {"model": "tavus-gpt-oss", "speculative_inference": True, "tools": []},
            "tts": {"tts_engine": "cartesia", "external_voice_id": "v1", "voice_settings": {}},
            "stt": {"stt_engine": "tavus-auto", "hotwords": "Tavus"},
            "perception": {"perception_model": "raven-1", "visual_awareness_queries": ["ID?"]},
            "conversational_flow": {"turn_detection_model": "sparrow-1", "voice_isolation": "near"},
        },
    )
    persona_id = persona.persona_id
    await tavus.personas.get(persona_id)
    await tavus.personas.list(persona_type="user")
    await tavus.personas.patch(
        persona_id,
        [
            replace("/system_prompt", "You coach teams."),
            add("/layers/llm/extra_body", {"temperature": 0.5}),
            remove("/context"),
        ],
    )
    await tavus.personas.delete(persona_id)


async def drive_replicas(tavus: TavusClient, callback_url: str) -> None:
    replica = await tavus.replicas.create(
        train_video_url="https://bucket.test/train.mp4",
        consent_video_url="https://bucket.test/consent.mp4",
        replica_name="Rio",
        model_name="phoenix-3",
        callback_url=callback_url,
        properties={"background_green_screen": False},
    )
    await tavus.replicas.create(
        train_image_url="https://bucket.test/face.png",
        voice_name="anna",
        auto_fix_training_image=True,
    )
    await tavus.replicas.get(replica.replica_id, verbose=True)
    await tavus.replicas.list(
        verbose=True, replica_type="user", replica_ids=[replica.replica_id], model_name="phoenix-3"
    )
    await tavus.replicas.rename(replica.replica_id, "Rio 2")
    await tavus.replicas.delete(replica.replica_id, hard=True)


async def drive_videos(tavus: TavusClient, callback_url: str) -> None:
    video = await tavus.videos.generate(
        replica_id=SEED_REPLICA_ID,
        script="Hello there",
        video_name="Hello",
        background_url="https://example.test",
        fast=True,
        transparent_background=True,
        watermark_image_url="https://bucket.test/logo.png",
        properties={"background_scroll": True, "start_with_wave": False},
        callback_url=callback_url,
    )
    await tavus.videos.generate(replica_id=SEED_REPLICA_ID, audio_url="https://bucket.test/a.mp3")
    await tavus.videos.get(video.video_id, verbose=True)
    await tavus.videos.list()
    await tavus.videos.rename(video.video_id, "Hello again")
    await tavus.videos.delete(video.video_id, hard=True)


async def drive_lipsync(tavus: TavusClient, callback_url: str) -> None:
    lipsync = await tavus.lipsync.create(
        original_video_url="https://bucket.test/original.mp4",
        source_audio_url="https://bucket.test/voice.mp3",
        lipsync_name="Dub",
        callback_url=callback_url,
    )
    await tavus.lipsync.get(lipsync.lipsync_id)
    await tavus.lipsync.list(limit=5)
    await tavus.lipsync.delete(lipsync.lipsync_id)


async def drive_voices(tavus: TavusClient, callback_url: str) -> None:
    await tavus.voices.list(search="ann", sort="asc", tag="english")


SANDBOX_GROUPS: dict[str, Drive] = {
    "conversations": drive_conversations,
    "personas": drive_personas,
    "replicas": drive_replicas,
    "videos": drive_videos,
    "lipsync": drive_lipsync,
    "voices": drive_voices,
}


async def drive_objectives(tavus: TavusClient, callback_url: str) -> None:
    created = await tavus.objectives.create(
        [
            {
                "objective_name": "ask_if_new_patient",
                "objective_prompt": "Ask whether they have been here before.",
                "confirmation_mode": "manual",
                "output_variables": ["patient_status"],
                "modality": "verbal",
                "next_conditional_objectives": {"intake": "If they are new"},
                "callback_url": callback_url,
            },
            {
                "objective_name": "intake",
                "objective_prompt": "Take their details.",
                "confirmation_mode": "auto",
                "modality": "visual",
                "next_required_objective": "goodbye",
            },
            {"objective_name": "goodbye", "objective_prompt": "Say goodbye."},
        ]
    )
    await tavus.objectives.get(created.objectives_id)
    await tavus.objectives.list(limit=5)
    await tavus.objectives.patch(
        created.objectives_id,
        [replace("/data/0/objective_prompt", "Ask again."), remove("/data/0/callback_url")],
    )
    await tavus.objectives.delete(created.objectives_id)


async def drive_guardrails(tavus: TavusClient, callback_url: str) -> None:
    created = await tavus.guardrails.create(
        name="Healthcare compliance",
        guardrails=[
            {
                "guardrail_name": "no_medical_advice",
                "guardrail_prompt": "Never give medical advice.",
                "modality": "verbal",
                "callback_url": callback_url,
            },
            {
                "guardrail_name": "no_ids_on_camera",
                "guardrail_prompt": "No IDs.",
                "modality": "visual",
            },
        ],
    )
    await tavus.guardrails.get(created.guardrails_id)
    await tavus.guardrails.list()
    await tavus.guardrails.patch(
        created.guardrails_id, [replace("/data/0/guardrail_prompt", "Never diagnose.")]
    )
    await tavus.guardrails.delete(created.guardrails_id)


async def drive_documents(tavus: TavusClient, callback_url: str) -> None:
    document = await tavus.documents.create(
        document_url="https://docs.example.test/",
        document_name="Docs",
        tags=["docs", "website"],
        crawl={"depth": 2, "max_pages": 20},
        callback_url=callback_url,
    )
    await tavus.documents.get(document.document_id)
    await tavus.documents.list(
        sort="descending", status="ready", name_or_uuid="Docs", tags=["docs", "website"]
    )
    await tavus.documents.update(document.document_id, document_name="Docs 2", tags=["docs"])
    await tavus.documents.recrawl(document.document_id)
    await tavus.documents.recrawl(document.document_id, crawl={"depth": 3, "max_pages": 50})
    await tavus.documents.delete(document.document_id)


async def drive_dictionaries(tavus: TavusClient, callback_url: str) -> None:
    dictionary = await tavus.dictionaries.create(
        name="Brand terms",
        rules=[
            {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"},
            {
                "text": "CVI",
                "pronunciation": "ˌsiːviːˈaɪ",
                "type": "ipa",
                "case_sensitive": True,
                "word_boundaries": True,
            },
        ],
    )
    await tavus.dictionaries.get(dictionary.dictionary_id)
    await tavus.dictionaries.list(sort="asc")
    await tavus.dictionaries.update(
        dictionary.dictionary_id,
        name="Brand",
        rules=[{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}],
    )
    await tavus.dictionaries.delete(dictionary.dictionary_id)


async def drive_references(tavus: TavusClient, callback_url: str) -> None:
    """The fields that name other resources (the sandbox may check that they exist)."""
    await tavus.conversations.create(
        persona_id="p1", document_ids=["d1"], document_tags=["handbook"], test_mode=True
    )
    await tavus.personas.create(
        persona_name="Nurse",
        pipeline_mode="echo",
        document_ids=["d1"],
        document_tags=["handbook"],
        objectives_id="o1",
        guardrails_id="g1",
        guardrail_ids=["g2"],
        guardrail_tags=["safety"],
        layers={"tts": {"pronunciation_dictionary_id": "pd1"}},
    )


CAPTURED_GROUPS: dict[str, Drive] = {
    "references": drive_references,
    "objectives": drive_objectives,
    "guardrails": drive_guardrails,
    "documents": drive_documents,
    "dictionaries": drive_dictionaries,
}

# One answer every parser of the captured groups reads: each takes its own id key.
ANY_RESOURCE: dict[str, Any] = {
    "conversation_id": "c1",
    "persona_id": "p1",
    "objectives_id": "o1",
    "guardrails_id": "g1",
    "document_id": "d1",
    "pronunciation_dictionary_id": "pd1",
    "status": "ready",
}


def tavus_like(request: httpx.Request) -> httpx.Response:
    if request.method == "DELETE":
        return httpx.Response(204)
    if request.method == "GET" and request.url.path.count("/") == 2:
        return httpx.Response(200, json={"data": [ANY_RESOURCE], "total_count": 1})
    status = 202 if request.url.path.endswith("/recrawl") else 200
    return httpx.Response(status, json=ANY_RESOURCE)


@pytest.mark.parametrize("group", SANDBOX_GROUPS)
async def test_sandbox_groups_send_what_the_spec_describes(
    recorded_sandbox: RecordedSandbox, contract: Contract, group: str
) -> None:
    await SANDBOX_GROUPS[group](recorded_sandbox.tavus, recorded_sandbox.callback_url)

    assert recorded_sandbox.recorder.requests
    contract.check(recorded_sandbox.recorder.requests)


@pytest.mark.parametrize("group", CAPTURED_GROUPS)
async def test_captured_groups_send_what_the_spec_describes(contract: Contract, group: str) -> None:
    handler = CapturingHandler(tavus_like)
    async with TavusClient(api_key="k", transport=httpx.MockTransport(handler)) as tavus:
        await CAPTURED_GROUPS[group](tavus, CALLBACK)

    assert handler.requests
    contract.check(handler.requests)


async def test_every_operation_in_the_contract_is_exercised(
    recorded_sandbox: RecordedSandbox, contract: Contract
) -> None:
    """A client method added without a driver here, or a spec operation the client stopped
    calling, shows up as a difference."""
    for drive in SANDBOX_GROUPS.values():
        await drive(recorded_sandbox.tavus, recorded_sandbox.callback_url)
    handler = CapturingHandler(tavus_like)
    async with TavusClient(api_key="k", transport=httpx.MockTransport(handler)) as tavus:
        for drive in CAPTURED_GROUPS.values():
            await drive(tavus, CALLBACK)

    sent = [*recorded_sandbox.recorder.requests, *handler.requests]
    contract.check(sent)
    assert contract.covered(sent) == {operation.key for operation in contract.operations}
