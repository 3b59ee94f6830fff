"""Block Kit for personas: a listing line and the details `/tavus persona show` answers.

Personas hold long texts (a system prompt can run to pages): a preview shows the first
lines and says how long the whole is. Every Tavus value is escaped and capped first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import ID_SHOWN_MAX, fits, one_line, shown_id
from bot.blocks.text import as_text, code, escape, plain, truncate
from bot.tavus import Persona

Blocks = list[dict[str, Any]]

EDIT_ACTION = "persona_edit_button"

PREVIEW_LINES = 6
PREVIEW_CHARS = 600
NAMES_SHOWN = 10  # of a persona's documents or guardrails, by name
_VALUE_MAX = 80
_TIME_MAX = 64


@dataclass(frozen=True)
class Names:
    """Names for the ids a persona points at (an id without one is shown bare)."""

    replicas: Mapping[str, str | None] = field(default_factory=dict)
    documents: Mapping[str, str | None] = field(default_factory=dict)
    objectives: Mapping[str, str | None] = field(default_factory=dict)
    guardrails: Mapping[str, str | None] = field(default_factory=dict)
    dictionaries: Mapping[str, str | None] = field(default_factory=dict)


def named(tavus_id: str | None, names: Mapping[str, str | None]) -> str:
    """ "*Anna* `r79e1c033f`", or the bare id when its name is unknown; "—" for none."""
    if not tavus_id:
        return kit.EMPTY
    name = names.get(tavus_id)
    return f"*{one_line(name)}* {shown_id(tavus_id)}" if name else shown_id(tavus_id)


def _named_list(ids: Iterable[str], names: Mapping[str, str | None]) -> str:
    ids = list(ids)
    shown = ", ".join(named(tavus_id, names) for tavus_id in ids[:NAMES_SHOWN])
    more = len(ids) - NAMES_SHOWN
    return f"{shown} _and {more} more_" if more > 0 else shown or kit.EMPTY


def _value(value: object) -> str:
    text = as_text(value).strip()
    return code(plain(text, _VALUE_MAX)) if text else kit.EMPTY


def preview(text: object, *, lines: int = PREVIEW_LINES, chars: int = PREVIEW_CHARS) -> str:
    """The first lines of a long text as an escaped quote; "_empty_" for none."""
    value = as_text(text).strip()
    if not value:
        return "_empty_"
    head = value.splitlines()[:lines]
    shown = truncate("\n".join(head), chars)
    if shown != value and not shown.endswith("…"):
        shown += "…"
    return "\n".join(f">{escape(line)}" for line in shown.splitlines())


def length_words(text: object) -> str:
    return f"{len(as_text(text)):,} characters"


def persona_line(persona: Persona) -> str:
    """One mrkdwn line of a listing; every part is capped so the line fits one section."""
    name = one_line(persona.persona_name or "Untitled")
    line = f"{shown_id(persona.persona_id)} *{name}*"
    if persona.persona_type == "system":
        line += " · stock"
    if persona.pipeline_mode and persona.pipeline_mode != "full":
        line += f" · {one_line(persona.pipeline_mode, 20)} mode"
    if persona.default_replica_id:
        line += f" · replica {shown_id(persona.default_replica_id)}"
    return line


def _layers(persona: Persona) -> list[str]:
    tts = persona.tts_engine
    voice = persona.tts_voice
    tts_words = _value(tts) + (f", voice {_value(voice)}" if voice else "")
    stt = _value(persona.stt_engine)
    hotwords = _setting(persona, "stt", "hotwords")
    if hotwords:
        stt += f", hotwords {_value(hotwords)}"
    turns = _value(persona.turn_detection_model)
    if persona.turn_taking_patience:
        turns += f", patience {_value(persona.turn_taking_patience)}"
    return [
        f"*LLM:* {_value(persona.llm_model)}   *Perception:* {_value(persona.perception_model)}",
        f"*TTS:* {tts_words}",
        f"*STT:* {stt}   *Turn taking:* {turns}",
    ]


def _setting(persona: Persona, layer: str, key: str) -> object:
    settings = persona.layers.get(layer)
    return settings.get(key) if isinstance(settings, Mapping) else None


def _knowledge(persona: Persona, names: Names) -> list[str]:
    guardrails = [g for g in (persona.guardrails_id, *persona.guardrail_ids) if g]
    facts = [
        f"*Documents:* {_named_list(persona.document_ids, names.documents)}",
        f"*Document tags:* {_value(', '.join(persona.document_tags))}",
        f"*Objectives:* {named(persona.objectives_id, names.objectives)}   "
        f"*Guardrails:* {_named_list(guardrails, names.guardrails)}",
    ]
    dictionary = persona.pronunciation_dictionary_id
    if dictionary:
        facts.append(f"*Pronunciation dictionary:* {named(dictionary, names.dictionaries)}")
    return facts


def persona_details(persona: Persona, names: Names, *, editable: bool = True) -> tuple[str, Blocks]:
    """What `/tavus persona show` answers: who it is, its prompt, what it knows, its layers."""
    name = one_line(persona.persona_name or "Untitled persona")
    facts = [
        f"*{name}* {shown_id(persona.persona_id)}",
        f"*Type:* {_value(persona.persona_type)}   *Pipeline:* {_value(persona.pipeline_mode)}",
        f"*Default replica:* {named(persona.default_replica_id, names.replicas)}",
        f"*Created:* {one_line(persona.created_at or '—', _TIME_MAX)}   "
        f"*Updated:* {one_line(persona.updated_at or '—', _TIME_MAX)}",
    ]
    blocks: Blocks = [*kit.sections("\n".join(facts))]
    blocks.append(kit.section(_long_text("System prompt", persona.system_prompt)))
    if as_text(persona.context).strip():
        blocks.append(kit.section(_long_text("Context", persona.context)))
    blocks.append(kit.section("\n".join(_knowledge(persona, names))))
    blocks.append(kit.section("\n".join(_layers(persona))))
    blocks.append(kit.context(f"Start a call with it: {call_hint(persona.persona_id)}"))
    if editable and fits(persona.persona_id, kit.BUTTON_VALUE_MAX):
        blocks.append(
            kit.actions(kit.button("Edit", action_id=EDIT_ACTION, value=persona.persona_id))
        )
    text = f"Persona {one_line(persona.persona_name or persona.persona_id, ID_SHOWN_MAX)}"
    return kit.message(text, blocks)


def _long_text(label: str, text: object) -> str:
    return f"*{label}* ({length_words(text)}):\n{preview(text)}"


def call_hint(persona_id: str) -> str:
    return code(f"/tavus call {plain(persona_id, ID_SHOWN_MAX)}")
