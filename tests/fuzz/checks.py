"""Checks shared by the properties: what the app hands Slack is Block Kit Slack accepts."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from storage import OutboxDraft
from tests.fakes import blockkit
from tests.fuzz import mrkdwn

# A thread reply that Slack would cut is a bug too: it posts, but loses its end.
REPLY_TEXT_MAX = blockkit.MESSAGE_TEXT_TRUNCATED_AT


def message_problems(text: Any, blocks: Any, *, text_max: int = REPLY_TEXT_MAX) -> list[str]:
    """What Slack would refuse or misread in a message: Block Kit, length and mrkdwn."""
    found = list(blockkit.validate_message(text, blocks))
    if not isinstance(text, str):
        found.append(f"text is {type(text).__name__}, not a string")
    elif len(text) > text_max:
        found.append(f"text is {len(text)} characters (over {text_max})")
    if (length := blockkit.blocks_text_length(blocks)) > blockkit.BLOCKS_TEXT_MAX:
        found.append(f"msg_blocks_too_long: {length} characters of text in blocks")
    payload = {"text": text, "blocks": blocks} if blocks is not None else {"text": text}
    found += mrkdwn.payload_problems(payload)
    return found


def view_problems(view: Any) -> list[str]:
    return [*blockkit.validate_view(view), *mrkdwn.payload_problems(view or {})]


def draft_problems(draft: OutboxDraft) -> list[str]:
    """An outbox row is stored as JSON and becomes a post, an upload or a card refresh."""
    try:
        json.dumps(draft.payload)
    except (TypeError, ValueError) as exc:
        return [f"{draft.action} payload is not JSON: {exc}"]
    payload = draft.payload
    if draft.action == "reply":
        return [f"reply: {p}" for p in message_problems(payload.get("text"), payload.get("blocks"))]
    if draft.action == "upload":
        return _upload_problems(payload)
    if draft.action == "refresh_parent":
        return []
    return [f"an outbox action nobody delivers: {draft.action!r}"]


def _upload_problems(payload: Mapping[str, Any]) -> list[str]:
    found = []
    for key in ("content", "filename", "title"):
        if not isinstance(payload.get(key), str) or not payload[key]:
            found.append(f"upload: {key} is {payload.get(key)!r}")
    comment = payload.get("comment")
    if comment is not None:
        found += [f"upload comment: {p}" for p in message_problems(comment, None)]
    return found


def options_problems(answer: Any) -> list[str]:
    """An options (block_suggestion) answer: ``options`` or ``option_groups``, in limits."""
    if not isinstance(answer, Mapping):
        return [f"not an object: {answer!r:.200}"]
    keys = {"options", "option_groups"} & set(answer)
    if len(keys) != 1:
        return [f"needs exactly one of options or option_groups, got {sorted(answer)}"]
    (key,) = keys
    if answer[key] == []:
        return []
    # A static select carries the same option objects under the same limits.
    select = {"type": "static_select", "action_id": "probe", key: answer[key]}
    return blockkit.validate_blocks([{"type": "actions", "elements": [select]}])


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7396, as SQLite's json_patch applies a resource's new details."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping):
            current = merged.get(key)
            merged[key] = merge_patch(current if isinstance(current, Mapping) else {}, value)
        elif isinstance(value, float) and not math.isfinite(value):
            merged.pop(key, None)  # the store writes NaN and infinities as null
        else:
            merged[key] = value
    return merged
