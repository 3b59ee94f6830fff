"""Block Kit for conversations: the live parent card and the threaded event replies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.blocks.text import SECTION_TEXT_LIMIT, code, escape, truncate

END_CALL_ACTION = "conversation_end"
JOIN_ACTION = "conversation_join"

Blocks = list[dict[str, Any]]

STATUS_WAITING = "waiting"
STATUS_LIVE = "live"
STATUS_ENDED = "ended"

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


def shutdown_words(reason: str | None) -> str:
    if not reason:
        return "it ended"
    key = reason.strip().removesuffix(" reached").strip()
    if key in _SHUTDOWN_WORDS:
        return _SHUTDOWN_WORDS[key]
    if key.startswith("internal error"):
        return f"Tavus had an internal error ({escape(key)})"
    return escape(reason)


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
    ended = status == STATUS_ENDED
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
    if status == STATUS_LIVE:
        return ":large_green_circle: *Live*: the replica is in the call"
    if status == STATUS_ENDED:
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
    start, end = _parse_time(started), _parse_time(ended)
    if start is None or end is None or end < start:
        return None
    seconds = int((end - start).total_seconds())
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Tavus mixes naive ("2024-08-28 15:27:40") and "Z" times; naive ones are UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
        role = str(turn.get("role") or "")
        if role == "system":
            continue
        speaker = replica_label if role == "assistant" else _SPEAKERS.get(role, role or "Unknown")
        content = " ".join(str(turn.get("content") or "").split())
        if content:
            lines.append(f"{speaker}: {content}")
    return lines
