"""The "Start a conversation" modal, its progress and result views, and reading it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks.text import escape, link

CALLBACK_ID = "start_conversation"
PERSONA_ACTION = "start_persona"
REPLICA_ACTION = "start_replica"

B_PERSONA, B_REPLICA, B_CHANNEL = "persona", "replica", "channel"
B_NAME, B_CONTEXT, B_GREETING = "name", "context", "greeting"
B_OPTIONS, B_DURATION, B_LEFT_TIMEOUT = "options", "max_call_duration", "participant_left_timeout"
B_LANGUAGE, B_TAGS, B_STRATEGY = "language", "document_tags", "retrieval_strategy"

LANGUAGES = (
    "english",
    "spanish",
    "french",
    "german",
    "italian",
    "portuguese",
    "japanese",
    "multilingual",
)
STRATEGIES = ("balanced", "speed", "quality")
# Slack's plain_text_input holds at most 3000 characters; the field says so itself.
CONTEXT_LIMIT = 3000
MAX_DURATION_LIMIT = 3600
LEFT_TIMEOUT_LIMIT = 3600

View = dict[str, Any]


def start_modal(
    *,
    channel_id: str | None,
    persona_id: str | None = None,
    replica_id: str | None = None,
    context: str | None = None,
    max_call_duration: int,
    participant_left_timeout: int,
) -> View:
    blocks = [
        _picker(B_PERSONA, PERSONA_ACTION, "Persona", "Choose a persona", persona_id),
        _picker(
            B_REPLICA,
            REPLICA_ACTION,
            "Replica",
            "The persona's own replica",
            replica_id,
            optional=True,
        ),
        _channel_picker(channel_id),
        _text(B_NAME, "Name", optional=True, placeholder="Weekly sync with the sales coach"),
        _text(
            B_CONTEXT,
            "Context",
            optional=True,
            multiline=True,
            initial=context,
            placeholder="What the replica should know about this call",
        ),
        _text(B_GREETING, "Custom greeting", optional=True, placeholder="Hi! Ready when you are."),
        _checkboxes(),
        _number(B_DURATION, "Maximum length (seconds)", max_call_duration, MAX_DURATION_LIMIT),
        _number(
            B_LEFT_TIMEOUT,
            "End after everyone left for (seconds)",
            participant_left_timeout,
            LEFT_TIMEOUT_LIMIT,
        ),
        _static(B_LANGUAGE, "Language", LANGUAGES),
        _text(B_TAGS, "Document tags", optional=True, placeholder="onboarding, pricing"),
        _static(B_STRATEGY, "Document retrieval", STRATEGIES),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Start a conversation"},
        "submit": {"type": "plain_text", "text": "Start"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _label(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _label(label),
        "element": element,
        "optional": optional,
    }


def _picker(
    block_id: str,
    action_id: str,
    label: str,
    placeholder: str,
    initial: str | None,
    *,
    optional: bool = False,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": action_id,
        "placeholder": _label(placeholder),
        "min_query_length": 0,
    }
    if initial:
        element["initial_option"] = {"text": _label(initial), "value": initial}
    return _input(block_id, label, element, optional=optional)


def _channel_picker(channel_id: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": B_CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id and channel_id[:1] in ("C", "G"):
        element["initial_conversation"] = channel_id
    return _input(B_CHANNEL, "Post the join link in", element)


def _text(
    block_id: str,
    label: str,
    *,
    optional: bool,
    placeholder: str = "",
    multiline: bool = False,
    initial: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": multiline,
        "placeholder": _label(placeholder),
    }
    if initial:
        element["initial_value"] = initial
    return _input(block_id, label, element, optional=optional)


def _number(block_id: str, label: str, initial: int, maximum: int) -> dict[str, Any]:
    element = {
        "type": "number_input",
        "action_id": block_id,
        "is_decimal_allowed": False,
        "initial_value": str(initial),
        "min_value": "1",
        "max_value": str(maximum),
    }
    return _input(block_id, label, element)


def _static(block_id: str, label: str, values: tuple[str, ...]) -> dict[str, Any]:
    options = [{"text": _label(v.capitalize()), "value": v} for v in values]
    element = {
        "type": "static_select",
        "action_id": block_id,
        "options": options,
        "initial_option": options[0],
    }
    return _input(block_id, label, element, optional=True)


def _checkboxes() -> dict[str, Any]:
    options = [
        {"text": _label("Audio only"), "value": "audio_only"},
        {"text": _label("Test mode (the replica does not join; no charge)"), "value": "test_mode"},
    ]
    element = {"type": "checkboxes", "action_id": B_OPTIONS, "options": options}
    return _input(B_OPTIONS, "Options", element, optional=True)


@dataclass(frozen=True)
class StartForm:
    persona_id: str | None
    replica_id: str | None
    channel_id: str | None
    name: str | None
    context: str | None
    greeting: str | None
    audio_only: bool
    test_mode: bool
    max_call_duration: str | None
    participant_left_timeout: str | None
    language: str | None
    document_tags: tuple[str, ...]
    retrieval_strategy: str | None


def read_start_form(values: Mapping[str, Mapping[str, Any]]) -> StartForm:
    def value(block: str) -> Any:
        return next(iter(values.get(block, {}).values()), {}) or {}

    def text(block: str) -> str | None:
        raw = value(block).get("value")
        return raw.strip() or None if isinstance(raw, str) else None

    def selected(block: str) -> str | None:
        option = value(block).get("selected_option") or {}
        return option.get("value")

    checked = {o.get("value") for o in value(B_OPTIONS).get("selected_options") or []}
    tags = tuple(
        t.strip().lstrip("#")
        for t in (text(B_TAGS) or "").replace(",", " ").split()
        if t.strip("#")
    )
    return StartForm(
        persona_id=selected(B_PERSONA),
        replica_id=selected(B_REPLICA),
        channel_id=value(B_CHANNEL).get("selected_conversation"),
        name=text(B_NAME),
        context=text(B_CONTEXT),
        greeting=text(B_GREETING),
        audio_only="audio_only" in checked,
        test_mode="test_mode" in checked,
        max_call_duration=text(B_DURATION),
        participant_left_timeout=text(B_LEFT_TIMEOUT),
        language=selected(B_LANGUAGE),
        document_tags=tags,
        retrieval_strategy=selected(B_STRATEGY),
    )


def message_view(title: str, text: str) -> View:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def starting_view() -> View:
    return message_view(
        "Start a conversation", ":hourglass_flowing_sand: Starting your conversation…"
    )


def started_view(*, channel_id: str, conversation_url: str, in_channel: bool) -> View:
    where = f"<#{channel_id}>" if in_channel else "a direct message (I am not in that channel)"
    join = link(conversation_url, "Join now")
    text = f":white_check_mark: Started. The join link is posted in {where}.\n{join}"
    return message_view("Conversation started", text)


def failed_view(reason: str) -> View:
    return message_view("Could not start", f":warning: {escape(reason)}")


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}
