"""Block Kit checked as strictly as Slack checks it, for the fake Slack and for builder tests.

Independent of `bot/` on purpose: the limits are re-read from Slack's reference pages
(docs.slack.dev/reference/block-kit/..., .../views/modal-views), so a builder bug cannot hide
behind a constant it shares with its check. Each error reads like one of Slack's
`response_metadata.messages` entries, without the "[ERROR] " prefix:
"must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Surfaces: "up to 50 blocks in each message, and 100 blocks in modals or Home tabs".
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
# Composition objects.
TEXT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTION_DESCRIPTION_MAX = 75
OPTION_GROUP_LABEL_MAX = 75
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30
# Blocks.
ID_MAX = 255  # block_id, action_id, callback_id; external_id too (views.open reference)
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
IMAGE_ALT_TEXT_MAX = 2000
MARKDOWN_BLOCK_TEXT_MAX = 12_000
# Block elements.
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
URL_MAX = 3000
PLACEHOLDER_MAX = 150
OPTIONS_MAX = 100
OPTION_GROUPS_MAX = 100
OVERFLOW_OPTIONS_MAX = 5
TEXT_INPUT_LENGTH_MAX = 3000  # min_length 0..3000, max_length 1..3000
# Views.
MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3000
# Message text. chat.postMessage, chat.postEphemeral and response_url posts truncate `text`
# beyond 40,000 characters and still post, with a `message_truncated` warning (changelog
# "Truncating really long messages"). chat.update refuses with `msg_too_long` instead: "The
# `text` field cannot exceed 4,000 characters" (chat.update reference).
MESSAGE_TEXT_TRUNCATED_AT = 40_000
UPDATE_TEXT_MAX = 4000
# Undocumented for section blocks: chat.postMessage answers `msg_blocks_too_long` once the
# blocks carry about 12,000 characters of text (Slack staff in slackapi/bolt-js#2509; the
# markdown block page documents 12,000). response_url posts were seen to skip this check.
BLOCKS_TEXT_MAX = 12_000

TRUNCATING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "response_url"})
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})
TRUNCATION_WARNING: dict[str, list[str]] = {
    "messages": [
        "[WARN] Your message was truncated but still posted. "
        "The `text` field accepts up to 40,000 characters."
    ],
    "warnings": ["message_truncated"],
}

PLAIN = ("plain_text",)
ANY_TEXT = ("plain_text", "mrkdwn")
STYLES = ("primary", "danger")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

Json = dict[str, Any]


@dataclass
class Rejection:
    """A payload Slack would refuse: where it was sent, what was sent, and Slack's reasons."""

    method: str
    payload: Mapping[str, Any]
    error: str
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, method: str, payload: Mapping[str, Any], answer: Mapping[str, Any]) -> Rejection:
        messages = answer.get("response_metadata", {}).get("messages", [])
        errors = answer.get("errors") or [m.removeprefix("[ERROR] ") for m in messages]
        return cls(method, payload, answer["error"], list(errors))

    def __str__(self) -> str:
        reasons = "; ".join(self.errors[:5]) or self.error
        return f"{self.method} refused with {self.error}: {reasons}"


