"""Block Kit builders that stay inside Slack's limits whatever text they are handed.

Text from users or Tavus can be 100,000 characters long and hostile. Display text is capped
(plain_text) or split into several blocks (mrkdwn sections); identifiers and values that come
back to the app (action values, option values, block and callback ids, private_metadata)
raise ``ValueError`` instead, because a truncated id would act on the wrong thing.

mrkdwn input is assumed escaped already (``bot.blocks.text.escape``): the kit measures,
caps and splits it, and never cuts inside an entity such as ``&amp;`` or a ``<...>`` token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.blocks.text import ELLIPSIS, as_text, plain, truncate

Block = dict[str, Any]

# Slack's limits, from docs.slack.dev/reference/block-kit (blocks, block elements,
# composition objects) and /reference/views/modal-views. One place, named once.
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
TEXT_MAX = 3000
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_MAX = 2000
HEADER_TEXT_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
URL_MAX = 3000
ID_MAX = 255
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
RADIO_OPTIONS_MAX = 10
OPTION_GROUPS_MAX = 100
OPTION_GROUP_LABEL_MAX = 75
PLACEHOLDER_MAX = 150
TEXT_INPUT_MAX = 3000
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30
MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3000
# chat.update refuses a `text` over 4,000 characters (msg_too_long); some reports count
# UTF-8 bytes instead, so the fallback is capped in bytes and either reading holds.
FALLBACK_TEXT_MAX_BYTES = 4000
# Undocumented for section blocks: chat.postMessage answers msg_blocks_too_long from about
# 12,000 characters of text in the blocks (slackapi/bolt-js#2509), and a post of 11,341 was
# refused (#2867), so a message keeps well under it.
BLOCKS_TEXT_BUDGET = 10_000

EMPTY = "—"
STYLES = ("primary", "danger")
_SPLIT_MIN = 16
_CLOSE_FENCE = "\n```"
_REOPEN_FENCE = "```\n"
_REOPEN_QUOTE = ">>> "
# Never cut inside these: an entity, a <...> link or mention, or a ``` / >>> marker.
_UNCUTTABLE = re.compile(r"&[#0-9A-Za-z]{1,10};|<[^<>\n]*>|```|>>>")
_QUOTE_OPENER = re.compile(r"(?:^|\n)>>>")
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


# -- composition objects ---------------------------------------------------------------------


def plain_text(text: object, limit: int = TEXT_MAX) -> Block:
    """A plain_text object: whitespace collapsed, capped at ``limit``, never empty."""
    return {"type": "plain_text", "text": plain(text, limit)}


def mrkdwn(text: object, limit: int = TEXT_MAX) -> Block:
    """A mrkdwn object capped at ``limit``; a cut closes an open code block."""
    return {"type": "mrkdwn", "text": _fit_mrkdwn(text, limit)}


def confirm_dialog(
    title: object, text: object, confirm: object, deny: object, style: str | None = None
) -> Block:
    dialog: Block = {
        "title": plain_text(title, CONFIRM_TITLE_MAX),
        "text": plain_text(text, CONFIRM_TEXT_MAX),
        "confirm": plain_text(confirm, CONFIRM_BUTTON_MAX),
        "deny": plain_text(deny, CONFIRM_BUTTON_MAX),
    }
    return _with_style(dialog, style)


def option(label: object, value: str) -> Block:
    return {
        "text": plain_text(label, OPTION_TEXT_MAX),
        "value": _exact(value, "option value", OPTION_VALUE_MAX),
    }


def option_group(label: object, options: Sequence[Block]) -> Block:
    """Up to 100 options under a label; later ones are dropped (use an external select)."""
    return {
        "label": plain_text(label, OPTION_GROUP_LABEL_MAX),
        "options": list(options[:OPTIONS_MAX]),
    }


# -- blocks ----------------------------------------------------------------------------------


def sections(text: object) -> list[Block]:
    """As many section blocks as a long mrkdwn text needs, split where it reads well."""
    return [_section_block(chunk) for chunk in split_mrkdwn(text, SECTION_TEXT_MAX)] or [
        _section_block(EMPTY)
    ]


def section(text: object, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block = _section_block(_fit_mrkdwn(text, SECTION_TEXT_MAX))
    if accessory is not None:
        block["accessory"] = accessory
    return _with_block_id(block, block_id)


def fields_section(*texts: object, block_id: str | None = None) -> Block:
    """Two-column mrkdwn fields; past ten, the tenth says how many more there were."""
    fields = [mrkdwn(text, SECTION_FIELD_MAX) for text in texts[:SECTION_FIELDS_MAX]]
    if len(texts) > SECTION_FIELDS_MAX:
        hidden = len(texts) - SECTION_FIELDS_MAX + 1
        fields[-1] = mrkdwn(f"_…and {hidden} more_")
    block: Block = {"type": "section", "fields": fields or [mrkdwn(EMPTY)]}
    return _with_block_id(block, block_id)


def header(text: object, *, block_id: str | None = None) -> Block:
    return _with_block_id({"type": "header", "text": plain_text(text, HEADER_TEXT_MAX)}, block_id)


def context(*mrkdwn_texts: object, block_id: str | None = None) -> Block:
    """Small grey text; beyond ten pieces, the rest share the tenth element."""
    texts = [as_text(text) for text in mrkdwn_texts if as_text(text).strip()] or [EMPTY]
    if len(texts) > CONTEXT_ELEMENTS_MAX:
        last = CONTEXT_ELEMENTS_MAX - 1
        texts = [*texts[:last], "   ".join(texts[last:])]
    elements = [mrkdwn(text) for text in texts]
    return _with_block_id({"type": "context", "elements": elements}, block_id)


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: Block, block_id: str | None = None) -> Block:
    if not 1 <= len(elements) <= ACTIONS_ELEMENTS_MAX:
        raise ValueError(f"an actions block holds 1 to {ACTIONS_ELEMENTS_MAX} elements")
    return _with_block_id({"type": "actions", "elements": list(elements)}, block_id)


def input_block(
    block_id: str,
    label: object,
    element: Block,
    *,
    optional: bool = False,
    hint: object | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": _exact(block_id, "block_id", ID_MAX),
        "label": plain_text(label, INPUT_LABEL_MAX),
        "element": element,
        "optional": optional,
    }
    if hint is not None:
        block["hint"] = plain_text(hint, INPUT_HINT_MAX)
    return block


# -- block elements --------------------------------------------------------------------------


def button(
    text: object,
    *,
    action_id: str,
    value: str | None = None,
    url: str | None = None,
    style: str | None = None,
    confirm: Block | None = None,
) -> Block:
    element: Block = {
        "type": "button",
        "action_id": _exact(action_id, "action_id", ID_MAX),
        "text": plain_text(text, BUTTON_TEXT_MAX),
    }
    if value is not None:
        element["value"] = _exact(value, "button value", BUTTON_VALUE_MAX, allow_empty=True)
    if url is not None:
        element["url"] = _exact(url, "button url", URL_MAX)
    if confirm is not None:
        element["confirm"] = confirm
    return _with_style(element, style)


def static_select(
    *,
    action_id: str,
    placeholder: object,
    options: Sequence[Block] = (),
    option_groups: Sequence[Block] = (),
    initial_option: Block | None = None,
    confirm: Block | None = None,
) -> Block:
    """A menu of up to 100 options (or 100 groups); the rest are dropped, so order matters."""
    if bool(options) == bool(option_groups):
        raise ValueError("a static select needs options or option_groups, not both")
    element = _select("static_select", action_id, placeholder, confirm)
    if options:
        element["options"] = kept = list(options[:OPTIONS_MAX])
    else:
        element["option_groups"] = list(option_groups[:OPTION_GROUPS_MAX])
        kept = [item for group in element["option_groups"] for item in group["options"]]
    if initial_option is not None and initial_option in kept:
        element["initial_option"] = initial_option
    return element


def external_select(
    *,
    action_id: str,
    placeholder: object,
    min_query_length: int | None = None,
    initial_option: Block | None = None,
    confirm: Block | None = None,
) -> Block:
    element = _select("external_select", action_id, placeholder, confirm)
    if min_query_length is not None:
        element["min_query_length"] = max(0, min_query_length)
    if initial_option is not None:
        element["initial_option"] = initial_option
    return element


def multi_external_select(
    *,
    action_id: str,
    placeholder: object,
    min_query_length: int | None = None,
    initial_options: Sequence[Block] = (),
    max_selected_items: int | None = None,
    confirm: Block | None = None,
) -> Block:
    """Several choices from a type-ahead list; past 100 preselected options the rest are
    dropped, and ``max_selected_items`` is held to at least 1."""
    element = _select("multi_external_select", action_id, placeholder, confirm)
    if min_query_length is not None:
        element["min_query_length"] = max(0, min_query_length)
    if initial_options:
        element["initial_options"] = list(initial_options[:OPTIONS_MAX])
    if max_selected_items is not None:
        element["max_selected_items"] = max(1, max_selected_items)
    return element


def multi_static_select(
    *,
    action_id: str,
    placeholder: object,
    options: Sequence[Block],
    initial_options: Sequence[Block] = (),
) -> Block:
    """Several of up to 100 options; initial options not among them are dropped."""
    element = _select("multi_static_select", action_id, placeholder, None)
    element["options"] = kept = list(options[:OPTIONS_MAX])
    chosen = [option for option in initial_options if option in kept]
    if chosen:
        element["initial_options"] = chosen
    return element


def radio_buttons(
    *, action_id: str, options: Sequence[Block], initial_option: Block | None = None
) -> Block:
    """One of at most ten choices (Slack's limit for radio buttons)."""
    if not 1 <= len(options) <= RADIO_OPTIONS_MAX:
        raise ValueError(f"radio buttons hold 1 to {RADIO_OPTIONS_MAX} options")
    element: Block = {
        "type": "radio_buttons",
        "action_id": _exact(action_id, "action_id", ID_MAX),
        "options": list(options),
    }
    if initial_option is not None and initial_option in options:
        element["initial_option"] = initial_option
    return element


def plain_text_input(
    *,
    action_id: str,
    placeholder: object | None = None,
    initial_value: object | None = None,
    multiline: bool = False,
    min_length: int | None = None,
    max_length: int | None = None,
) -> Block:
    """A text field; ``max_length`` is held to Slack's 1..3000 and the initial value to it."""
    element: Block = {
        "type": "plain_text_input",
        "action_id": _exact(action_id, "action_id", ID_MAX),
        "multiline": multiline,
    }
    longest = TEXT_INPUT_MAX if max_length is None else min(max(max_length, 1), TEXT_INPUT_MAX)
    if max_length is not None:
        element["max_length"] = longest
    if min_length is not None:
        element["min_length"] = min(max(min_length, 0), longest)
    if placeholder is not None:
        element["placeholder"] = plain_text(placeholder, PLACEHOLDER_MAX)
    if initial_value is not None and (value := as_text(initial_value)):
        element["initial_value"] = truncate(value, longest)
    return element


# -- surfaces --------------------------------------------------------------------------------


def message(text: object, blocks: Sequence[Block]) -> tuple[str, list[Block]]:
    """A message's fallback text and blocks, both within what Slack accepts.

    Past 50 blocks, or past the text budget, the overflow becomes one final section that
    says how many parts were left out, so the message still posts.
    """
    fallback = _cap_bytes(as_text(text), FALLBACK_TEXT_MAX_BYTES)
    kept = _fit_blocks(blocks, MESSAGE_BLOCKS_MAX, BLOCKS_TEXT_BUDGET)
    return (fallback if fallback.strip() or kept else EMPTY), kept


def modal(
    *,
    title: object,
    blocks: Sequence[Block],
    callback_id: str | None = None,
    submit: object | None = None,
    close: object | None = None,
    private_metadata: str | None = None,
    external_id: str | None = None,
) -> Block:
    view: Block = {
        "type": "modal",
        "title": plain_text(title, MODAL_TITLE_MAX),
        "blocks": _fit_blocks(blocks, VIEW_BLOCKS_MAX),
    }
    if submit is not None:
        view["submit"] = plain_text(submit, MODAL_BUTTON_MAX)
    elif any(block.get("type") == "input" for block in view["blocks"]):
        raise ValueError("a modal with input blocks needs a submit label")
    if close is not None:
        view["close"] = plain_text(close, MODAL_BUTTON_MAX)
    _set_exact(view, "callback_id", callback_id, ID_MAX)
    _set_exact(view, "private_metadata", private_metadata, PRIVATE_METADATA_MAX)
    _set_exact(view, "external_id", external_id, ID_MAX)
    return view


def home(blocks: Sequence[Block]) -> Block:
    return {"type": "home", "blocks": _fit_blocks(blocks, VIEW_BLOCKS_MAX)}


# -- splitting mrkdwn ------------------------------------------------------------------------


def split_mrkdwn(text: object, limit: int) -> list[str]:
    """Cut mrkdwn into pieces of at most ``limit`` characters that each render on their own.

    Cuts fall at a newline, else a space, else anywhere outside an entity, a ``<...>`` token
    or a grapheme. A ``>>>`` quote or a code block that spans a cut is re-opened in the next
    piece, and the code block closed at the end of this one.
    """
    if limit < _SPLIT_MIN:
        raise ValueError(f"cannot split mrkdwn into pieces under {_SPLIT_MIN} characters")
    rest, reopen, chunks = as_text(text), "", []
    while rest:
        if len(reopen) + len(rest) <= limit:
            chunks.append(reopen + rest)
            break
        room = limit - len(reopen)
        end, start = _cut(rest, room)
        if (reopen + rest[:end]).count("```") % 2:
            end, start = _cut(rest, room - len(_CLOSE_FENCE))  # room to close the code block
        body, rest = reopen + rest[:end], rest[start:]
        in_code = body.count("```") % 2 == 1
        chunks.append(body + _CLOSE_FENCE if in_code else body)
        reopen = (_REOPEN_QUOTE if _QUOTE_OPENER.search(body) else "") + (
            _REOPEN_FENCE if in_code else ""
        )
    return [chunk for chunk in chunks if chunk.strip()]


def _cut(text: str, window: int) -> tuple[int, int]:
    """Where the piece ends and where the rest starts (after a dropped separator)."""
    spans = [match.span() for match in _UNCUTTABLE.finditer(text, 0, 2 * window + 8)]
    head = text[: window + 1]
    for separator in ("\n", " "):
        at = head.rfind(separator)
        while at >= window // 2:
            if not any(start < at < end for start, end in spans):
                return at, at + 1
            at = head.rfind(separator, 0, at)
    at = max(_grapheme_start(text, _outside(spans, window)), 1)
    return at, at


def _outside(spans: Iterable[tuple[int, int]], at: int) -> int:
    """Step back out of any span, unless the span starts the text (then it must be cut)."""
    ordered = sorted(spans)
    moved = True
    while moved:
        moved = False
        for start, end in ordered:
            if 0 < start < at < end:
                at, moved = start, True
    return at


def _grapheme_start(text: str, at: int) -> int:
    """Step back so an emoji with its modifiers or joiners stays in one piece."""
    while at > 1 and (_joins_previous(text[at]) or text[at - 1] == "\u200d"):
        at -= 1
    return at


def _joins_previous(char: str) -> bool:
    return (
        char in _JOINERS or unicodedata.combining(char) > 0 or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _fit_mrkdwn(text: object, limit: int) -> str:
    value = as_text(text)
    if not value.strip():
        return EMPTY
    if len(value) <= limit:
        return value
    if limit <= _SPLIT_MIN:
        return truncate(value, limit)
    return split_mrkdwn(value, limit - len(ELLIPSIS))[0] + ELLIPSIS


# -- helpers ---------------------------------------------------------------------------------


def _section_block(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _select(kind: str, action_id: str, placeholder: object, confirm: Block | None) -> Block:
    element: Block = {
        "type": kind,
        "action_id": _exact(action_id, "action_id", ID_MAX),
        "placeholder": plain_text(placeholder, PLACEHOLDER_MAX),
    }
    if confirm is not None:
        element["confirm"] = confirm
    return element


def _exact(value: str, name: str, limit: int, *, allow_empty: bool = False) -> str:
    """An id or value that comes back to the app: refused rather than cut."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {type(value).__name__}")
    if as_text(value) != value:
        raise ValueError(f"{name} is not valid Unicode")
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    if len(value) > limit:
        raise ValueError(f"{name} is {len(value)} characters; Slack allows {limit}")
    return value


def _set_exact(view: Block, key: str, value: str | None, limit: int) -> None:
    if value is not None:
        view[key] = _exact(value, key, limit, allow_empty=key == "private_metadata")


def _with_block_id(block: Block, block_id: str | None) -> Block:
    if block_id is not None:
        block["block_id"] = _exact(block_id, "block_id", ID_MAX)
    return block


def _with_style(obj: Block, style: str | None) -> Block:
    if style is not None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, not {style!r}")
        obj["style"] = style
    return obj


def _cap_bytes(text: str, limit: int) -> str:
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip() + ELLIPSIS


def _text_size(value: Any) -> int:
    """Characters of text anywhere in a block: what Slack's size check counts."""
    if isinstance(value, Mapping):
        return sum(
            len(item) if key == "text" and isinstance(item, str) else _text_size(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return sum(_text_size(item) for item in value)
    return 0


def _fit_blocks(blocks: Sequence[Block], max_blocks: int, budget: int | None = None) -> list[Block]:
    """The blocks as given when they fit; else a prefix and a note of how many were left out."""
    _check_block_ids(blocks)
    sizes = [_text_size(block) for block in blocks]
    if len(blocks) <= max_blocks and (budget is None or sum(sizes) <= budget):
        return list(blocks)
    note_room = 200
    kept, used = 0, 0
    while kept < min(len(blocks), max_blocks - 1) and (
        budget is None or used + sizes[kept] <= budget - note_room
    ):
        used += sizes[kept]
        kept += 1
    left_out = len(blocks) - kept
    note = f"_…{left_out} more part{'s' if left_out != 1 else ''} left out: too long for Slack._"
    return [*blocks[:kept], _section_block(note)]


def _check_block_ids(blocks: Iterable[Block]) -> None:
    seen: set[str] = set()
    for block in blocks:
        block_id = block.get("block_id")
        if block_id in seen:
            raise ValueError(f"block_id {block_id!r} is used twice; Slack refuses repeats")
        if isinstance(block_id, str):
            seen.add(block_id)
