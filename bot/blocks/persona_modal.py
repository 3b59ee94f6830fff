"""The "New persona" and "Edit persona" modals, the change preview, and reading them back.

The edit form is prefilled from the persona as Tavus has it. A value the form cannot show
whole (a prompt longer than a Slack field holds, an id too long for an option) is left out
with a note, so submitting the form never cuts it: change it with the JSON Patch field.
Every id field is a shared picker (``bot.blocks.pickers``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot import personas as edits
from bot.blocks import kit, pickers
from bot.blocks.conversations import fits, one_line, shown_id
from bot.blocks.personas import Names, length_words, preview
from bot.blocks.text import as_text, code, escape, plain
from bot.domain import personas as domain

NEW_CALLBACK = "persona_new"
EDIT_CALLBACK = "persona_edit"
APPLY_CALLBACK = "persona_apply"

B_NAME, B_PROMPT, B_MODE, B_CONTEXT = "persona_name", "system_prompt", "pipeline_mode", "context"
B_REPLICA, B_DOCUMENTS, B_TAGS = "default_replica", "documents", "document_tags"
B_OBJECTIVES, B_GUARDRAILS = "objectives", "guardrails"
B_LLM, B_TTS_ENGINE, B_TTS_VOICE = "llm_model", "tts_engine", "tts_voice"
B_DICTIONARY, B_PERCEPTION, B_HOTWORDS = "dictionary", "perception_model", "stt_hotwords"
B_PATCH = "json_patch"

# Which place in the persona each block edits.
PATHS = {
    B_NAME: edits.NAME,
    B_PROMPT: edits.PROMPT,
    B_MODE: edits.MODE,
    B_CONTEXT: edits.CONTEXT,
    B_REPLICA: edits.REPLICA,
    B_DOCUMENTS: edits.DOCUMENTS,
    B_TAGS: edits.TAGS,
    B_OBJECTIVES: edits.OBJECTIVES,
    B_GUARDRAILS: edits.GUARDRAILS,
    B_LLM: edits.LLM_MODEL,
    B_TTS_ENGINE: edits.TTS_ENGINE,
    B_TTS_VOICE: edits.TTS_VOICE,
    B_DICTIONARY: edits.DICTIONARY,
    B_PERCEPTION: edits.PERCEPTION,
    B_HOTWORDS: edits.HOTWORDS,
}
BLOCKS = {path: block for block, path in PATHS.items()}

TEXT_MAX = kit.TEXT_INPUT_MAX  # what a Slack text field holds
NAME_MAX = 200
SHORT_MAX = 500
CHANGES_SHOWN = 20
_VALUE_SHOWN = 200

MODE_WORDS = {
    "full": "Full: an LLM answers (needs a system prompt)",
    "echo": "Echo: speaks the text or audio it is sent",
}
PATCH_HINT = (
    'RFC 6902 operations, e.g. [{"op": "replace", "path": "/layers/llm/model", '
    '"value": "tavus-gpt-oss"}]. Applied after the fields above; you see every change '
    "before it is sent."
)

Block = dict[str, Any]
View = dict[str, Any]
Values = Mapping[str, Mapping[str, Any]]


# -- the form --------------------------------------------------------------------------------


def new_persona_modal() -> View:
    return kit.modal(
        title="New persona",
        blocks=_fields(None, Names()),
        callback_id=NEW_CALLBACK,
        submit="Create",
        close="Cancel",
    )


def edit_persona_modal(persona: Mapping[str, Any], names: Names, *, private_metadata: str) -> View:
    """Prefilled from ``persona`` (as GET answered it), with the JSON Patch field last."""
    shown = edits.form_values(persona)
    title = one_line(persona.get("persona_name") or "Untitled persona")
    intro = kit.section(f"Editing *{title}* {shown_id(persona.get('persona_id'))}")
    patch = kit.input_block(
        B_PATCH,
        "Advanced: JSON Patch",
        kit.plain_text_input(
            action_id=B_PATCH,
            multiline=True,
            max_length=edits.MAX_PATCH_TEXT,
            placeholder='[{"op": "replace", "path": "/context", "value": "…"}]',
        ),
        optional=True,
        hint=PATCH_HINT,
    )
    view = kit.modal(
        title="Edit persona",
        blocks=[intro, *_fields(shown, names), patch],
        callback_id=EDIT_CALLBACK,
        submit="Review changes",
        close="Cancel",
        private_metadata=private_metadata,
    )
    view["notify_on_close"] = True  # a form closed unsent lets go of what it kept
    return view


def _fields(shown: Mapping[str, Any] | None, names: Names) -> list[Block]:
    values = shown or {}
    return [
        *_text(B_NAME, "Name", values, optional=False, limit=NAME_MAX),
        _mode(values.get(edits.MODE)),
        *_text(
            B_PROMPT,
            "System prompt",
            values,
            multiline=True,
            hint="Required in full mode. How the persona behaves: role, tone, what to do.",
        ),
        *_text(B_CONTEXT, "Context", values, multiline=True),
        *_picker(B_REPLICA, "Default replica", pickers.REPLICA_PICKER, values, names.replicas),
        *_multi(B_DOCUMENTS, "Documents", pickers.DOCUMENT_PICKER, values, names.documents),
        *_text(
            B_TAGS,
            "Document tags",
            values,
            hint="Documents with these tags, comma-separated: onboarding, pricing",
        ),
        *_picker(B_OBJECTIVES, "Objectives", pickers.OBJECTIVES_PICKER, values, names.objectives),
        *_picker(B_GUARDRAILS, "Guardrails", pickers.GUARDRAILS_PICKER, values, names.guardrails),
        *_choice(B_LLM, "LLM model", domain.LLM_MODELS, values),
        *_choice(B_TTS_ENGINE, "Text-to-speech engine", domain.TTS_ENGINES, values),
        *_text(
            B_TTS_VOICE,
            "Text-to-speech voice",
            values,
            limit=SHORT_MAX,
            hint="The engine's voice id (Cartesia or ElevenLabs); empty: the replica's voice.",
        ),
        *_picker(
            B_DICTIONARY,
            "Pronunciation dictionary",
            pickers.DICTIONARY_PICKER,
            values,
            names.dictionaries,
        ),
        *_choice(B_PERCEPTION, "Perception model", domain.PERCEPTION_MODELS, values),
        *_text(
            B_HOTWORDS,
            "Speech-to-text hotwords",
            values,
            multiline=True,
            hint="Names and terms to transcribe right: Roey is the person you speak with.",
        ),
    ]


def _too_long(block_id: str, label: str, value: object) -> list[Block]:
    return _left_out(label, PATHS[block_id], f"is {length_words(value)}, more than Slack shows")


def _left_out(label: str, path: str, why: str) -> list[Block]:
    """A value the form cannot hold whole: left out, so submitting never cuts it."""
    return [
        kit.context(
            f"*{escape(label)}* {why}, so it is not in this form: change it with the JSON Patch "
            f"field ({code(path)})."
        )
    ]


def _text(
    block_id: str,
    label: str,
    values: Mapping[str, Any],
    *,
    optional: bool = True,
    multiline: bool = False,
    limit: int = TEXT_MAX,
    hint: str | None = None,
) -> list[Block]:
    value = values.get(PATHS[block_id])
    if isinstance(value, tuple):
        if tags(", ".join(value)) != value:  # a tag with a space or comma would come back split
            return _left_out(label, PATHS[block_id], "holds tags this field cannot show")
        value = ", ".join(value)
    if value is not None and (len(value) > limit or as_text(value) != value):
        return _too_long(block_id, label, value)
    element = kit.plain_text_input(
        action_id=block_id, initial_value=value, multiline=multiline, max_length=limit
    )
    return [kit.input_block(block_id, label, element, optional=optional, hint=hint)]


def _mode(current: str | None) -> Block:
    """Full unless the persona says otherwise; a mode Tavus added since is kept as it is."""
    words = dict(MODE_WORDS)
    if current is not None and current not in words and fits(current, kit.OPTION_VALUE_MAX):
        words[current] = current
    options = [kit.option(label, mode) for mode, label in words.items()]
    initial = next((o for o in options if o["value"] == current), options[0])
    element = kit.static_select(
        action_id=B_MODE, placeholder="Pipeline mode", options=options, initial_option=initial
    )
    return kit.input_block(B_MODE, "Pipeline mode", element)


def _choice(
    block_id: str, label: str, choices: Sequence[str], values: Mapping[str, Any]
) -> list[Block]:
    """A menu of ``choices``; a persona's other value (its own LLM, say) is kept as an option."""
    current = values.get(PATHS[block_id])
    listed = list(choices)
    if current is not None and current not in listed:
        if not fits(current, kit.OPTION_VALUE_MAX):
            return _too_long(block_id, label, current)
        listed.append(current)
    options = [kit.option(choice, choice) for choice in listed]
    initial = next((o for o in options if o["value"] == current), None)
    element = kit.static_select(
        action_id=block_id, placeholder="Tavus's default", options=options, initial_option=initial
    )
    return [kit.input_block(block_id, label, element, optional=True)]


