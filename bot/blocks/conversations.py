"""Block Kit for conversations: the live parent card and the threaded event replies.

Every Tavus or user string is escaped and capped to one line before it joins a mrkdwn text,
so a hostile name cannot push the facts after it out of the card; the kit then keeps each
block inside Slack's limits. The small helpers here (``one_line``, ``join_url``...) are
shared by the other conversation builders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.text import as_text, code, escape, link, plain, truncate
from bot.domain.conversations import ENDED, LIVE
from bot.times import parse_time
from storage import Resource

END_CALL_ACTION = "conversation_end"
JOIN_ACTION = "conversation_join"
ACTIONS_BLOCK = "conversation_actions"  # block_id "conversation_actions:{conversation_id}"

# Caps on what one value may take of a line, before escaping (which can grow it fivefold).
NAME_MAX = 150
ID_SHOWN_MAX = 80
SPEAKER_MAX = 80
# A mrkdwn link is one token the kit never cuts; past this it would not fit a section
# beside the rest of its line, so it is left out instead.
LINK_MAX = 2000

Blocks = list[dict[str, Any]]

# Slack opens a button's url in the browser: only a plain http(s) URL, no spaces or controls.
_URL = re.compile(r"https?://[^\s/?#<>\"\x00-\x1f\x7f]+[^\s<>\"\x00-\x1f\x7f]*", re.IGNORECASE)
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,40}")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,40}")

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


# -- shared helpers --------------------------------------------------------------------------


def one_line(value: object, limit: int = NAME_MAX) -> str:
    """A Tavus or user value as escaped mrkdwn on one line, capped before escaping."""
    return escape(plain(value, limit))


def shown_id(value: object) -> str:
    """An id as inline code, capped: a 100,000-character id would crowd out everything."""
    return code(plain(value, ID_SHOWN_MAX))


def join_url(value: object) -> str | None:
    """The URL if a button or link can carry it: http(s), within Slack's 3,000 characters."""
    if not isinstance(value, str) or len(value) > kit.URL_MAX or as_text(value) != value:
        return None
    return value if _URL.fullmatch(value) else None


def join_link(url: object, label: object) -> str | None:
    """A mrkdwn link to ``url``, or None when the URL is unusable or the link too long."""
    usable = join_url(url)
    if usable is None:
        return None
    token = link(usable, plain(label, NAME_MAX))
    return token if len(token) <= LINK_MAX else None


def user_mention(user_id: object) -> str:
    """``<@U…>`` for a Slack user id; anything else is shown as escaped text."""
    if isinstance(user_id, str) and _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return one_line(user_id or "Someone", ID_SHOWN_MAX)


def channel_mention(channel_id: object) -> str | None:
    """``<#C…>`` for a public or private channel id, else None (a DM has no mention)."""
    if isinstance(channel_id, str) and _CHANNEL_ID.fullmatch(channel_id):
        return f"<#{channel_id}>"
    return None


def fits(value: object, limit: int) -> bool:
    """Whether the kit can carry ``value`` as an id or value: a valid string within ``limit``."""
    return isinstance(value, str) and len(value) <= limit and as_text(value) == value


# -- the card --------------------------------------------------------------------------------


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
    url = join_url(details.get("conversation_url"))
    title = f"{user_mention(owner_user_id)} started a Tavus conversation"
    ended = status == ENDED
    blocks: Blocks = [
        kit.section(f"{title}\n{_facts(details)}"),
        kit.context(status_line(status, details)),
    ]
    actions = None if ended else _actions(conversation_id, url)
    if actions is not None:
        blocks.append(actions)
    blocks.append(kit.context(f"Conversation {shown_id(conversation_id)}"))
    if ended:
        text = f"Tavus conversation {one_line(conversation_id, ID_SHOWN_MAX)} ended"
    else:
        text = f"{title}: join at {escape(url)}" if url else title
    return kit.message(text, blocks)


def _facts(details: Mapping[str, Any]) -> str:
    persona = details.get("persona_name") or details.get("persona_id") or "default persona"
    replica = details.get("replica_name") or details.get("replica_id") or "persona's replica"
    facts = f"*Persona:* {one_line(persona)}   *Replica:* {one_line(replica)}"
    mode = _mode_words(details)
    return f"{facts}   *Mode:* {mode}" if mode else facts


def _mode_words(details: Mapping[str, Any]) -> str:
    words = []
    if details.get("audio_only"):
        words.append("audio only")
    if details.get("test_mode"):
        words.append("test (no replica joins)")
    return ", ".join(words)


def status_line(status: str | None, details: Mapping[str, Any]) -> str:
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


def _actions(conversation_id: str, url: str | None) -> dict[str, Any] | None:
    """Join and End; a button whose URL or id Slack cannot carry is left out, not cut."""
    elements = []
    if url is not None:
        elements.append(kit.button("Join", action_id=JOIN_ACTION, url=url, style="primary"))
    if fits(conversation_id, kit.BUTTON_VALUE_MAX):
        elements.append(end_button(conversation_id))
    if not elements:
        return None
    block_id = f"{ACTIONS_BLOCK}:{conversation_id}"
    return kit.actions(*elements, block_id=block_id if fits(block_id, kit.ID_MAX) else None)


def end_button(conversation_id: str, *, action_id: str = END_CALL_ACTION) -> dict[str, Any]:
    return kit.button(
        "End call",
        action_id=action_id,
        value=conversation_id,
        style="danger",
        confirm=kit.confirm_dialog(
            "End this call?", "Everyone in the call will be disconnected.", "End call", "Keep it"
        ),
    )


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


# -- thread replies --------------------------------------------------------------------------


def section(text: str) -> dict[str, Any]:
    """One section of already-escaped mrkdwn, capped at Slack's 3,000 at a safe place."""
    return kit.section(text)


_SPEAKERS = {"user": "Participant", "assistant": "Replica", "tool": "Tool"}


def transcript_lines(transcript: Sequence[Mapping[str, Any]], *, replica_label: str) -> list[str]:
    """Plain lines, system prompt dropped: the prompt is the operator's, not the call's."""
    replica = plain(replica_label or "Replica", SPEAKER_MAX)
    lines = []
    for turn in transcript:
        if not isinstance(turn, Mapping):
            continue
        role = as_text(turn.get("role"))[:40]
        if role == "system":
            continue
        speaker = replica if role == "assistant" else _SPEAKERS.get(role, role or "Unknown")
        content = " ".join(as_text(turn.get("content")).split())
        if content:
            lines.append(f"{speaker}: {content}")
    return lines
