"""The "Generate a video" modal, its result views, and reading it back.

Where the video goes travels in ``private_metadata``: the channel a command came from when
the picker cannot show it (a DM), or the message a shortcut was used on (its thread).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import channel_mention, fits
from bot.blocks.start_modal import message_view

CALLBACK_ID = "generate_video"
REPLICA_ACTION = "video_replica"

B_REPLICA, B_SCRIPT, B_AUDIO, B_NAME = "replica", "script", "audio_url", "name"
B_BACKGROUND_URL, B_BACKGROUND_VIDEO = "background_url", "background_source_url"
B_OPTIONS, B_WATERMARK, B_CHANNEL = "options", "watermark_image_url", "channel"
FAST, TRANSPARENT = "fast", "transparent_background"

SCRIPT_LIMIT = kit.TEXT_INPUT_MAX
NAME_LIMIT = 200
URL_LIMIT = kit.URL_MAX
CHANNEL_HINT = (
    "Leave empty to get the video in a direct message. If I am not in the channel, the card "
    "comes to you in a direct message instead (/invite @Tavus to post there)."
)

Block = dict[str, Any]
View = dict[str, Any]


@dataclass(frozen=True)
class Destination:
    """Where the card goes: a channel, and maybe the message whose thread it joins."""

    channel_id: str | None = None
    thread_ts: str | None = None

    def metadata(self) -> str:
        fields = {"channel": self.channel_id, "thread_ts": self.thread_ts}
        return json.dumps({k: v for k, v in fields.items() if v})

    @classmethod
    def from_metadata(cls, raw: object) -> Destination:
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        channel, thread = data.get("channel"), data.get("thread_ts")
        return cls(
            channel_id=channel if isinstance(channel, str) else None,
            thread_ts=thread if isinstance(thread, str) else None,
        )


def video_modal(
    *,
    channel_id: str | None = None,
    thread_ts: str | None = None,
    replica_id: str | None = None,
    script: str | None = None,
) -> View:
    """``thread_ts``: the video answers that message of ``channel_id`` (a message shortcut)."""
    blocks = [
        replica_picker(B_REPLICA, REPLICA_ACTION, replica_id),
        text_input(
            B_SCRIPT,
            "Script",
            placeholder="What the replica says",
            multiline=True,
            initial=script,
            max_length=SCRIPT_LIMIT,
            hint="Give a script or an audio URL, not both.",
        ),
        text_input(
            B_AUDIO,
            "Or an audio URL",
            placeholder="https://example.com/voice-over.mp3",
            hint="A public .wav or .mp3 file; the replica lip-syncs to it.",
        ),
        text_input(B_NAME, "Name", placeholder="Welcome for new customers", max_length=NAME_LIMIT),
        text_input(
            B_BACKGROUND_URL,
            "Background website",
            placeholder="https://example.com",
            hint="A public web page, recorded behind the replica. At most one background.",
        ),
        text_input(
            B_BACKGROUND_VIDEO,
            "Or a background video",
            placeholder="https://example.com/background.mp4",
            hint="A public video file played behind the replica.",
        ),
        _options(),
        text_input(
            B_WATERMARK,
            "Watermark image URL",
            placeholder="https://example.com/logo.png",
            hint="A public .png or .jpeg image.",
        ),
    ]
    destination = Destination(channel_id, thread_ts)
    if thread_ts and channel_id:
        blocks.append(kit.context("The video is posted in the thread of the message you chose."))
    else:
        blocks.append(channel_picker(channel_id, "Post the video in", CHANNEL_HINT))
        if channel_mention(channel_id) is None:  # a DM the picker cannot show: keep it
            destination = Destination(channel_id=channel_id)
        else:
            destination = Destination()
    return kit.modal(
        title="Generate a video",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Generate",
        close="Cancel",
        private_metadata=destination.metadata(),
    )


# -- inputs shared with the lip-sync modal --------------------------------------------------


def replica_picker(block_id: str, action_id: str, initial: str | None) -> Block:
    usable = initial and fits(initial, kit.OPTION_VALUE_MAX)  # a cut id would pick another
    option = kit.option(initial, initial) if initial and usable else None
    element = kit.external_select(
        action_id=action_id,
        placeholder="Type a replica's name",
        min_query_length=0,
        initial_option=option,
    )
    return kit.input_block(block_id, "Replica", element)


def text_input(
    block_id: str,
    label: str,
    *,
    placeholder: str,
    optional: bool = True,
    multiline: bool = False,
    initial: object | None = None,
    max_length: int = URL_LIMIT,
    hint: str | None = None,
) -> Block:
    element = kit.plain_text_input(
        action_id=block_id,
        placeholder=placeholder,
        initial_value=initial,
        multiline=multiline,
        max_length=max_length,
    )
    return kit.input_block(block_id, label, element, optional=optional, hint=hint)


def channel_picker(channel_id: str | None, label: str, hint: str) -> Block:
    element: Block = {
        "type": "conversations_select",
        "action_id": B_CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_mention(channel_id):
        element["initial_conversation"] = channel_id
    return kit.input_block(B_CHANNEL, label, element, optional=True, hint=hint)


def _options() -> Block:
    options = [
        {
            **kit.option("Fast rendering", FAST),
            "description": kit.plain_text("Quicker; no background, thumbnail or stream", 75),
        },
        {
            **kit.option("Transparent background", TRANSPARENT),
            "description": kit.plain_text("Needs fast rendering; downloads as .webm", 75),
        },
    ]
    element: Block = {"type": "checkboxes", "action_id": B_OPTIONS, "options": options}
    return kit.input_block(B_OPTIONS, "Rendering", element, optional=True)


# -- reading it back ------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoForm:
    replica_id: str | None
    script: str | None
    audio_url: str | None
    name: str | None
    background_url: str | None
    background_source_url: str | None
    fast: bool
    transparent_background: bool
    watermark_image_url: str | None
    channel_id: str | None  # picked in the form
    destination: Destination  # from private_metadata


class FormValues:
    """``view.state.values``, read leniently: a missing block is an empty field."""

    def __init__(self, values: Mapping[str, Mapping[str, Any]]) -> None:
        self._values = values

    def _element(self, block: str) -> Mapping[str, Any]:
        found = next(iter((self._values.get(block) or {}).values()), None)
        return found if isinstance(found, Mapping) else {}

    def text(self, block: str) -> str | None:
        raw = self._element(block).get("value")
        return raw.strip() or None if isinstance(raw, str) else None

    def selected(self, block: str) -> str | None:
        option = self._element(block).get("selected_option") or {}
        value = option.get("value") if isinstance(option, Mapping) else None
        return value if isinstance(value, str) else None

    def checked(self, block: str) -> set[str]:
        chosen = self._element(block).get("selected_options") or []
        return {str(o.get("value")) for o in chosen if isinstance(o, Mapping)}

    def conversation(self, block: str) -> str | None:
        value = self._element(block).get("selected_conversation")
        return value if isinstance(value, str) and value else None


def read_video_form(values: Mapping[str, Mapping[str, Any]], private_metadata: object) -> VideoForm:
    form = FormValues(values)
    checked = form.checked(B_OPTIONS)
    return VideoForm(
        replica_id=form.selected(B_REPLICA),
        script=form.text(B_SCRIPT),
        audio_url=form.text(B_AUDIO),
        name=form.text(B_NAME),
        background_url=form.text(B_BACKGROUND_URL),
        background_source_url=form.text(B_BACKGROUND_VIDEO),
        fast=FAST in checked,
        transparent_background=TRANSPARENT in checked,
        watermark_image_url=form.text(B_WATERMARK),
        channel_id=form.conversation(B_CHANNEL),
        destination=Destination.from_metadata(private_metadata),
    )


# -- result views ---------------------------------------------------------------------------


def starting_view() -> View:
    return message_view("Generate a video", ":hourglass_flowing_sand: Asking Tavus…")


def started_view(*, what: str, channel_id: str | None, in_thread: bool, moved: bool) -> View:
    """``what``: "video" or "lip-sync"; where its card went, and that the result follows."""
    if moved:
        where = "a direct message (I am not in that channel)"
    elif in_thread:
        where = "the thread of the message you chose"
    else:
        where = channel_mention(channel_id) or "a direct message"
    text = (
        f":white_check_mark: Tavus is working on your {what}. Its card is in {where}, and "
        "the result is posted in the card's thread when it is ready."
    )
    return message_view("On its way", text)