def _picker(
    block_id: str,
    label: str,
    action_id: str,
    values: Mapping[str, Any],
    names: Mapping[str, str | None],
) -> list[Block]:
    current = values.get(PATHS[block_id])
    if current is not None and pickers.choice_option(None, current) is None:
        return _too_long(block_id, label, current)
    initial = (names.get(current), current) if current is not None else None
    return [
        pickers.picker_input(
            block_id, label, action_id, placeholder="Type to search", initial=initial, optional=True
        )
    ]


def _multi(
    block_id: str,
    label: str,
    action_id: str,
    values: Mapping[str, Any],
    names: Mapping[str, str | None],
) -> list[Block]:
    current = values.get(PATHS[block_id]) or ()
    shown = [pickers.choice_option(None, tavus_id) for tavus_id in current]
    if len(current) > kit.OPTIONS_MAX or None in shown:
        return _left_out(label, PATHS[block_id], "holds ids a Slack menu cannot show")
    block = pickers.multi_picker_input(
        block_id,
        label,
        action_id,
        placeholder="Type to search",
        initial=[(names.get(tavus_id), tavus_id) for tavus_id in current],
    )
    return [block]


# -- reading it back -------------------------------------------------------------------------


def _state(values: Values, block_id: str) -> Mapping[str, Any]:
    return next(iter(values.get(block_id, {}).values()), None) or {}