class _Report:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.block_ids: set[str] = set()

    def add(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")


# -- scalars ---------------------------------------------------------------------------------


def _string(report: _Report, value: Any, pointer: str, *, max_len: int, min_len: int = 0) -> bool:
    if not isinstance(value, str):
        report.add("must provide a string", pointer)
        return False
    if _LONE_SURROGATE.search(value):
        # Unpaired surrogates are not Unicode: Slack cannot decode them from JSON.
        report.add("must be valid Unicode (unpaired surrogate)", pointer)
    if len(value) < min_len:
        report.add(f"must be more than {min_len - 1} characters", pointer)
    if len(value) > max_len:
        report.add(f"must be less than {max_len + 1} characters", pointer)
    return True


def _optional_string(
    report: _Report, obj: Mapping[str, Any], key: str, ptr: str, limit: int
) -> None:
    if key in obj:
        _string(report, obj[key], f"{ptr}/{key}", max_len=limit)


def _integer(report: _Report, value: Any, pointer: str, low: int, high: int) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        report.add("must provide an integer", pointer)
        return False
    if not low <= value <= high:
        report.add(f"must be between {low} and {high}", pointer)
        return False
    return True


def _boolean(report: _Report, obj: Mapping[str, Any], key: str, ptr: str) -> None:
    if key in obj and not isinstance(obj[key], bool):
        report.add("must provide a boolean", f"{ptr}/{key}")


def _object(report: _Report, value: Any, pointer: str, allowed: Iterable[str]) -> bool:
    """An object with only the properties Slack knows; it refuses any other property."""
    if not isinstance(value, Mapping):
        report.add("must provide an object", pointer)
        return False
    for key in value:
        if key not in allowed:
            report.add(f"invalid additional property: {key}", pointer)
    return True


def _array(
    report: _Report, value: Any, pointer: str, *, max_items: int, min_items: int = 1
) -> list[Any]:
    if not isinstance(value, list):
        report.add("must provide an array", pointer)
        return []
    if len(value) < min_items:
        report.add(f"must provide at least {min_items} items", pointer)
    if len(value) > max_items:
        report.add(f"no more than {max_items} items allowed", pointer)
    return value


def _required(report: _Report, obj: Mapping[str, Any], keys: Iterable[str], ptr: str) -> bool:
    missing = [key for key in keys if key not in obj]
    for key in missing:
        report.add(f"missing required field: {key}", ptr)
    return not missing


# -- composition objects ---------------------------------------------------------------------


def _text(report: _Report, value: Any, ptr: str, *, limit: int, kinds: tuple[str, ...]) -> None:
    if not _object(report, value, ptr, ("type", "text", "emoji", "verbatim")):
        return
    kind = value.get("type")
    if kind not in kinds:
        report.add(f"unsupported type: {kind}; expected {' or '.join(kinds)}", f"{ptr}/type")
    if "emoji" in value and kind != "plain_text":
        report.add("invalid additional property: emoji", ptr)
    if "verbatim" in value and kind != "mrkdwn":
        report.add("invalid additional property: verbatim", ptr)
    _boolean(report, value, "emoji", ptr)
    _boolean(report, value, "verbatim", ptr)
    if _required(report, value, ("text",), ptr):
        _string(report, value["text"], f"{ptr}/text", max_len=limit, min_len=1)


def _plain(report: _Report, obj: Mapping[str, Any], key: str, ptr: str, limit: int) -> None:
    if key in obj:
        _text(report, obj[key], f"{ptr}/{key}", limit=limit, kinds=PLAIN)


def _confirm(report: _Report, value: Any, ptr: str) -> None:
    if not _object(report, value, ptr, ("title", "text", "confirm", "deny", "style")):
        return
    if not _required(report, value, ("title", "text", "confirm", "deny"), ptr):
        return
    _plain(report, value, "title", ptr, CONFIRM_TITLE_MAX)
    _text(report, value["text"], f"{ptr}/text", limit=CONFIRM_TEXT_MAX, kinds=ANY_TEXT)
    _plain(report, value, "confirm", ptr, CONFIRM_BUTTON_MAX)
    _plain(report, value, "deny", ptr, CONFIRM_BUTTON_MAX)
    _style(report, value, ptr)


def _style(report: _Report, obj: Mapping[str, Any], ptr: str) -> None:
    if "style" in obj and obj["style"] not in STYLES:
        report.add(f"must be one of {', '.join(STYLES)}", f"{ptr}/style")


def _option(report: _Report, value: Any, ptr: str, *, with_url: bool = False) -> None:
    allowed = (
        ("text", "value", "description", "url") if with_url else ("text", "value", "description")
    )
    if not _object(report, value, ptr, allowed) or not _required(
        report, value, ("text", "value"), ptr
    ):
        return
    _text(report, value["text"], f"{ptr}/text", limit=OPTION_TEXT_MAX, kinds=PLAIN)
    _string(report, value["value"], f"{ptr}/value", max_len=OPTION_VALUE_MAX, min_len=1)
    _plain(report, value, "description", ptr, OPTION_DESCRIPTION_MAX)
    _optional_string(report, value, "url", ptr, URL_MAX)


def _options(
    report: _Report, value: Any, ptr: str, *, limit: int, with_url: bool = False
) -> list[Any]:
    options = _array(report, value, ptr, max_items=limit)
    for index, option in enumerate(options):
        _option(report, option, f"{ptr}/{index}", with_url=with_url)
    return options


def _option_groups(report: _Report, value: Any, ptr: str) -> list[Any]:
    groups = _array(report, value, ptr, max_items=OPTION_GROUPS_MAX)
    options: list[Any] = []
    for index, group in enumerate(groups):
        at = f"{ptr}/{index}"
        if _object(report, group, at, ("label", "options")) and _required(
            report, group, ("label", "options"), at
        ):
            _plain(report, group, "label", at, OPTION_GROUP_LABEL_MAX)
            options += _options(report, group["options"], f"{at}/options", limit=OPTIONS_MAX)
    return options


# -- block elements --------------------------------------------------------------------------

_ELEMENT_COMMON = ("type", "action_id", "confirm", "focus_on_load", "placeholder")
_SELECT_FIELDS = (*_ELEMENT_COMMON, "options", "option_groups", "initial_option")
_EXTERNAL_FIELDS = (*_ELEMENT_COMMON, "initial_option", "min_query_length")
_MULTI = ("initial_options", "max_selected_items")


def _element_common(report: _Report, element: Mapping[str, Any], ptr: str) -> None:
    _optional_string(report, element, "action_id", ptr, ID_MAX)
    _plain(report, element, "placeholder", ptr, PLACEHOLDER_MAX)
    _boolean(report, element, "focus_on_load", ptr)
    if "confirm" in element:
        _confirm(report, element["confirm"], f"{ptr}/confirm")


def _button(report: _Report, element: Json, ptr: str) -> None:
    allowed = (
        "type",
        "text",
        "action_id",
        "url",
        "value",
        "style",
        "confirm",
        "accessibility_label",
    )
    if not _object(report, element, ptr, allowed) or not _required(report, element, ("text",), ptr):
        return
    _text(report, element["text"], f"{ptr}/text", limit=BUTTON_TEXT_MAX, kinds=PLAIN)
    _element_common(report, element, ptr)
    _optional_string(report, element, "value", ptr, BUTTON_VALUE_MAX)
    _optional_string(report, element, "url", ptr, URL_MAX)
    _optional_string(report, element, "accessibility_label", ptr, BUTTON_TEXT_MAX)
    _style(report, element, ptr)


def _static_select(report: _Report, element: Json, ptr: str) -> None:
    multi = element.get("type") == "multi_static_select"
    if not _object(report, element, ptr, (*_SELECT_FIELDS, *(_MULTI if multi else ()))):
        return
    _element_common(report, element, ptr)
    if ("options" in element) == ("option_groups" in element):
        report.add("must provide exactly one of options or option_groups", ptr)
    if "options" in element:
        choices = _options(report, element["options"], f"{ptr}/options", limit=OPTIONS_MAX)
    else:
        choices = _option_groups(report, element.get("option_groups", []), f"{ptr}/option_groups")
    _initial_options(report, element, ptr, choices)


def _initial_options(report: _Report, element: Json, ptr: str, choices: list[Any] | None) -> None:
    initial = [element["initial_option"]] if "initial_option" in element else []
    initial += element.get("initial_options") or []
    for index, option in enumerate(initial):
        at = (
            f"{ptr}/initial_option"
            if "initial_option" in element
            else f"{ptr}/initial_options/{index}"
        )
        _option(report, option, at)
        if choices is not None and option not in choices:
            report.add("must match one of the options", at)


def _external_select(report: _Report, element: Json, ptr: str) -> None:
    multi = element.get("type") == "multi_external_select"
    if not _object(report, element, ptr, (*_EXTERNAL_FIELDS, *(_MULTI if multi else ()))):
        return
    _element_common(report, element, ptr)
    if "min_query_length" in element:
        _integer(report, element["min_query_length"], f"{ptr}/min_query_length", 0, 1_000)
    if multi:
        _multi_fields(report, element, ptr)
    _initial_options(report, element, ptr, None)


def _multi_fields(report: _Report, element: Json, ptr: str) -> None:
    """A multi-select's own fields: `initial_options` an array of options, and
    `max_selected_items` "Minimum number is 1" (the multi-select menu references)."""
    if "initial_options" in element:
        _array(
            report,
            element["initial_options"],
            f"{ptr}/initial_options",
            max_items=OPTIONS_MAX,
            min_items=0,
        )
    if "max_selected_items" in element:
        _integer(report, element["max_selected_items"], f"{ptr}/max_selected_items", 1, 2**31 - 1)


def _overflow(report: _Report, element: Json, ptr: str) -> None:
    if not _object(report, element, ptr, ("type", "action_id", "options", "confirm")):
        return
    _element_common(report, element, ptr)
    if _required(report, element, ("options",), ptr):
        _options(
            report, element["options"], f"{ptr}/options", limit=OVERFLOW_OPTIONS_MAX, with_url=True
        )


def _plain_text_input(report: _Report, element: Json, ptr: str) -> None:
    allowed = (
        *_ELEMENT_COMMON,
        "initial_value",
        "multiline",
        "min_length",
        "max_length",
        "dispatch_action_config",
    )
    if not _object(report, element, ptr, allowed):
        return
    _element_common(report, element, ptr)
    _boolean(report, element, "multiline", ptr)
    low = element.get("min_length", 0)
    high = element.get("max_length", TEXT_INPUT_LENGTH_MAX)
    low_ok = "min_length" not in element or _integer(
        report, low, f"{ptr}/min_length", 0, TEXT_INPUT_LENGTH_MAX
    )
    high_ok = "max_length" not in element or _integer(
        report, high, f"{ptr}/max_length", 1, TEXT_INPUT_LENGTH_MAX
    )
    if low_ok and high_ok and low > high:
        report.add("min_length must not be more than max_length", f"{ptr}/min_length")
    if "initial_value" in element:
        limit = high if high_ok else TEXT_INPUT_LENGTH_MAX
        _string(report, element["initial_value"], f"{ptr}/initial_value", max_len=limit)


def _image_element(report: _Report, element: Json, ptr: str) -> None:
    if not _object(report, element, ptr, ("type", "image_url", "slack_file", "alt_text")):
        return
    if _required(report, element, ("alt_text",), ptr):
        _string(
            report, element["alt_text"], f"{ptr}/alt_text", max_len=IMAGE_ALT_TEXT_MAX, min_len=1
        )
    _image_source(report, element, ptr)


def _image_source(report: _Report, obj: Json, ptr: str) -> None:
    if ("image_url" in obj) == ("slack_file" in obj):
        report.add("must provide exactly one of image_url or slack_file", ptr)
    _optional_string(report, obj, "image_url", ptr, URL_MAX)


def _other_element(report: _Report, element: Json, ptr: str) -> None:
    _element_common(report, element, ptr)


Checker = Callable[[_Report, Json, str], None]

ELEMENTS: dict[str, Checker] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "external_select": _external_select,
    "multi_external_select": _external_select,
    "overflow": _overflow,
    "plain_text_input": _plain_text_input,
    "image": _image_element,
    **{
        kind: _other_element
        for kind in (
            "checkboxes",
            "radio_buttons",
            "datepicker",
            "timepicker",
            "datetimepicker",
            "users_select",
            "multi_users_select",
            "conversations_select",
            "multi_conversations_select",
            "channels_select",
            "multi_channels_select",
            "email_text_input",
            "url_text_input",
            "number_input",
            "file_input",
            "rich_text_input",
            "workflow_button",
        )
    },
}
_NOT_INTERACTIVE = {
    "image",
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "file_input",
    "rich_text_input",
}
ACTIONS_ELEMENTS = frozenset(ELEMENTS) - _NOT_INTERACTIVE
ACCESSORY_ELEMENTS = ACTIONS_ELEMENTS | {"image"}
INPUT_ELEMENTS = frozenset(ELEMENTS) - {"button", "overflow", "workflow_button", "image"}


