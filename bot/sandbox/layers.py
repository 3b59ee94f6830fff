"""A persona's `layers`, checked as the spec states: the five layers, each known setting's
type and enum. A setting the spec does not list is kept as sent (Tavus adds settings often);
null unsets a setting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox.errors import bad_request

Check = tuple[Callable[[Any], bool], str]

PERCEPTION_MODELS = ("raven-1", "raven-0", "off")
STT_ENGINES = (
    "tavus-auto",
    "tavus-parakeet",
    "tavus-soniox",
    "tavus-whisper",
    "tavus-deepgram-medical",
    "tavus-advanced",
)
TTS_ENGINES = ("cartesia", "elevenlabs")
LEVELS = ("low", "medium", "high")
# Only raven-1 hears audio (the spec: "Only available with `raven-1`").
AUDIO_SETTINGS = ("audio_awareness_queries", "audio_tool_prompt", "audio_tools")


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _object(value: Any) -> bool:
    return isinstance(value, dict)


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _list(value: Any) -> bool:
    return isinstance(value, list)


def _choice(*choices: str) -> Check:
    return (lambda value: value in choices), f"one of: {', '.join(choices)}"


STRING: Check = (_string, "a string")
STRINGS: Check = (_strings, "a list of strings")
OBJECTS: Check = (_objects, "a list of objects")
OBJECT: Check = (_object, "an object")
BOOLEAN: Check = (_boolean, "a boolean")

LAYER_CHECKS: dict[str, dict[str, Check]] = {
    "perception": {
        "perception_model": _choice(*PERCEPTION_MODELS),
        "visual_awareness_queries": STRINGS,
        "visual_tool_prompt": STRING,
        "visual_tools": OBJECTS,
        "audio_awareness_queries": STRINGS,
        "audio_tool_prompt": STRING,
        "audio_tools": OBJECTS,
    },
    "stt": {"stt_engine": _choice(*STT_ENGINES), "hotwords": STRING},
    "conversational_flow": {
        "turn_detection_model": _choice("sparrow-1", "sparrow-0"),
        "turn_taking_patience": _choice(*LEVELS),
        "replica_interruptibility": _choice(*LEVELS),
        "voice_isolation": _choice("off", "near"),
        "wake_phrase": STRING,
        "idle_engagement": _choice("off", "patient", "eager"),
    },
    "llm": {
        "model": STRING,
        "base_url": STRING,
        "api_key": STRING,
        "speculative_inference": BOOLEAN,
        "tools": (_list, "a list"),
        "headers": OBJECT,
        "extra_body": OBJECT,
    },
    "tts": {
        "api_key": STRING,
        "tts_engine": _choice(*TTS_ENGINES),
        "external_voice_id": STRING,
        "voice_settings": OBJECT,
        "tts_emotion_control": BOOLEAN,
        "tts_model_name": STRING,
        "pronunciation_dictionary_id": STRING,
    },
}


def check_layers(layers: Any) -> dict[str, Any]:
    """`layers` (None: none) as an object, or a 400 naming the first refused setting."""
    if layers is None:
        return {}
    if not isinstance(layers, dict):
        raise bad_request("layers must be an object")
    for name, settings in layers.items():
        checks = LAYER_CHECKS.get(name)
        if checks is None:
            raise bad_request(f"Unknown layer: {name} (one of: {', '.join(LAYER_CHECKS)})")
        _check_layer(name, settings, checks)
    _check_audio(layers.get("perception") or {})
    return layers


def _check_layer(name: str, settings: Any, checks: dict[str, Check]) -> None:
    if settings is None:
        return
    if not isinstance(settings, dict):
        raise bad_request(f"layers.{name} must be an object")
    for key, value in settings.items():
        check = checks.get(key)
        if value is not None and check is not None and not check[0](value):
            raise bad_request(f"layers.{name}.{key} must be {check[1]}")


def _check_audio(perception: dict[str, Any]) -> None:
    model = perception.get("perception_model") or "raven-1"
    used = [key for key in AUDIO_SETTINGS if perception.get(key) is not None]
    if used and model != "raven-1":
        raise bad_request(f"layers.perception.{used[0]} is only available with raven-1")


def dictionary_id(layers: dict[str, Any]) -> str | None:
    """`layers.tts.pronunciation_dictionary_id`, when set."""
    tts = layers.get("tts")
    value = tts.get("pronunciation_dictionary_id") if isinstance(tts, dict) else None
    return value if isinstance(value, str) else None
