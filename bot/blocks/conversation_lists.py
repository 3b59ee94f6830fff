"""Ephemeral listings and details of conversations.

The page around these lines, and the delete confirmation, are ``bot.blocks.listing``.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import (
    ID_SHOWN_MAX,
    join_link,
    one_line,
    shown_id,
    shutdown_words,
)
from bot.tavus import Conversation

Blocks = list[dict[str, Any]]

_STATUS_MAX = 40
_TIME_MAX = 64


def conversation_line(conversation: Conversation, *, joinable: bool) -> str:
    """One mrkdwn line of a listing; every part is capped so the line fits one section."""
    name = one_line(conversation.conversation_name or "Untitled")
    status = one_line(conversation.status or "unknown", _STATUS_MAX)
    line = f"{shown_id(conversation.conversation_id)} *{name}* · {status}"
    join = _join(conversation, "join") if joinable and conversation.status == "active" else None
    if join:
        line += f" · {join}"
    if conversation.created_at:
        line += f" · started {one_line(conversation.created_at, _TIME_MAX)}"
    return line


def conversation_details(conversation: Conversation, *, joinable: bool) -> tuple[str, Blocks]:
    facts = [
        f"*Status:* {one_line(conversation.status or 'unknown', _STATUS_MAX)}",
        f"*Persona:* {shown_id(conversation.persona_id or '—')}   "
        f"*Replica:* {shown_id(conversation.replica_id or '—')}",
        f"*Created:* {one_line(conversation.created_at or '—', _TIME_MAX)}   "
        f"*Updated:* {one_line(conversation.updated_at or '—', _TIME_MAX)}",
    ]
    if conversation.shutdown_reason:
        facts.append(f"*Ended because* {shutdown_words(conversation.shutdown_reason)}")
    join = _join(conversation, conversation.conversation_url) if joinable else None
    if join:
        facts.append(f"*Join link:* {join}")
    name = one_line(conversation.conversation_name or "Untitled conversation")
    title = f"*{name}* {shown_id(conversation.conversation_id)}"
    text = f"Conversation {one_line(conversation.conversation_id, ID_SHOWN_MAX)}"
    return kit.message(text, kit.sections(title + "\n" + "\n".join(facts)))


def _join(conversation: Conversation, label: object) -> str | None:
    return join_link(conversation.conversation_url, label)
