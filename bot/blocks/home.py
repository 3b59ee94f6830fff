"""The App Home tab: what this user started recently, and a button to start more."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import channel_mention, join_link, one_line, shown_id
from storage import Resource

START_ACTION = "home_start_conversation"
RECENT_LIMIT = 10

_STATUS_MAX = 40
_INTRO = (
    "Start a Tavus conversation and share the join link, "
    "or type `/tavus help` anywhere for every command."
)
_NOTHING_YET = "_Nothing yet: start one above or with `/tavus call`._"


def home_view(*, user_id: str, recent: Sequence[Resource]) -> dict[str, Any]:
    start = kit.button("Start a conversation", action_id=START_ACTION, style="primary")
    lines = [_line(resource) for resource in recent[:RECENT_LIMIT]]
    return kit.home(
        [
            kit.header("Tavus for Slack"),
            kit.section(_INTRO, accessory=start),
            kit.divider(),
            kit.section("*Your recent conversations*"),
            # Each line is capped, so a split falls between lines, never inside one.
            *kit.sections("\n".join(lines) if lines else _NOTHING_YET),
        ]
    )


def _line(resource: Resource) -> str:
    name = one_line(resource.name or "Untitled")
    status = one_line(resource.status or "unknown", _STATUS_MAX)
    line = f"{shown_id(resource.tavus_id)} *{name}* · {status}"
    join = join_link(resource.details.get("conversation_url"), "join")
    if join and resource.status != "ended" and not resource.finished:
        line += f" · {join}"
    if channel := channel_mention(resource.channel_id):
        line += f" · in {channel}"
    return line
