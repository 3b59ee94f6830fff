"""The Slack calls an outbox row turns into, and the look-up that makes a retry safe.

Every message the notifier posts carries its outbox row in Slack message metadata. When a
post may have reached Slack without our knowing (the process died holding the row, or the
call timed out), ``find_posted`` looks for that metadata (or, for a file, its id) before the
row is posted again: that is what makes delivery exactly once rather than at least once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.text import MESSAGE_TEXT_LIMIT, as_text, truncate
from storage import OutboxItem, Resource

logger = logging.getLogger(__name__)

META_EVENT_TYPE = "tavus_outbox"
# How far back (seconds before the row was created) and how deep (pages) to look for a post.
LOOKBACK_SECONDS = 120.0
LOOKUP_PAGES = 5
UPLOAD_TIMEOUT_SECONDS = 60.0

Posted = dict[str, Any]


def metadata(item: OutboxItem, resource: Resource, *, part: str = "") -> dict[str, Any]:
    """What identifies this row's message among everything in the channel. ``part`` tells
    apart a second message one row may post (the card that carries a thread to a DM)."""
    payload = {"outbox_id": item.id, "resource": resource.tavus_id or ""}
    if part:
        payload["part"] = part
    return {"event_type": META_EVENT_TYPE, "event_payload": payload}


def _carries(message: dict[str, Any], meta: dict[str, Any]) -> bool:
    found = message.get("metadata") or {}
    return (
        found.get("event_type") == meta["event_type"]
        and found.get("event_payload") == meta["event_payload"]
    )


def _has_file(message: dict[str, Any], file_id: str) -> bool:
    return any(f.get("id") == file_id for f in message.get("files") or [] if isinstance(f, dict))


@dataclass(frozen=True)
class Target:
    """Where a message goes, and the metadata that lets a retry find it there."""

    channel: str
    thread_ts: str | None
    meta: dict[str, Any]
    broadcast: bool = False  # a thread reply shown in the channel too (reply_broadcast)


async def post_message(
    slack: AsyncWebClient, target: Target, *, text: str, blocks: list[dict[str, Any]] | None
) -> Posted:
    response = await slack.chat_postMessage(
        channel=target.channel,
        thread_ts=target.thread_ts,
        text=as_text(text),
        blocks=blocks or None,
        metadata=target.meta,
        reply_broadcast=True if target.broadcast and target.thread_ts else None,
        unfurl_links=False,
        unfurl_media=False,
    )
    return {"ts": response.get("ts"), "channel": response.get("channel")}


def plain_version(text: str) -> str:
    """The fallback text alone, short enough for any channel: for blocks Slack refused."""
    return truncate(as_text(text) or "(no text)", MESSAGE_TEXT_LIMIT)


async def find_posted(
    slack: AsyncWebClient,
    item: OutboxItem,
    resource: Resource,
    *,
    channel: str,
    thread: str | None,
    part: str = "",
) -> Posted | None:
    """The message (or shared file) this row already produced, if Slack has it: in
    ``thread``'s replies, or in the channel's history when ``thread`` is None."""
    meta = metadata(item, resource, part=part)
    oldest = f"{max(0.0, item.created_at - LOOKBACK_SECONDS):.6f}"
    cursor: str | None = None
    for _ in range(LOOKUP_PAGES):
        if thread:
            page = await slack.conversations_replies(
                channel=channel,
                ts=thread,
                oldest=oldest,
                cursor=cursor,
                include_all_metadata=True,
                limit=200,
            )
        else:
            page = await slack.conversations_history(
                channel=channel,
                oldest=oldest,
                cursor=cursor,
                include_all_metadata=True,
                limit=200,
            )
        for message in page.get("messages") or []:
            if thread and message.get("ts") == thread:
                continue  # the thread's parent is another row's message
            if _carries(message, meta) or (item.file_id and _has_file(message, item.file_id)):
                return {"ts": message.get("ts"), "channel": channel, "found": True}
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None
    return None


async def upload_file(
    slack: AsyncWebClient,
    *,
    item: OutboxItem,
    channel: str,
    thread_ts: str | None,
    remember_file: Any,
) -> Posted:
    """files.getUploadURLExternal, the upload, then files.completeUploadExternal.

    The file id is remembered (``remember_file``) before the file is shared into the thread,
    so a retry can tell whether the share already happened.
    """
    payload = item.payload
    data = as_text(str(payload["content"])).encode()
    filename = str(payload.get("filename") or "attachment.txt")
    file_id = item.file_id
    if file_id is None:
        ticket = await slack.files_getUploadURLExternal(filename=filename, length=len(data))
        await _send_bytes(slack, str(ticket["upload_url"]), data)
        # Remembered once the bytes are in: a retry then only has to share the file.
        file_id = str(ticket["file_id"])
        await remember_file(file_id)
    comment = payload.get("comment")
    response = await slack.files_completeUploadExternal(
        files=[{"id": file_id, "title": str(payload.get("title") or filename)}],
        channel_id=channel,
        thread_ts=thread_ts,
        initial_comment=as_text(comment) if comment else None,
    )
    files = response.get("files") or []
    return {"file_ids": [f.get("id") for f in files], "channel": channel}


async def _send_bytes(slack: AsyncWebClient, url: str, data: bytes) -> None:
    """The upload URL is outside the Web API; the client's own session carries it."""
    session = slack.session
    if session is not None:
        await _post_bytes(session, url, data)
        return
    async with aiohttp.ClientSession() as own:
        await _post_bytes(own, url, data)


async def _post_bytes(session: aiohttp.ClientSession, url: str, data: bytes) -> None:
    limit = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_SECONDS)
    async with session.post(url, data=data, timeout=limit) as response:
        if response.status >= 400:
            raise aiohttp.ClientResponseError(
                response.request_info, (), status=response.status, message="upload refused"
            )


async def open_dm(slack: AsyncWebClient, user_id: str) -> str:
    """The id (D...) of the app's DM with a user: history and replies need it, not U...."""
    response = await slack.conversations_open(users=user_id)
    return str((response.get("channel") or {})["id"])


def lookup_failed(exc: SlackApiError) -> None:
    logger.warning(
        "could not check Slack for an earlier post (%s); posting again may duplicate it",
        exc.response.get("error"),
    )
