"""Personas: what a persona is made of, in Tavus's words, and what an edit may touch.

A persona has no lifecycle and sends no callbacks: Tavus answers its create at once. One
made from Slack is stored (as finished) only so its creator owns it: they may then edit and
delete it; any other persona is an admin's to change.
"""

from __future__ import annotations

KIND = "persona"
ID_KEY = "persona_id"
CREATED = "created"  # the stored resource's status
DELETED = "deleted"

# `/tavus personas user|system`
TYPES = ("user", "system")

PIPELINE_MODES = ("full", "echo")
DEFAULT_PIPELINE_MODE = "full"
# `echo` speaks what it is sent: no LLM, so no prompt to require.
MODES_NEEDING_PROMPT = frozenset({"full"})

# Fields Tavus sets itself and refuses to change in a PATCH.
READ_ONLY_FIELDS = frozenset({"persona_id", "persona_type", "created_at", "updated_at"})

# Every field a persona has (the spec, plus the newer guardrail fields).
FIELDS = (
    "persona_id",
    "persona_name",
    "persona_type",
    "system_prompt",
    "pipeline_mode",
    "context",
    "default_replica_id",
    "document_ids",
    "document_tags",
    "objectives_id",
    "guardrails_id",
    "guardrail_ids",
    "guardrail_tags",
    "layers",
    "created_at",
    "updated_at",
)

# The settings of each layer (bot/tavus/layers.py), for "did you mean" on a JSON Patch path.
LAYER_SETTINGS: dict[str, tuple[str, ...]] = {
    "llm": (
        "model",
        "base_url",
        "api_key",
        "speculative_inference",
        "tools",
        "headers",
        "extra_body",
    ),
    "tts": (
        "api_key",
        "tts_engine",
        "external_voice_id",
        "voice_settings",
        "tts_emotion_control",
        "tts_model_name",
        "pronunciation_dictionary_id",
    ),
    "stt": ("stt_engine", "hotwords"),
    "perception": (
        "perception_model",
        "visual_awareness_queries",
        "visual_tool_prompt",
        "visual_tools",
        "audio_awareness_queries",
        "audio_tool_prompt",
        "audio_tools",
    ),
    "conversational_flow": (
        "turn_detection_model",
        "turn_taking_patience",
        "replica_interruptibility",
        "voice_isolation",
        "wake_phrase",
        "idle_engagement",
    ),
}

# The Tavus-hosted LLMs the spec names (the first is its recommended start). A persona may
# name another model (its own LLM): the edit form keeps it.
LLM_MODELS = (
    "tavus-gpt-oss",
    "tavus-gemini-2.5-flash",
    "tavus-claude-haiku-4.5",
    "tavus-gpt-5.2",
    "tavus-gemini-3-flash",
)
TTS_ENGINES = ("cartesia", "elevenlabs")
PERCEPTION_MODELS = ("raven-1", "raven-0", "off")


def known_children(path: str) -> tuple[str, ...]:
    """The names the spec gives the members of the object at ``path`` (none: it says nothing)."""
    if path == "":
        return FIELDS
    if path == "/layers":
        return tuple(LAYER_SETTINGS)
    layer = path.removeprefix("/layers/")
    return LAYER_SETTINGS.get(layer, ()) if path.startswith("/layers/") else ()


def _known_paths() -> frozenset[str]:
    layers = {f"/layers/{name}" for name in LAYER_SETTINGS}
    settings = {f"/layers/{name}/{key}" for name, keys in LAYER_SETTINGS.items() for key in keys}
    return frozenset({*(f"/{field}" for field in FIELDS), *layers, *settings})


# Every JSON Pointer the spec gives a persona: its fields, its layers, their settings.
KNOWN_PATHS = _known_paths()
