"""Type-ahead pickers for Tavus resources, answered within Slack's 3 s deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks import kit
from bot.blocks.text import plain
from bot.choices import Choice, ChoiceCache, Loader
from bot.tavus import TavusError

# Slack drops an options answer after 3 s; leave room for the round trip.
PICKER_DEADLINE_SECONDS = 2.5
MAX_OPTIONS = 100
# The value of the one option shown when Tavus could not list anything: never submitted.
UNAVAILABLE = "unavailable"


def matching_options(choices: Iterable[Choice], typed: str) -> list[dict[str, Any]]:
    """Options whose name or id contains what the user typed, at most Slack's 100."""
    typed = typed.strip().lower()
    found = [
        kit.option(plain(f"{name or tavus_id} ({tavus_id})", kit.OPTION_TEXT_MAX), tavus_id)
        for name, tavus_id in choices
        if len(tavus_id) <= kit.OPTION_VALUE_MAX
        and (typed in (name or "").lower() or typed in tavus_id.lower())
    ]
    return found[:MAX_OPTIONS]


async def answer_picker(
    ack: AsyncAck, *, cache: ChoiceCache, key: str, load: Loader, typed: str
) -> None:
    """A slow or failing Tavus gets a note the user can read, never silence."""
    try:
        choices = await asyncio.wait_for(cache.get(key, load), PICKER_DEADLINE_SECONDS)
    except TavusError as exc:
        await ack(options=[kit.option(f"Tavus error: {exc.user_message}", UNAVAILABLE)])
        return
    except TimeoutError:
        await ack(options=[kit.option("Tavus is slow to answer: type to try again", UNAVAILABLE)])
        return
    await ack(options=matching_options(choices, typed))