def _element(report: _Report, element: Any, ptr: str, allowed: frozenset[str]) -> str | None:
    if not isinstance(element, Mapping):
        report.add("must provide an object", ptr)
        return None
    kind = element.get("type")
    if kind not in allowed:
        report.add(f"unsupported type: {kind}", f"{ptr}/type")
        return None
    ELEMENTS[kind](report, dict(element), ptr)
    action_id = element.get("action_id")
    return action_id if isinstance(action_id, str) else None


def _unique_action_ids(report: _Report, action_ids: list[str | None], ptr: str) -> None:
    # The block reference: action_id "should be unique among all other action_ids in the
    # containing block"; interaction payloads could not tell two such elements apart.
    seen: set[str] = set()
    for index, action_id in enumerate(action_ids):
        if action_id is not None and action_id in seen:
            report.add(
                f"action_id must be unique within the block: {action_id}",
                f"{ptr}/{index}/action_id",
            )
        if action_id is not None:
            seen.add(action_id)


# -- blocks ----------------------------------------------------------------------------------


def _section(report: _Report, block: Json, ptr: str) -> None:
    if not _object(
        report, block, ptr, ("type", "block_id", "text", "fields", "accessory", "expand")
    ):
        return
    if "text" not in block and "fields" not in block:
        report.add("must define either `text` or `fields`", ptr)
    if "text" in block:
        _text(report, block["text"], f"{ptr}/text", limit=SECTION_TEXT_MAX, kinds=ANY_TEXT)
    if "fields" in block:
        fields = _array(report, block["fields"], f"{ptr}/fields", max_items=SECTION_FIELDS_MAX)
        for index, item in enumerate(fields):
            _text(
                report, item, f"{ptr}/fields/{index}", limit=SECTION_FIELD_TEXT_MAX, kinds=ANY_TEXT
            )
    if "accessory" in block:
        _element(report, block["accessory"], f"{ptr}/accessory", ACCESSORY_ELEMENTS)
    _boolean(report, block, "expand", ptr)


