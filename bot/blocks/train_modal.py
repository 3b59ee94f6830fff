"""The "Train a replica" modal, its progress and result views, and reading it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import channel_mention
from bot.blocks.replicas import TRAINING_TIME
from bot.blocks.start_modal import message_view
from bot.blocks.text import code
from bot.domain.replicas import CONSENT_STATEMENT
from bot.tavus.models import DEFAULT_REPLICA_MODEL, REPLICA_MODEL_NAMES

CALLBACK_ID = "train_replica"
VOICE_ACTION = "train_voice"

B_VIDEO, B_IMAGE, B_VOICE = "train_video_url", "train_image_url", "voice_name"
B_CONSENT, B_NAME, B_MODEL = "consent_video_url", "replica_name", "model_name"
B_OPTIONS, B_CHANNEL = "options", "channel"
AUTO_FIX, GREEN_SCREEN = "auto_fix_training_image", "background_green_screen"

URL_LIMIT = kit.TEXT_INPUT_MAX  # presigned URLs run long; Slack's field holds 3,000
NAME_LIMIT = 200
CHANNEL_HINT = (
    "Leave it empty to get the card in a direct message. If I am not in the channel you "
    "choose, the card comes to you in a direct message instead (/invite @Tavus to post there)."
)

Block = dict[str, Any]
View = dict[str, Any]


def train_modal(*, channel_id: str | None) -> View:
    blocks = [
        _url(B_VIDEO, "Training video URL", "https://…/training.mp4"),
        _url(B_IMAGE, "…or training image URL", "https://…/portrait.png"),
        _voice_picker(),
        _url(B_CONSENT, "Consent video URL", "Only if the training video does not open with it"),
        _text(B_NAME, "Name", "Rio", NAME_LIMIT),
        _model_picker(),
        _options(),
        _channel_picker(channel_id),
        kit.context(*_guidance()),
    ]
    return kit.modal(
        title="Train a replica",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Train",
        close="Cancel",
    )


def _url(block_id: str, label: str, placeholder: str) -> Block:
    return _text(block_id, label, placeholder, URL_LIMIT)


def _text(block_id: str, label: str, placeholder: str, max_length: int) -> Block:
    element = kit.plain_text_input(
        action_id=block_id, placeholder=placeholder, max_length=max_length
    )
    return kit.input_block(block_id, label, element, optional=True)


def _voice_picker() -> Block:
    element = kit.external_select(
        action_id=VOICE_ACTION, placeholder="Choose a stock voice", min_query_length=0
    )
    hint = "Needed with an image: a replica trained from a photo speaks with a stock voice."
    return kit.input_block(B_VOICE, "Voice", element, optional=True, hint=hint)


def _model_picker() -> Block:
    options = [kit.option(name, name) for name in REPLICA_MODEL_NAMES]
    default = next(o for o in options if o["value"] == DEFAULT_REPLICA_MODEL)
    element = kit.static_select(
        action_id=B_MODEL, placeholder="Model", options=options, initial_option=default
    )
    return kit.input_block(B_MODEL, "Model", element)


def _options() -> Block:
    options = [
        kit.option("Fix the image for me (training from an image only)", AUTO_FIX),
        kit.option("Green-screen background", GREEN_SCREEN),
    ]
    element: Block = {"type": "checkboxes", "action_id": B_OPTIONS, "options": options}
    return kit.input_block(B_OPTIONS, "Options", element, optional=True)


def _channel_picker(channel_id: str | None) -> Block:
    element: Block = {
        "type": "conversations_select",
        "action_id": B_CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_mention(channel_id):  # from a DM or App Home: nothing chosen, the card is DMed
        element["initial_conversation"] = channel_id
    return kit.input_block(
        B_CHANNEL, "Post the training card in", element, optional=True, hint=CHANNEL_HINT
    )


def _guidance() -> tuple[str, str]:
    consent = (
        "*Consent:* unless you give a consent video, the training video must open with this "
        f"statement, word for word: “{CONSENT_STATEMENT}”"
    )
    tips = (
        "*Tips:* about two minutes of you talking to the camera, H.264, under 750 MB, at a "
        "direct link (a presigned S3 URL, say) that stays readable for a day. From an image, "
        f"pick a voice ({code('/tavus voices')} lists them). Training takes {TRAINING_TIME}; "
        "the card's thread says when it is done."
    )
    return consent, tips


@dataclass(frozen=True)
class TrainForm:
    train_video_url: str | None
    train_image_url: str | None
    voice_name: str | None
    consent_video_url: str | None
    replica_name: str | None
    model_name: str | None
    auto_fix_image: bool
    green_screen: bool
    channel_id: str | None


def read_train_form(values: Mapping[str, Mapping[str, Any]]) -> TrainForm:
    def value(block: str) -> Mapping[str, Any]:
        found = next(iter(values.get(block, {}).values()), None)
        return found if isinstance(found, Mapping) else {}

    def text(block: str) -> str | None:
        raw = value(block).get("value")
        return raw.strip() or None if isinstance(raw, str) else None

    def selected(block: str) -> str | None:
        option = value(block).get("selected_option")
        chosen = option.get("value") if isinstance(option, Mapping) else None
        return chosen if isinstance(chosen, str) else None

    checked = {
        o.get("value")
        for o in value(B_OPTIONS).get("selected_options") or []
        if isinstance(o, Mapping)
    }
    channel = value(B_CHANNEL).get("selected_conversation")
    return TrainForm(
        train_video_url=text(B_VIDEO),
        train_image_url=text(B_IMAGE),
        voice_name=selected(B_VOICE),
        consent_video_url=text(B_CONSENT),
        replica_name=text(B_NAME),
        model_name=selected(B_MODEL),
        auto_fix_image=AUTO_FIX in checked,
        green_screen=GREEN_SCREEN in checked,
        channel_id=channel if isinstance(channel, str) and channel else None,
    )


def training_view() -> View:
    return message_view("Train a replica", ":hourglass_flowing_sand: Starting the training…")


def started_view(*, channel_id: str | None, moved: bool) -> View:
    """Where the card went: ``channel_id`` as posted (a DM's id reads as a direct message)."""
    if moved:
        place = "a direct message, as I am not in the channel you chose (/invite @Tavus first)"
    else:
        place = channel_mention(channel_id) or "a direct message"
    text = (
        f":white_check_mark: Training started. Its card is in {place}: it shows the progress, "
        f"and its thread says when the replica is trained ({TRAINING_TIME})."
    )
    return message_view("Training started", text)
