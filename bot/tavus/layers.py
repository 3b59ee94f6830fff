"""`layers` of POST /v2/personas: one TypedDict per CVI pipeline layer, named as the spec does.

Turn taking lives in `conversational_flow` (it used to be part of `stt`).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "ConversationalFlowLayer",
    "LLMLayer",
    "PerceptionLayer",
    "PersonaLayers",
    "STTLayer",
    "TTSLayer",
]

Level = Literal["low", "medium", "high"]


class LLMLayer(TypedDict, total=False):
    """A Tavus-hosted `model`, or your own OpenAI-compatible one with `base_url` and `api_key`."""

    model: str
    base_url: str
    api_key: str
    speculative_inference: bool
    tools: list[dict[str, Any]]
    headers: dict[str, str]
    extra_body: dict[str, Any]


class TTSLayer(TypedDict, total=False):
    api_key: str
    tts_engine: Literal["cartesia", "elevenlabs"]
    external_voice_id: str
    voice_settings: dict[str, Any]
    tts_emotion_control: bool
    tts_model_name: str
    pronunciation_dictionary_id: str


class STTLayer(TypedDict, total=False):
    stt_engine: Literal[
        "tavus-auto",
        "tavus-parakeet",
        "tavus-soniox",
        "tavus-whisper",
        "tavus-deepgram-medical",
        "tavus-advanced",
    ]
    hotwords: str


class PerceptionLayer(TypedDict, total=False):
    """`perception_model: "off"` turns perception (and its callbacks) off."""

    perception_model: Literal["raven-1", "raven-0", "off"]
    visual_awareness_queries: list[str]
    visual_tool_prompt: str
    visual_tools: list[dict[str, Any]]
    audio_awareness_queries: list[str]
    audio_tool_prompt: str
    audio_tools: list[dict[str, Any]]


class ConversationalFlowLayer(TypedDict, total=False):
    """Turn taking. Unset, all of it is off; setting any field gives the rest defaults."""

    turn_detection_model: Literal["sparrow-1", "sparrow-0"]
    turn_taking_patience: Level
    replica_interruptibility: Level
    voice_isolation: Literal["off", "near"]
    wake_phrase: str
    idle_engagement: Literal["off", "patient", "eager"]


class PersonaLayers(TypedDict, total=False):
    llm: LLMLayer
    tts: TTSLayer
    stt: STTLayer
    perception: PerceptionLayer
    conversational_flow: ConversationalFlowLayer
