"""Block Kit for conversations: the live parent card and the threaded event replies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks.text import SECTION_TEXT_LIMIT, as_text, code, escape, truncate
from bot.domain.conversations import ENDED, LIVE
from bot.times import parse_time
from storage import Resource

END_CALL_ACTION = "conversation_end"
JOIN_ACTION = "conversation_join"

Blocks = list[dict[str, Any]]

_SHUTDOWN_WORDS = {
    "max_call_duration": "it reached its maximum length",
    "participant_left_timeout": "everyone had left",
    "participant_absent_timeout": "nobody joined in time",
    "end_conversation_endpoint_hit": "it was ended from Slack or the API",
    "daily_room_has_been_deleted": "the call room was deleted",
    "bot_could_not_join_meeting_it_was_probably_ended": (
        "the replica could not join (the call had probably ended)"
    ),
    "exception_encountered_during_conversation_startup": "Tavus hit an error while starting it",
}


def shutdown_words(reason: object) -> str:
    """Tavus's reason in plain words; unknown reasons are shown as sent (escaped)."""
    reason = truncate(as_text(reason).strip(), 200) if reason is not None else ""
    if not reason:
        return "it ended"
    key = reason.removesuffix(" reached").strip()
    if key in _SHUTDOWN_WORDS:
        return _SHUTDOWN_WORDS[key]
    if key.startswith("internal error"):
        return f"Tavus had an internal error ({escape(key)})"
    return escape(reason)


def render_card(resource: Resource) -> tuple[str, Blocks]:
    return conversation_card(
        conversation_id=resource.tavus_id or "",
        details=resource.details,
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


def conversation_card(
    *,
    conversation_id: str,
    details: Mapping[str, Any],
    status: str | None,
    owner_user_id: str,
) -> tuple[str, Blocks]:
    url = str(details.get("conversation_url") or "")
    persona = details.get("persona_name") or details.get("persona_id") or "default persona"
    replica = details.get("replica_name") or details.get("replica_id") or "persona's replica"
    title = f"<@{owner_user_id}> started a Tavus conversation"
    facts = f"*Persona:* {escape(persona)}   *Replica:* {escape(replica)}"
    mode = _mode_words(details)
    if mode:
        facts += f"   *Mode:* {mode}"
    ended = status == ENDED
    blocks: Blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{title}\n{facts}"}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _status_line(status, details)}],
        },
    ]
    if not ended:
        blocks.append(_actions(conversation_id, url))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Conversation {code(conversation_id)}"}],
        }
    )
    text = (
        f"{title}: join at {escape(url)}"
        if not ended
        else f"Tavus conversation {escape(conversation_id)} ended"
    )
    return text, blocks


def _mode_words(details: Mapping[str, Any]) -> str:
    words = []
    if details.get("audio_only"):
        words.append("audio only")
    if details.get("test_mode"):
        words.append("test (no replica joins)")
    return ", ".join(words)


def _status_line(status: str | None, details: Mapping[str, Any]) -> str:
    if status == LIVE:
        return ":large_green_circle: *Live*: the replica is in the call"
    if status == ENDED and details.get("test_mode") and not details.get("shutdown_reason"):
        return (
            ":white_circle: *Test mode*: Tavus created this conversation already ended, "
            "so no replica joins and nothing is billed"
        )
    if status == ENDED:
        line = f":white_circle: *Ended*: {shutdown_words(details.get('shutdown_reason'))}"
        duration = call_duration(details.get("started_at"), details.get("ended_at"))
        return f"{line} · lasted {duration}" if duration else line
    return ":hourglass_flowing_sand: *Waiting for the replica to join*"


def _actions(conversation_id: str, url: str) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    if url:
        elements.append(
            {
                "type": "button",
                "action_id": JOIN_ACTION,
                "text": {"type": "plain_text", "text": "Join"},
                "url": url,
                "style": "primary",
            }
        )
    elements.append(
        {
            "type": "button",
            "action_id": END_CALL_ACTION,
            "text": {"type": "plain_text", "text": "End call"},
            "value": conversation_id,
            "style": "danger",
            "confirm": {
                "title": {"type": "plain_text", "text": "End this call?"},
                "text": {
                    "type": "plain_text",
                    "text": "Everyone in the call will be disconnected.",
                },
                "confirm": {"type": "plain_text", "text": "End call"},
                "deny": {"type": "plain_text", "text": "Keep it"},
            },
        }
    )
    return {
        "type": "actions",
        "block_id": f"conversation_actions:{conversation_id}",
        "elements": elements,
    }


def call_duration(started: Any, ended: Any) -> str | None:
    start, end = parse_time(started), parse_time(ended)
    if start is None or end is None or end < start:
        return None
    seconds = int((end - start).total_seconds())
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def section(text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)},
    }


_SPEAKERS = {"user": "Participant", "assistant": "Replica", "tool": "Tool"}


def transcript_lines(transcript: Sequence[Mapping[str, Any]], *, replica_label: str) -> list[str]:
    """Plain lines, system prompt dropped: the prompt is the operator's, not the call's."""
    lines = []
    for turn in transcript:
        role = as_text(turn.get("role"))[:40]
        if role == "system":
            continue
        speaker = replica_label if role == "assistant" else _SPEAKERS.get(role, role or "Unknown")
        content = " ".join(as_text(turn.get("content")).split())
        if content:
            lines.append(f"{speaker}: {content}")
    return lines