def _header(report: _Report, block: Json, ptr: str) -> None:
    if _object(report, block, ptr, ("type", "block_id", "text")) and _required(
        report, block, ("text",), ptr
    ):
        _text(report, block["text"], f"{ptr}/text", limit=HEADER_TEXT_MAX, kinds=PLAIN)


def _divider(report: _Report, block: Json, ptr: str) -> None:
    _object(report, block, ptr, ("type", "block_id"))


def _context(report: _Report, block: Json, ptr: str) -> None:
    if not _object(report, block, ptr, ("type", "block_id", "elements")):
        return
    if not _required(report, block, ("elements",), ptr):
        return
    elements = _array(report, block["elements"], f"{ptr}/elements", max_items=CONTEXT_ELEMENTS_MAX)
    for index, element in enumerate(elements):
        at = f"{ptr}/elements/{index}"
        if isinstance(element, Mapping) and element.get("type") == "image":
            _image_element(report, dict(element), at)
        else:
            _text(report, element, at, limit=TEXT_MAX, kinds=ANY_TEXT)


def _actions(report: _Report, block: Json, ptr: str) -> None:
    if not _object(report, block, ptr, ("type", "block_id", "elements")):
        return
    if not _required(report, block, ("elements",), ptr):
        return
    elements = _array(report, block["elements"], f"{ptr}/elements", max_items=ACTIONS_ELEMENTS_MAX)
    ids = [
        _element(report, e, f"{ptr}/elements/{i}", ACTIONS_ELEMENTS) for i, e in enumerate(elements)
    ]
    _unique_action_ids(report, ids, f"{ptr}/elements")


