"""The "Lip-sync a video" modal and reading it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import channel_mention
from bot.blocks.start_modal import message_view
from bot.blocks.text import escape
from bot.blocks.video_modal import (
    B_CHANNEL,
    CHANNEL_HINT,
    NAME_LIMIT,
    Destination,
    FormValues,
    channel_picker,
    text_input,
)
from bot.domain.lipsyncs import DEPRECATION_NOTE

CALLBACK_ID = "generate_lipsync"
B_VIDEO, B_AUDIO, B_NAME = "original_video_url", "source_audio_url", "name"


def lipsync_modal(
    *,
    channel_id: str | None = None,
    video_url: str | None = None,
    audio_url: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    blocks = [
        kit.context(f":warning: {escape(DEPRECATION_NOTE)}"),
        text_input(
            B_VIDEO,
            "Video URL",
            placeholder="https://example.com/talking-head.mp4",
            optional=False,
            initial=video_url,
            hint="A public video of one person speaking.",
        ),
        text_input(
            B_AUDIO,
            "New audio URL",
            placeholder="https://example.com/voice-over.mp3",
            optional=False,
            initial=audio_url,
            hint="A public audio file; the lips are synced to it.",
        ),
        text_input(
            B_NAME, "Name", placeholder="Dubbed welcome", initial=name, max_length=NAME_LIMIT
        ),
        channel_picker(channel_id, "Post the result in", CHANNEL_HINT),
    ]
    # A DM the picker cannot show travels in the metadata, as in the video modal.
    keep = None if channel_mention(channel_id) else channel_id
    return kit.modal(
        title="Lip-sync a video",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Lip-sync",
        close="Cancel",
        private_metadata=Destination(channel_id=keep).metadata(),
    )


@dataclass(frozen=True)
class LipsyncForm:
    video_url: str | None
    audio_url: str | None
    name: str | None
    channel_id: str | None
    destination: Destination


def read_lipsync_form(
    values: Mapping[str, Mapping[str, Any]], private_metadata: object
) -> LipsyncForm:
    form = FormValues(values)
    return LipsyncForm(
        video_url=form.text(B_VIDEO),
        audio_url=form.text(B_AUDIO),
        name=form.text(B_NAME),
        channel_id=form.conversation(B_CHANNEL),
        destination=Destination.from_metadata(private_metadata),
    )


def starting_view() -> dict[str, Any]:
    return message_view("Lip-sync a video", ":hourglass_flowing_sand: Asking Tavus…")
