"""Ephemeral listings and details of conversations."""

from __future__ import annotations

from typing import Any

from bot.blocks.conversations import shutdown_words
from bot.blocks.text import code, escape, link
from bot.tavus import Conversation, Page

MORE_ACTION = "conversations_more"
DELETE_ACTION = "conversation_delete"

Blocks = list[dict[str, Any]]


def conversation_line(conversation: Conversation, *, joinable: bool) -> str:
    name = escape(conversation.conversation_name or "Untitled")
    status = escape(conversation.status or "unknown")
    line = f"{code(conversation.conversation_id)} *{name}* · {status}"
    if joinable and conversation.status == "active" and conversation.conversation_url:
        line += f" · {link(conversation.conversation_url, 'join')}"
    if conversation.created_at:
        line += f" · started {escape(conversation.created_at)}"
    return line


def conversation_page(
    page: Page[Conversation], *, status: str | None, joinable: frozenset[str] = frozenset()
) -> tuple[str, Blocks]:
    """``joinable``: ids whose join link this viewer may see (their own, or any for admins)."""
    what = f"{status} conversations" if status else "conversations"
    if not page.items:
        text = f"No {what} on this Tavus account." if page.page == 1 else f"No more {what}."
        return text, [_section(text)]
    first = (page.page - 1) * page.limit + 1
    header = f"*Tavus {what}* ({first}–{first + len(page.items) - 1} of {page.total_count})"
    lines = "\n".join(
        conversation_line(c, joinable=c.conversation_id in joinable) for c in page.items
    )
    blocks = [_section(header), _section(lines)]
    if page.has_more:
        value = f"{page.page + 1}:{status or ''}"
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": MORE_ACTION,
                        "text": {"type": "plain_text", "text": "More"},
                        "value": value,
                    }
                ],
            }
        )
    return header, blocks


def conversation_details(conversation: Conversation, *, joinable: bool) -> tuple[str, Blocks]:
    facts = [
        f"*Status:* {escape(conversation.status or 'unknown')}",
        f"*Persona:* {code(conversation.persona_id or '—')}   "
        f"*Replica:* {code(conversation.replica_id or '—')}",
        f"*Created:* {escape(conversation.created_at or '—')}   "
        f"*Updated:* {escape(conversation.updated_at or '—')}",
    ]
    if conversation.shutdown_reason:
        facts.append(f"*Ended because* {shutdown_words(conversation.shutdown_reason)}")
    if joinable and conversation.conversation_url:
        facts.append(
            f"*Join link:* {link(conversation.conversation_url, conversation.conversation_url)}"
        )
    name = escape(conversation.conversation_name or "Untitled conversation")
    title = f"*{name}* {code(conversation.conversation_id)}"
    return f"Conversation {conversation.conversation_id}", [
        _section(title + "\n" + "\n".join(facts))
    ]


def delete_confirmation(conversation_id: str) -> tuple[str, Blocks]:
    text = f"Delete conversation {code(conversation_id)}? Its record in Tavus is removed for good."
    button = {
        "type": "button",
        "action_id": DELETE_ACTION,
        "style": "danger",
        "text": {"type": "plain_text", "text": "Delete"},
        "value": conversation_id,
        "confirm": {
            "title": {"type": "plain_text", "text": "Delete conversation?"},
            "text": {"type": "plain_text", "text": f"{conversation_id} will be deleted in Tavus."},
            "confirm": {"type": "plain_text", "text": "Delete"},
            "deny": {"type": "plain_text", "text": "Cancel"},
            "style": "danger",
        },
    }
    return text, [_section(text), {"type": "actions", "elements": [button]}]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
