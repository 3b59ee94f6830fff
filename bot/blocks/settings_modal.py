"""The "Channel settings" modal: where Tavus's updates go here, how many, and what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import kit
from bot.channel_settings import (
    CHANNEL,
    EVERYTHING,
    PRIVATE,
    PUBLIC,
    RESULTS,
    SUBCOMMANDS,
    THREAD,
    THREAD_AND_CHANNEL,
    ChannelSettings,
)

CALLBACK_ID = "channel_settings"
B_DELIVERY, B_VERBOSITY, B_LISTINGS, B_ALLOWED = "delivery", "verbosity", "listings", "allowed"

_DELIVERY = {
    THREAD: "In the card's thread",
    THREAD_AND_CHANNEL: "In the thread, and also sent to the channel",
    CHANNEL: "Straight into the channel, no thread",
}
_VERBOSITY = {
    EVERYTHING: "Every update (joined, ended, progress...)",
    RESULTS: "Results only: transcripts, recordings, videos ready, errors",
}
_LISTINGS = {
    PRIVATE: "Only to whoever asked",
    PUBLIC: "In the channel, for everyone (join links are left out)",
}

View = dict[str, Any]


def settings_modal(*, channel_id: str, current: ChannelSettings) -> View:
    allowed = SUBCOMMANDS if current.allowed is None else sorted(current.allowed)
    commands = [kit.option(f"/tavus {name}", name) for name in SUBCOMMANDS]
    blocks = [
        kit.section(f"Settings of <#{channel_id}> for Tavus."),
        _radio(B_DELIVERY, "Where updates go", _DELIVERY, current.delivery),
        _radio(B_VERBOSITY, "How many", _VERBOSITY, current.verbosity),
        _radio(B_LISTINGS, "Lists and details (`list`, `show`)", _LISTINGS, current.listings),
        kit.input_block(
            B_ALLOWED,
            "Commands allowed here",
            kit.multi_static_select(
                action_id=B_ALLOWED,
                placeholder="Every command",
                options=commands,
                initial_options=[o for o in commands if o["value"] in allowed],
            ),
            optional=True,
            hint="`/tavus help` and `/tavus settings` always work.",
        ),
    ]
    return kit.modal(
        title="Channel settings",
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Save",
        close="Cancel",
        private_metadata=channel_id,
    )


def _radio(block_id: str, label: str, choices: Mapping[str, str], current: str) -> dict[str, Any]:
    options = [kit.option(text, value) for value, text in choices.items()]
    initial = next(o for o in options if o["value"] == current)
    element = kit.radio_buttons(action_id=block_id, options=options, initial_option=initial)
    return kit.input_block(block_id, label, element)


def read_settings(values: Mapping[str, Mapping[str, Any]]) -> ChannelSettings:
    def state(block: str) -> Mapping[str, Any]:
        found: Mapping[str, Any] = next(iter(values.get(block, {}).values()), {}) or {}
        return found

    def chosen(block: str) -> str | None:
        value = (state(block).get("selected_option") or {}).get("value")
        return value if isinstance(value, str) else None

    picked = state(B_ALLOWED)
    selected = {o.get("value") for o in picked.get("selected_options") or []}
    everything = selected >= set(SUBCOMMANDS) or not selected
    return ChannelSettings.from_preferences(
        {
            "delivery": chosen(B_DELIVERY) or THREAD,
            "verbosity": chosen(B_VERBOSITY) or EVERYTHING,
            "listings": chosen(B_LISTINGS) or PRIVATE,
            **({} if everything else {"allowed": ",".join(sorted(s for s in selected if s))}),
        }
    )


def saved_view(channel_id: str) -> View:
    text = f":white_check_mark: Saved. Tavus follows the new settings in <#{channel_id}> now."
    return kit.modal(title="Channel settings", blocks=[kit.section(text)], close="Close")