def _input(report: _Report, block: Json, ptr: str) -> None:
    allowed = ("type", "block_id", "label", "element", "hint", "optional", "dispatch_action")
    if not _object(report, block, ptr, allowed) or not _required(
        report, block, ("label", "element"), ptr
    ):
        return
    _plain(report, block, "label", ptr, INPUT_LABEL_MAX)
    _plain(report, block, "hint", ptr, INPUT_HINT_MAX)
    _element(report, block["element"], f"{ptr}/element", INPUT_ELEMENTS)
    _boolean(report, block, "optional", ptr)
    _boolean(report, block, "dispatch_action", ptr)


def _image_block(report: _Report, block: Json, ptr: str) -> None:
    allowed = ("type", "block_id", "image_url", "slack_file", "alt_text", "title")
    if not _object(report, block, ptr, allowed):
        return
    if _required(report, block, ("alt_text",), ptr):
        _string(report, block["alt_text"], f"{ptr}/alt_text", max_len=IMAGE_ALT_TEXT_MAX, min_len=1)
    _image_source(report, block, ptr)
    _plain(report, block, "title", ptr, IMAGE_ALT_TEXT_MAX)


def _markdown(report: _Report, block: Json, ptr: str) -> None:
    if _object(report, block, ptr, ("type", "block_id", "text")) and _required(
        report, block, ("text",), ptr
    ):
        _string(report, block["text"], f"{ptr}/text", max_len=MARKDOWN_BLOCK_TEXT_MAX, min_len=1)


