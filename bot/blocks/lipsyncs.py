"""Block Kit for lip-syncs: the job card, the threaded result, and listings and details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import join_link, join_url, one_line, shown_id, user_mention
from bot.blocks.text import escape
from bot.blocks.videos import reason_words
from bot.domain import lipsyncs as domain
from bot.tavus import Lipsync
from storage import Resource

Blocks = list[dict[str, Any]]

_STATUS_MAX = 40
_TIME_MAX = 64
_STATUS_WORDS = {
    domain.STARTED: "lip-syncing",
    domain.COMPLETED: "ready",
    domain.ERROR: "failed",
    domain.DELETED: "deleted",
}
TRY_AGAIN = (
    "Check that both links are public and that the video shows one face speaking, then try "
    "again with `/tavus lipsync`."
)


def render_card(resource: Resource) -> tuple[str, Blocks]:
    return lipsync_card(
        lipsync_id=resource.tavus_id or "",
        name=resource.name,
        details=resource.details,
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


def lipsync_card(
    *,
    lipsync_id: str,
    name: str | None,
    details: Mapping[str, Any],
    status: str | None,
    owner_user_id: str,
) -> tuple[str, Blocks]:
    title = f"{user_mention(owner_user_id)} asked Tavus for a lip-sync"
    blocks: Blocks = [
        kit.section(f"{title}\n{_facts(name, details)}"),
        kit.context(status_line(status, details)),
        kit.context(f"Lip-sync {shown_id(lipsync_id)}"),
    ]
    shown = one_line(name or lipsync_id or "Untitled lip-sync")
    words = _STATUS_WORDS.get(status or "", "lip-syncing")
    return kit.message(f"Tavus lip-sync {shown}: {words}", blocks)


def _facts(name: str | None, details: Mapping[str, Any]) -> str:
    facts = [f"*Name:* {one_line(name or 'Untitled lip-sync')}"]
    sources = [
        join_link(details.get("original_video_url"), "original video"),
        join_link(details.get("source_audio_url"), "new audio"),
    ]
    shown = [source for source in sources if source]
    if shown:
        facts.append(f"*From:* {' + '.join(shown)}")
    return "\n".join(facts)


def status_line(status: str | None, details: Mapping[str, Any]) -> str:
    if status == domain.COMPLETED:
        watch = join_link(details.get("video_url"), "Download")
        return ":white_check_mark: *Ready*" + (f": {watch}" if watch else "")
    if status == domain.ERROR:
        return f":x: *Failed*: {reason_words(details.get('error'))}"
    if status == domain.DELETED:
        return ":wastebasket: *Deleted*"
    return ":hourglass_flowing_sand: *Lip-syncing*: Tavus reports no progress until it is done"


def completed_message(video_url: str | None) -> tuple[str, Blocks]:
    link = join_link(video_url, "Download the lip-synced video")
    text = ":lips: The lip-sync is ready" + (f": {link}" if link else ".")
    url = join_url(video_url)
    fallback = f":lips: The lip-sync is ready: {escape(url)}" if url else text
    return kit.message(fallback, [kit.section(text)])


def error_message(reason: object) -> tuple[str, Blocks]:
    text = f":x: The lip-sync failed: {reason_words(reason)}.\n{TRY_AGAIN}"
    return kit.message(text, [kit.section(text)])


def lipsync_line(lipsync: Lipsync) -> str:
    name = one_line(lipsync.lipsync_name or "Untitled")
    status = one_line(lipsync.status or "unknown", _STATUS_MAX)
    line = f"{shown_id(lipsync.lipsync_id)} *{name}* · {status}"
    if download := join_link(lipsync.video_url, "download"):
        line += f" · {download}"
    if lipsync.created_at:
        line += f" · created {one_line(lipsync.created_at, _TIME_MAX)}"
    return line


def lipsync_details(lipsync: Lipsync, *, deprecation: str) -> tuple[str, Blocks]:
    name = one_line(lipsync.lipsync_name or "Untitled lip-sync")
    facts = [
        f"*{name}* {shown_id(lipsync.lipsync_id)}",
        f"*Status:* {one_line(lipsync.status or 'unknown', _STATUS_MAX)}",
    ]
    if download := join_link(lipsync.video_url, "Download"):
        facts.append(f"*Video:* {download}")
    if lipsync.status == domain.ERROR:
        reason = lipsync.raw.get("error_message") or lipsync.raw.get("status_details")
        facts.append(f"*Failed:* {reason_words(reason)}")
    facts.append(f"*Created:* {one_line(lipsync.created_at or '—', _TIME_MAX)}")
    text = f"Lip-sync {one_line(lipsync.lipsync_id, 80)}"
    return kit.message(text, [kit.section("\n".join(facts)), kit.context(escape(deprecation))])
