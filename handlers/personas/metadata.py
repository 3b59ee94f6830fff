"""What a modal carries from one submit to the next, whatever its size.

Slack keeps at most 3,000 characters of `private_metadata`. A payload that fits travels in
it; a larger one (a persona with a long prompt, a patch that replaces it) is kept in the
store's preferences under a random key of the user's, and only the key travels; so does one
that must not reach Slack at all (``keep``: it holds a secret, or a fingerprint of one). A
kept payload is let go of once used, or when its modal is closed (``release``).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from bot.blocks import kit
from storage import Store

PREFIX = "modal-payload:"
SCOPE = "user"


async def pack(
    store: Store, *, team_id: str, user_id: str, payload: dict[str, Any], keep: bool = False
) -> str:
    """The `private_metadata` for ``payload``: itself, or the key it is kept under (always,
    with ``keep``)."""
    # ASCII: a lone surrogate from Tavus or the user survives as \udce9 (Slack and SQLite
    # refuse it raw).
    inline = json.dumps({"v": payload}, separators=(",", ":"))
    if not keep and len(inline) <= kit.PRIVATE_METADATA_MAX:
        return inline
    key = PREFIX + secrets.token_urlsafe(18)
    value = json.dumps(payload, separators=(",", ":"))
    await store.set_preference(team_id=team_id, scope=SCOPE, scope_id=user_id, key=key, value=value)
    return json.dumps({"kept": key})


def _read(metadata: str) -> dict[str, Any]:
    try:
        found = json.loads(metadata or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def unpack(
    store: Store, *, team_id: str, user_id: str, metadata: str
) -> dict[str, Any] | None:
    """The payload ``pack`` was given, or None (unreadable, or already taken)."""
    found = _read(metadata)
    if isinstance(found.get("v"), dict):
        return found["v"]
    key = found.get("kept")
    if not isinstance(key, str) or not key.startswith(PREFIX):
        return None
    value = await store.get_preference(team_id=team_id, scope=SCOPE, scope_id=user_id, key=key)
    if value is None:
        return None
    payload = json.loads(value)
    return payload if isinstance(payload, dict) else None


async def release(store: Store, *, team_id: str, user_id: str, metadata: str) -> None:
    """Forget a kept payload (nothing to do for one that travelled inline)."""
    key = _read(metadata).get("kept")
    if isinstance(key, str) and key.startswith(PREFIX):
        await store.set_preference(
            team_id=team_id, scope=SCOPE, scope_id=user_id, key=key, value=None
        )