def _unchecked(report: _Report, block: Json, ptr: str) -> None:
    """Known block types this project never builds: only their block_id is checked."""


BLOCKS: dict[str, Checker] = {
    "section": _section,
    "header": _header,
    "divider": _divider,
    "context": _context,
    "actions": _actions,
    "input": _input,
    "image": _image_block,
    "markdown": _markdown,
    **{kind: _unchecked for kind in ("rich_text", "file", "video", "context_actions", "table")},
}


def _block(report: _Report, block: Any, ptr: str) -> None:
    if not isinstance(block, Mapping):
        report.add("must provide an object", ptr)
        return
    kind = block.get("type")
    if kind not in BLOCKS:
        report.add(f"unsupported type: {kind}", f"{ptr}/type")
        return
    BLOCKS[kind](report, dict(block), ptr)
    _block_id(report, block, ptr)


def _block_id(report: _Report, block: Mapping[str, Any], ptr: str) -> None:
    if "block_id" not in block:
        return
    block_id = block["block_id"]
    if _string(report, block_id, f"{ptr}/block_id", max_len=ID_MAX, min_len=1):
        # "block_id should be unique for each message or view"; Slack refuses a repeat.
        if block_id in report.block_ids:
            report.add(f"duplicate block_id: {block_id}", f"{ptr}/block_id")
        report.block_ids.add(block_id)


def _blocks(report: _Report, blocks: Any, ptr: str, *, max_blocks: int) -> None:
    for index, block in enumerate(_array(report, blocks, ptr, max_items=max_blocks, min_items=0)):
        _block(report, block, f"{ptr}/{index}")


# -- public checks ---------------------------------------------------------------------------


def validate_blocks(
    blocks: Any, *, max_blocks: int = MESSAGE_BLOCKS_MAX, pointer: str = "/blocks"
) -> list[str]:
    """Slack's complaints about a blocks array; empty when Slack would accept it."""
    report = _Report()
    _blocks(report, blocks, pointer, max_blocks=max_blocks)
    return report.errors


def validate_message(text: Any, blocks: Any) -> list[str]:
    """A message's blocks as chat.postMessage checks them (text alone is never refused here)."""
    errors = [] if blocks is None else validate_blocks(blocks)
    if blocks is None and not text:
        errors.append("must provide `text` or `blocks` [json-pointer:/text]")
    return errors


_MODAL_FIELDS = (
    "type",
    "title",
    "blocks",
    "close",
    "submit",
    "private_metadata",
    "callback_id",
    "clear_on_close",
    "notify_on_close",
    "external_id",
    "submit_disabled",
)
_HOME_FIELDS = ("type", "blocks", "private_metadata", "callback_id", "external_id")


def validate_view(view: Any) -> list[str]:
    """A modal or Home tab view as views.open/push/update/publish check it."""
    report = _Report()
    kind = view.get("type") if isinstance(view, Mapping) else None
    if kind not in ("modal", "home"):
        report.add(f"unsupported type: {kind}", "/view/type")
        return report.errors
    if not _object(report, view, "/view", _MODAL_FIELDS if kind == "modal" else _HOME_FIELDS):
        return report.errors
    if kind == "modal":
        _modal_fields(report, view)
    if _required(report, view, ("blocks",), "/view"):
        _blocks(report, view["blocks"], "/view/blocks", max_blocks=VIEW_BLOCKS_MAX)
    _optional_string(report, view, "private_metadata", "/view", PRIVATE_METADATA_MAX)
    _optional_string(report, view, "callback_id", "/view", ID_MAX)
    _optional_string(report, view, "external_id", "/view", ID_MAX)
    return report.errors


