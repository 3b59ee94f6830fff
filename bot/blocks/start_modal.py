"""The "Start a conversation" modal, its progress and result views, and reading it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit, pickers
from bot.blocks.conversations import channel_mention, fits, join_link
from bot.blocks.text import as_text, escape, truncate

CALLBACK_ID = "start_conversation"
# The shared pickers (``handlers/shared/pickers.py`` answers them).
PERSONA_ACTION = pickers.PERSONA_PICKER
REPLICA_ACTION = pickers.REPLICA_PICKER

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
CHANNEL_HINT = (
    "If I am not in that channel, the card and its updates come to you in a direct message "
    "instead (/invite @Tavus to post there)."
)
# Slack's plain_text_input holds at most 3000 characters; the field says so itself.
CONTEXT_LIMIT = 3000
MAX_DURATION_LIMIT = 3600
LEFT_TIMEOUT_LIMIT = 3600

# A failure reason is shown whole up to here; past it, a modal would only scroll.
REASON_MAX = 2000

Block = dict[str, Any]
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
            max_length=CONTEXT_LIMIT,
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
    return kit.modal(
        title="Start a conversation",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Start",
        close="Cancel",
    )


def _picker(
    block_id: str,
    action_id: str,
    label: str,
    placeholder: str,
    initial: str | None,
    *,
    optional: bool = False,
) -> Block:
    element = kit.external_select(
        action_id=action_id,
        placeholder=placeholder,
        min_query_length=0,
        initial_option=_initial_option(initial),
    )
    return kit.input_block(block_id, label, element, optional=optional)


def _initial_option(tavus_id: object) -> Block | None:
    """The id preselected, unless an option cannot carry it (a cut id would pick another)."""
    if not tavus_id or not fits(tavus_id, kit.OPTION_VALUE_MAX):
        return None
    return kit.option(tavus_id, str(tavus_id))


def _channel_picker(channel_id: str | None) -> Block:
    element: Block = {
        "type": "conversations_select",
        "action_id": B_CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_mention(channel_id):  # a DM cannot be preselected in a public/private filter
        element["initial_conversation"] = channel_id
    # Slack's picker cannot list only the channels the bot is in: say where the card goes.
    return kit.input_block(B_CHANNEL, "Post the join link in", element, hint=CHANNEL_HINT)


def _text(
    block_id: str,
    label: str,
    *,
    optional: bool,
    placeholder: str,
    multiline: bool = False,
    initial: object | None = None,
    max_length: int | None = None,
) -> Block:
    element = kit.plain_text_input(
        action_id=block_id,
        placeholder=placeholder,
        initial_value=initial,
        multiline=multiline,
        max_length=max_length,
    )
    return kit.input_block(block_id, label, element, optional=optional)


def _number(block_id: str, label: str, initial: int, maximum: int) -> Block:
    element: Block = {
        "type": "number_input",
        "action_id": block_id,
        "is_decimal_allowed": False,
        "min_value": "1",
        "max_value": str(maximum),
    }
    if isinstance(initial, int) and not isinstance(initial, bool):
        # A value outside min..max is one the form's own check refuses: hold a default to it.
        element["initial_value"] = str(min(max(initial, 1), maximum))
    return kit.input_block(block_id, label, element)


def _static(block_id: str, label: str, values: tuple[str, ...]) -> Block:
    options = [kit.option(value.capitalize(), value) for value in values]
    element = kit.static_select(
        action_id=block_id, placeholder=label, options=options, initial_option=options[0]
    )
    return kit.input_block(block_id, label, element, optional=True)


def _checkboxes() -> Block:
    options = [
        kit.option("Audio only", "audio_only"),
        kit.option("Test mode (the replica does not join; no charge)", "test_mode"),
    ]
    element: Block = {"type": "checkboxes", "action_id": B_OPTIONS, "options": options}
    return kit.input_block(B_OPTIONS, "Options", element, optional=True)


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
    """A modal that only says something: ``text`` is mrkdwn, escaped by the caller."""
    return kit.modal(title=title, blocks=kit.sections(text), close="Close")


def starting_view() -> View:
    return message_view(
        "Start a conversation", ":hourglass_flowing_sand: Starting your conversation…"
    )


def started_view(*, channel_id: str, conversation_url: str, in_channel: bool) -> View:
    if in_channel:
        where = channel_mention(channel_id) or "the channel you chose"
    else:
        where = "a direct message (I am not in that channel)"
    text = f":white_check_mark: Started. The join link is posted in {where}."
    join = join_link(conversation_url, "Join now")
    return message_view("Conversation started", f"{text}\n{join}" if join else text)


def failed_view(reason: str) -> View:
    shown = escape(truncate(as_text(reason).strip(), REASON_MAX))
    return message_view("Could not start", f":warning: {shown}")


def option(label: object, value: str) -> Block:
    """A menu option; ``ValueError`` if ``value`` is not a string of 1 to 150 characters.

    The label is capped, but a value is what comes back to the app, so it is never cut.
    """
    return kit.option(label, value)
