"""Answers through a response_url that never fail silently."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import kit
from bot.blocks.text import escape
from bot.tavus import TavusError

logger = logging.getLogger(__name__)


async def say_privately(
    respond: AsyncRespond,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    replace: bool = False,
    public: bool = False,
) -> None:
    """An ephemeral answer (``public``: one the whole channel sees); if Slack refuses its
    blocks, the text alone; logged if both fail."""
    text, blocks = kit.message(text, blocks or [])
    kind = "in_channel" if public else "ephemeral"
    args: dict[str, Any] = {"response_type": kind, "replace_original": replace}
    try:
        response = await respond(text=text, blocks=blocks or None, **args)
        if response.status_code == 200 or not blocks:
            _check(response.status_code, response.body)
            return
        logger.warning("Slack refused a reply's blocks (%s); sending the text", response.body)
        response = await respond(text=text, **args)
        _check(response.status_code, response.body)
    except Exception as exc:  # noqa: BLE001 - nothing else can reach the user; say why in the log
        logger.warning("could not answer the user through response_url: %r", exc)


def _check(status: int, body: str) -> None:
    if status != 200:
        logger.warning("Slack refused a reply through response_url: %s %s", status, body[:200])


def tavus_refused(exc: TavusError) -> str:
    return f":warning: {escape(exc.user_message)}"


# A request that failed because the database cannot take writes (locked, read-only, full).
CANNOT_SAVE = (
    ":warning: Tavus for Slack cannot save anything just now (its database is unavailable), so "
    "the request was not completed. Try again in a few minutes; if you started something, "
    "check its list first."
)
