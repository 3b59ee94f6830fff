"""Renders the parent message of any resource from what the store knows about it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.blocks.conversations import conversation_card
from storage import Resource

Rendered = tuple[str, list[dict[str, Any]]]


def _conversation(resource: Resource) -> Rendered:
    return conversation_card(
        conversation_id=resource.tavus_id,
        details=resource.details,
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


_RENDERERS: dict[str, Callable[[Resource], Rendered]] = {"conversation": _conversation}


def render_parent(resource: Resource) -> Rendered:
    renderer = _RENDERERS.get(resource.kind)
    if renderer is None:
        raise ValueError(f"no parent card for a {resource.kind}")
    return renderer(resource)
