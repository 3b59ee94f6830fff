"""The "New persona" and "Edit persona" modals, the change preview, and reading them back.

The edit form is prefilled from the persona as Tavus has it. A value the form cannot show
whole (a prompt longer than a Slack field holds, an id too long for an option) is left out
with a note, so submitting the form never cuts it: change it with the JSON Patch field.
Every id field is a shared picker (``bot.blocks.pickers``).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from bot import personas as edits
from bot.blocks import kit, pickers
from bot.blocks.conversations import fits, one_line, shown_id
from bot.blocks.personas import Names, length_words
from bot.blocks.text import as_text, code, escape
from bot.domain import personas as domain
from bot.patching import same

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
INLINE_MAX = 200  # a value this short, on one line, is shown inline: `before` → `after`
CONTEXT_LINES = 2  # unchanged lines shown around the changed ones of a long text
HIDDEN_CHANGED = "(hidden, changed)"
HIDDEN_NEW = "(hidden, new)"
_BACKTICK_RUN = re.compile(r"`(?=`)")

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


class PreviewTooLong(ValueError):
    """The changes do not fit one modal: the message says so, for the person editing."""


def preview_view(
    persona: Mapping[str, Any],
    changes: Sequence[edits.Change],
    *,
    operations: int,
    private_metadata: str,
) -> View:
    """Every change ``operations`` make, whole, with "Apply" as the only way to send them.
    PreviewTooLong when they do not fit one modal: a partial preview would hide some of
    what Apply sends."""
    blocks = [
        kit.section(_intro(persona, operations)),
        *_change_blocks(changes),
        kit.context("Nothing is sent until you click Apply."),
    ]
    if len(blocks) > kit.VIEW_BLOCKS_MAX:
        raise PreviewTooLong(
            f"These changes are too long to show whole in one Slack window ({len(blocks)} "
            f"parts; it holds {kit.VIEW_BLOCKS_MAX}), and nothing is sent unseen. Split them "
            "into smaller edits: apply some now, the rest after."
        )
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


def _intro(persona: Mapping[str, Any], operations: int) -> str:
    name = one_line(persona.get("persona_name") or "Untitled persona")
    count = f"{operations} JSON Patch operation{'s' if operations != 1 else ''}"
    where = f"*{name}* {shown_id(persona.get('persona_id'))}"
    return f"Applying sends {count} to {where} in Tavus. Every change they make, in full:"


def _change_blocks(changes: Sequence[edits.Change]) -> list[Block]:
    """The changes as few sections as hold them: short ones share one, long ones span several."""
    chunks: list[str] = []
    for text in map(change_text, changes):
        if chunks and len(chunks[-1]) + 2 + len(text) <= kit.SECTION_TEXT_MAX:
            chunks[-1] += "\n\n" + text
        else:
            chunks.append(text)
    return [block for chunk in chunks for block in kit.sections(chunk)]


def change_text(change: edits.Change) -> str:
    """One field's change as mrkdwn, whole: short values inline, `before` → `after`; longer
    ones as a line diff. A secret is never shown, only that it changed."""
    label = f"*{_path_shown(change.path)}*"
    before, after = change.before, change.after
    if same(before, after):  # only a secret inside it changed
        return f"{label}\n{edits.HIDDEN} → {HIDDEN_CHANGED}"
    if edits.secret_path(change.path) and (_has_hidden(before) or _has_hidden(after)):
        return f"{label}\n{_secret_change(before, after)}"
    text = f"{label}\n{_values(before, after)}"
    return text + "\n_A hidden value in it changed too._" if change.hidden else text


def _secret_change(before: object, after: object) -> str:
    """Whether a secret is set, before and after, never what it is."""
    if before is None:
        return f"_not set_ → {HIDDEN_NEW}"
    return f"{edits.HIDDEN} → {'_not set_' if after is None else HIDDEN_CHANGED}"


def _has_hidden(value: object) -> bool:
    if isinstance(value, Mapping):
        return any(_has_hidden(member) for member in value.values())
    if isinstance(value, list):
        return any(_has_hidden(item) for item in value)
    return value == edits.HIDDEN


def _values(before: object, after: object) -> str:
    """`before` → `after` when both fit on a line; else their sizes and a line diff. A
    string that becomes a number (or the other way) is shown as JSON: "5" is not 5."""
    as_json = None not in (before, after) and isinstance(before, str) != isinstance(after, str)
    old, new = _inline(before, as_json), _inline(after, as_json)
    if old is not None and new is not None:
        return f"{old} → {new}"
    sizes = f"({_size(before, as_json)} → {_size(after, as_json)})"
    return f"{sizes}\n{_diff(_lines(before, as_json), _lines(after, as_json))}"


def _inline(value: object, as_json: bool) -> str | None:
    """The value as inline code, or None when it would not read as it is (too long, on
    several lines, with a backtick, invisible characters or spaces at either end)."""
    if value is None:
        return "_not set_"
    if value == "" and not as_json:
        return "_empty_"
    text = _as_text(value, as_json)
    if len(text) > INLINE_MAX or "`" in text or text != text.strip() or _visible(text) != text:
        return None
    return code(text)


def _as_text(value: object, as_json: bool) -> str:
    if isinstance(value, str) and not as_json:
        return value
    return json.dumps(value, ensure_ascii=False)


def _lines(value: object, as_json: bool) -> list[str]:
    """A text's lines (split at "\\n" only, so a stray "\\r" shows); JSON, indented."""
    if value is None:
        return []
    if isinstance(value, str) and not as_json:
        return value.split("\n")
    return json.dumps(value, ensure_ascii=False, indent=2).split("\n")


def _size(value: object, as_json: bool) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list):
        return f"{len(value):,} item{'s' if len(value) != 1 else ''}"
    return length_words(_as_text(value, as_json))


def _diff(old: list[str], new: list[str]) -> str:
    """The changed lines, `-` and `+`, with a little context, in one code block."""
    lines = list(difflib.unified_diff(old, new, lineterm="", n=CONTEXT_LINES))[2:]
    shown = (
        line if line.startswith("@@") else f"{line[0]} {_code_line(line[1:])}" for line in lines
    )
    return "```\n" + "\n".join(shown) + "\n```"


def _code_line(text: str) -> str:
    """Safe inside a code block: escaped, and no run of backticks that would end it."""
    return _BACKTICK_RUN.sub("`\u200b", escape(_visible(text)))


def _path_shown(path: str) -> str:
    visible = _visible(path)
    return code(visible) if "`" not in visible else f"```{_code_line(path)}```"


def _visible(text: str) -> str:
    """``text`` with what would not show made visible: control and format characters (a
    right-to-left override can disguise a line) and spaces or tabs at the end of a line."""
    body = text.rstrip(" \t")
    tail = text[len(body) :].replace(" ", "\u2420").replace("\t", "\u2409")
    return "".join(map(_visible_char, body)) + tail


def _visible_char(char: str) -> str:
    if char in "\t\u200d":  # a tab shows; a joiner holds an emoji sequence together
        return char
    category = unicodedata.category(char)
    if category == "Cc" and ord(char) < 0x20:
        return chr(0x2400 + ord(char))  # the Control Pictures: ␀ … ␟
    if category in ("Cc", "Cf", "Co", "Zl", "Zp"):
        return f"⟨U+{ord(char):04X}⟩"
    return char


# -- progress and results --------------------------------------------------------------------


def message_view(title: str, text: str) -> View:
    """A modal that only says something: ``text`` is mrkdwn, escaped by the caller."""
    return kit.modal(title=title, blocks=kit.sections(text), close="Close")
