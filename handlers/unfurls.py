"""Link unfurls: a Tavus conversation or video link pasted in Slack shows what it is.

Only for what this workspace's Tavus API key can read: any other link (or one Tavus will not
describe) is left as Slack shows it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks import kit
from bot.blocks.conversation_lists import conversation_details
from bot.blocks.conversations import one_line
from bot.blocks.videos import video_details
from bot.services import Services
from bot.tavus import TavusError

logger = logging.getLogger(__name__)

# The hosts Tavus's links live on (manifest.yml declares them as unfurl domains).
CONVERSATION_LINK = re.compile(r"^https://tavus\.daily\.co/(c[0-9a-f]{4,32})/?(?:[?#].*)?$")
VIDEO_LINK = re.compile(r"^https://videos\.tavus\.io/video/([0-9a-f]{6,32})/?(?:[?#].*)?$")
LOOKUP_SECONDS = 2.5  # several links share Slack's patience
MAX_LINKS = 5

Unfurl = dict[str, Any]


async def handle_link_shared(event: dict[str, Any], services: Services) -> None:
    links = [link.get("url") for link in event.get("links") or [] if isinstance(link, dict)]
    urls = [url for url in links if isinstance(url, str)][:MAX_LINKS]
    found = await asyncio.gather(*(_describe(services, url) for url in urls))
    unfurls = {url: unfurl for url, unfurl in zip(urls, found, strict=True) if unfurl}
    if not unfurls:
        return
    where = _where(event)
    if where is None:
        return
    try:
        await services.slack.chat_unfurl(
            channel=where.get("channel"),
            ts=where.get("ts"),
            unfurl_id=where.get("unfurl_id"),
            source=where.get("source"),
            unfurls=unfurls,
        )
    except SlackApiError as exc:
        logger.info("Slack refused an unfurl: %s", exc.response.get("error"))


def _where(event: dict[str, Any]) -> dict[str, str] | None:
    """A message's links (channel + ts), or a link being composed (unfurl_id + source)."""
    if isinstance(event.get("unfurl_id"), str) and isinstance(event.get("source"), str):
        return {"unfurl_id": event["unfurl_id"], "source": event["source"]}
    channel, ts = event.get("channel"), event.get("message_ts")
    if isinstance(channel, str) and isinstance(ts, str):
        return {"channel": channel, "ts": ts}
    return None


async def _describe(services: Services, url: str) -> Unfurl | None:
    for pattern, describe in _DESCRIBERS:
        if match := pattern.match(url):
            try:
                return await asyncio.wait_for(describe(services, match.group(1)), LOOKUP_SECONDS)
            except (TavusError, TimeoutError, ValueError) as exc:
                logger.info("no unfurl for a Tavus link: %r", exc)  # not ours to show
                return None
    return None


async def _conversation(services: Services, conversation_id: str) -> Unfurl:
    conversation = await services.tavus.conversations.get(conversation_id)
    _, blocks = conversation_details(conversation, joinable=False)
    return {"blocks": [*blocks, *await _replica_line(services, conversation.replica_id)]}


async def _video(services: Services, video_id: str) -> Unfurl:
    video = await services.tavus.videos.get(video_id, verbose=True)
    _, blocks = video_details(video)
    return {"blocks": [*blocks, *await _replica_line(services, video.replica_id)]}


async def _replica_line(services: Services, replica_id: str | None) -> list[dict[str, Any]]:
    if not replica_id:
        return []
    try:
        replica = await services.tavus.replicas.get(replica_id)
    except TavusError:
        return []
    return [kit.context(f"Replica: {one_line(replica.replica_name or replica_id)}")]


_DESCRIBERS: tuple[tuple[re.Pattern[str], Callable[[Services, str], Awaitable[Unfurl]]], ...] = (
    (CONVERSATION_LINK, _conversation),
    (VIDEO_LINK, _video),
)