def _modal_fields(report: _Report, view: Mapping[str, Any]) -> None:
    if _required(report, view, ("title",), "/view"):
        _plain(report, view, "title", "/view", MODAL_TITLE_MAX)
    _plain(report, view, "submit", "/view", MODAL_BUTTON_MAX)
    _plain(report, view, "close", "/view", MODAL_BUTTON_MAX)
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(
        isinstance(block, Mapping) and block.get("type") == "input" for block in blocks
    )
    # "submit is required when an input block is within the blocks array".
    if has_input and "submit" not in view:
        report.add("missing required field: submit", "/view")
    for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
        _boolean(report, view, key, "/view")


def blocks_text_length(value: Any) -> int:
    """Characters of text anywhere in a blocks tree: what `msg_blocks_too_long` counts."""
    if isinstance(value, Mapping):
        return sum(
            len(item) if key == "text" and isinstance(item, str) else blocks_text_length(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return sum(blocks_text_length(item) for item in value)
    return 0


def assert_valid_message(text: Any, blocks: Any) -> None:
    """For builder tests: fail with Slack's reasons when chat.postMessage would refuse."""
    if errors := validate_message(text, blocks):
        raise AssertionError("Slack would refuse these blocks:\n" + "\n".join(errors))
    if (length := blocks_text_length(blocks)) > BLOCKS_TEXT_MAX:
        raise AssertionError(f"msg_blocks_too_long: {length} characters of text in blocks")


def assert_valid_view(view: Any) -> None:
    """For builder tests: fail with Slack's reasons when views.open would refuse the view."""
    if errors := validate_view(view):
        raise AssertionError("Slack would refuse this view:\n" + "\n".join(errors))


# -- Slack's answers, for the fake -----------------------------------------------------------


def _refused(error: str, errors: list[str]) -> Json:
    body: Json = {"ok": False, "error": error}
    if errors:
        body["errors"] = errors
        body["response_metadata"] = {"messages": [f"[ERROR] {e}" for e in errors]}
    return body


def message_refusal(method: str, args: Mapping[str, Any]) -> Json | None:
    """Slack's answer to chat.postMessage / postEphemeral / update when it refuses, else None."""
    blocks = args.get("blocks")
    if "blocks" in args and not isinstance(blocks, list):
        return _refused("invalid_blocks_format", [])
    if blocks is not None and (errors := validate_blocks(blocks)):
        return _refused("invalid_blocks", errors)
    text = args.get("text")
    if method == "chat.update" and isinstance(text, str) and len(text) > UPDATE_TEXT_MAX:
        return _refused("msg_too_long", [])
    if blocks_text_length(blocks) > BLOCKS_TEXT_MAX:
        return _refused("msg_blocks_too_long", [])
    return None


def view_refusal(args: Mapping[str, Any]) -> Json | None:
    """views.* answer `invalid_arguments` with the reasons in `response_metadata.messages`."""
    errors = validate_view(args.get("view"))
    if not errors:
        return None
    return {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def refusal(method: str, args: Mapping[str, Any]) -> Json | None:
    """The refusal Slack would answer a Web API call with, for its Block Kit; None if fine."""
    if method in MESSAGE_METHODS:
        return message_refusal(method, args)
    if method in VIEW_METHODS:
        return view_refusal(args)
    return None


def response_url_refusal(payload: Mapping[str, Any]) -> Rejection | None:
    """A response_url answers like an incoming webhook: HTTP 400 and the bare error code.

    Webhooks answer errors as plain text with a 4xx status (changelog 2016-05-17 "Improving
    error conditions for Incoming Webhooks"); `invalid_blocks` comes back the same way.
    """
    if "blocks" not in payload:
        return None
    blocks = payload["blocks"]
    errors = validate_blocks(blocks) if isinstance(blocks, list) else ["must provide an array"]
    return Rejection("response_url", payload, "invalid_blocks", errors) if errors else None


def truncated(method: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """The arguments Slack keeps when it truncates an over-long `text`, or None if it does not."""
    text = args.get("text")
    if method not in TRUNCATING_METHODS or not isinstance(text, str):
        return None
    if len(text) <= MESSAGE_TEXT_TRUNCATED_AT:
        return None
    return {**args, "text": text[:MESSAGE_TEXT_TRUNCATED_AT]}