def _read(values: Values, block_id: str) -> Any:
    state = _state(values, block_id)
    if PATHS[block_id] in edits.LIST_PATHS and block_id != B_TAGS:
        return pickers.chosen_all(values, block_id)
    if "selected_option" in state:
        return pickers.chosen(values, block_id)
    raw = state.get("value")
    text = raw.strip() if isinstance(raw, str) else ""
    if block_id == B_TAGS:
        return tags(text)
    return text or None


def tags(text: str) -> tuple[str, ...]:
    """ "#onboarding, pricing" -> ("onboarding", "pricing"), without repeats."""
    words = (word.strip().lstrip("#") for word in text.replace(",", " ").split())
    return tuple(dict.fromkeys(word for word in words if word))


def read_form(values: Values) -> edits.Form:
    """The submitted fields, by path: only the fields the form held (see ``_too_long``)."""
    return {PATHS[block]: _read(values, block) for block in PATHS if block in values}


def read_patch(values: Values) -> str | None:
    raw = _state(values, B_PATCH).get("value")
    return raw.strip() or None if isinstance(raw, str) else None


# -- the preview -----------------------------------------------------------------------------


def preview_view(
    persona: Mapping[str, Any], changes: Sequence[edits.Change], *, private_metadata: str
) -> View:
    """Every change, before -> after, with "Apply" as the only way to send them."""
    name = one_line(persona.get("persona_name") or "Untitled persona")
    count = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    intro = f"Applying sends {count} to *{name}* {shown_id(persona.get('persona_id'))} in Tavus:"
    blocks: list[Block] = [kit.section(intro)]
    for change in changes[:CHANGES_SHOWN]:
        blocks.append(kit.section(change_text(change)))
    if len(changes) > CHANGES_SHOWN:
        blocks.append(kit.context(f"…and {len(changes) - CHANGES_SHOWN} more."))
    blocks.append(kit.context("Nothing is sent until you click Apply."))
    view = kit.modal(
        title="Review changes",
        blocks=blocks,
        callback_id=APPLY_CALLBACK,
        submit="Apply",
        close="Cancel",
        private_metadata=private_metadata,
    )
    view["notify_on_close"] = True
    return view


def change_text(change: edits.Change) -> str:
    """One field's change as mrkdwn: short values inline, long texts as previews."""
    label = f"*{code(change.path)}*"
    before, after = change.before, change.after
    if _long(before) or _long(after):
        sizes = f"({length_words(before or '')} → {length_words(after or '')})"
        return f"{label} {sizes}\n_Before:_\n{_shown(before)}\n_After:_\n{_shown(after)}"
    return f"{label}\n{_inline(before)} → {_inline(after)}"


def _long(value: object) -> bool:
    return isinstance(value, str) and (len(value) > _VALUE_SHOWN or "\n" in value)


def _shown(value: object) -> str:
    return preview(value) if isinstance(value, str) else _inline(value)


def _inline(value: object) -> str:
    if value is None:
        return "_not set_"
    if isinstance(value, str):
        return code(plain(value, _VALUE_SHOWN)) if value.strip() else "_empty_"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(code(plain(item, 80)) for item in value[:20]) or "_none_"
    return code(plain(json.dumps(value, ensure_ascii=False), _VALUE_SHOWN))


# -- progress and results --------------------------------------------------------------------


def message_view(title: str, text: str) -> View:
    """A modal that only says something: ``text`` is mrkdwn, escaped by the caller."""
    return kit.modal(title=title, blocks=kit.sections(text), close="Close")
