"""The App Home tab: what this user started recently, and a button to start more."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.text import code, escape, link
from storage import Resource

START_ACTION = "home_start_conversation"
RECENT_LIMIT = 10


def home_view(*, user_id: str, recent: Sequence[Resource]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Tavus for Slack"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Start a Tavus conversation and share the join link, "
                "or type `/tavus help` anywhere for every command.",
            },
            "accessory": {
                "type": "button",
                "action_id": START_ACTION,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Start a conversation"},
            },
        },
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Your recent conversations*"}},
    ]
    lines = [_line(resource) for resource in recent[:RECENT_LIMIT]]
    text = "\n".join(lines) if lines else "_Nothing yet: start one above or with `/tavus call`._"
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return {"type": "home", "blocks": blocks}


def _line(resource: Resource) -> str:
    name = escape(resource.name or "Untitled")
    line = f"{code(resource.tavus_id)} *{name}* · {escape(resource.status or 'unknown')}"
    url = resource.details.get("conversation_url")
    if url and resource.status != "ended" and not resource.finished:
        line += f" · {link(str(url), 'join')}"
    if resource.channel_id and resource.channel_id.startswith(("C", "G")):
        line += f" · in <#{resource.channel_id}>"
    return line
