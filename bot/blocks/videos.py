"""Block Kit for videos: the job card, the threaded result, and listings and details.

As on the conversation card, every Tavus or user value is escaped and capped to one line
before it joins a text, and a URL becomes a link only when a link can carry it whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import join_link, join_url, one_line, shown_id, user_mention
from bot.blocks.progress import progress_bar
from bot.blocks.text import escape, plain
from bot.domain import videos as domain
from bot.tavus import Video
from storage import Resource

Blocks = list[dict[str, Any]]

SCRIPT_PREVIEW_MAX = 200
SCRIPT_SHOWN_MAX = 1000
REASON_SHOWN_MAX = 600
_STATUS_MAX = 40
_TIME_MAX = 64
IMAGE_ALT_MAX = 2000

_STATUS_WORDS = {
    domain.QUEUED: "queued",
    domain.GENERATING: "generating",
    domain.READY: "ready",
    domain.ERROR: "failed",
    domain.DELETED: "deleted",
}
TRY_AGAIN = (
    "Check the script (or the audio file) and the replica, then try again with `/tavus video`."
)


# -- the card ------------------------------------------------------------------------------


def render_card(resource: Resource) -> tuple[str, Blocks]:
    return video_card(
        video_id=resource.tavus_id or "",
        name=resource.name,
        details=resource.details,
        status=resource.status,
        owner_user_id=resource.owner_user_id,
    )


def video_card(
    *,
    video_id: str,
    name: str | None,
    details: Mapping[str, Any],
    status: str | None,
    owner_user_id: str,
) -> tuple[str, Blocks]:
    title = f"{user_mention(owner_user_id)} asked Tavus for a video"
    blocks: Blocks = [
        kit.section(f"{title}\n{_facts(name, details)}"),
        kit.context(status_line(status, details)),
        kit.context(f"Video {shown_id(video_id)}"),
    ]
    shown = one_line(name or video_id or "Untitled video")
    return kit.message(f"Tavus video {shown}: {_STATUS_WORDS.get(status or '', 'queued')}", blocks)


def _facts(name: str | None, details: Mapping[str, Any]) -> str:
    lines = [f"*Name:* {one_line(name or 'Untitled video')}"]
    replica = details.get("replica_name") or details.get("replica_id")
    if replica:
        lines[0] += f"   *Replica:* {one_line(replica)}"
    if details.get("script"):
        lines.append(f"*Script:* {one_line(details['script'], SCRIPT_PREVIEW_MAX)}")
    elif audio := join_link(details.get("audio_url"), "audio file"):
        lines.append(f"*Audio:* {audio}")
    mode = [
        words
        for key, words in (("fast", "fast rendering"), ("transparent", "transparent background"))
        if details.get(key)
    ]
    if mode:
        lines.append(f"*Mode:* {', '.join(mode)}")
    return "\n".join(lines)


def status_line(status: str | None, details: Mapping[str, Any]) -> str:
    if status == domain.READY:
        links = _links(details)
        return ":white_check_mark: *Ready*" + (f": {links}" if links else "")
    if status == domain.ERROR:
        return f":x: *Failed*: {reason_words(details.get('error'))}"
    if status == domain.DELETED:
        return ":wastebasket: *Deleted* in Tavus"
    if status == domain.GENERATING:
        return f":gear: *Generating* {progress_bar(_percent(details.get('progress')))}"
    return ":hourglass_flowing_sand: *Queued*: Tavus starts rendering shortly"


def _percent(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _links(details: Mapping[str, Any]) -> str:
    found = [
        join_link(details.get(key), label)
        for key, label in (
            ("hosted_url", "Watch"),
            ("download_url", "Download"),
            ("stream_url", "Stream (HLS)"),
        )
    ]
    return " · ".join(link for link in found if link)


def reason_words(reason: object) -> str:
    """Tavus's reason as it wrote it (escaped and capped), or that it gave none."""
    if plain(reason, REASON_SHOWN_MAX) == kit.EMPTY:
        return "Tavus gave no reason"
    return one_line(reason, REASON_SHOWN_MAX)


# -- thread replies ------------------------------------------------------------------------


def ready_message(
    *,
    hosted_url: str | None,
    download_url: str | None,
    stream_url: str | None,
    thumbnail_url: str | None,
) -> tuple[str, Blocks]:
    details = {"hosted_url": hosted_url, "download_url": download_url, "stream_url": stream_url}
    links = _links(details)
    text = ":clapper: Your video is ready" + (f": {links}" if links else ".")
    blocks: Blocks = [kit.section(text)]
    if image := thumbnail(thumbnail_url, "Thumbnail of the video"):
        blocks.append(image)
    page = join_url(hosted_url) or join_url(download_url)
    fallback = f":clapper: Your video is ready: {escape(page)}" if page else text
    return kit.message(fallback, blocks)


def thumbnail_message(thumbnail_url: object) -> tuple[str, Blocks] | None:
    """The thumbnail alone, for when it comes after the ready message; None if unusable."""
    image = thumbnail(thumbnail_url, "Thumbnail of the video")
    if image is None:
        return None
    text = ":frame_with_picture: The video's thumbnail:"
    return kit.message(text, [kit.section(text), image])


def error_message(reason: object) -> tuple[str, Blocks]:
    text = f":x: The video could not be generated: {reason_words(reason)}.\n{TRY_AGAIN}"
    return kit.message(text, [kit.section(text)])


def deleted_message() -> tuple[str, Blocks]:
    text = ":wastebasket: This video was deleted in Tavus; its links no longer work."
    return kit.message(text, [kit.section(text)])


def thumbnail(url: object, alt_text: object) -> dict[str, Any] | None:
    """An image, as a block or a section's accessory (the two read alike), when the URL is
    one Slack can take whole; Slack fetches it, and a post it cannot fetch goes as text."""
    usable = join_url(url)
    if usable is None:
        return None
    return {"type": "image", "image_url": usable, "alt_text": plain(alt_text, IMAGE_ALT_MAX)}


# -- listings ------------------------------------------------------------------------------


def video_line(video: Video) -> str:
    """One mrkdwn line of `/tavus videos`; every part capped so the line fits a section."""
    name = one_line(video.video_name or "Untitled")
    line = f"{shown_id(video.video_id)} *{name}* · {_status(video)}"
    if video.status == domain.READY and (watch := join_link(video.hosted_url, "watch")):
        line += f" · {watch}"
    if video.created_at:
        line += f" · created {one_line(video.created_at, _TIME_MAX)}"
    return line


def _status(video: Video) -> str:
    status = one_line(video.status or "unknown", _STATUS_MAX)
    percent = video.progress_percent
    if video.status == domain.GENERATING and percent is not None:
        status += f" {percent}%"
    return status


def video_details(video: Video) -> tuple[str, Blocks]:
    """`/tavus video show`: the facts, the links, and the thumbnail when there is one."""
    name = one_line(video.video_name or "Untitled video")
    facts = [
        f"*{name}* {shown_id(video.video_id)}",
        f"*Status:* {_status(video)}",
        f"*Replica:* {shown_id(video.replica_id or '—')}",
    ]
    if video.script:
        facts.append(f"*Script:* {one_line(video.script, SCRIPT_SHOWN_MAX)}")
    links = _links(
        {
            "hosted_url": video.hosted_url,
            "download_url": video.download_url,
            "stream_url": video.stream_url,
        }
    )
    if links:
        facts.append(f"*Links:* {links}")
    if video.status == domain.ERROR:
        reason = video.status_details or video.error_details
        facts.append(f"*Failed:* {reason_words(reason)}")
    facts.append(
        f"*Created:* {one_line(video.created_at or '—', _TIME_MAX)}   "
        f"*Updated:* {one_line(video.updated_at or '—', _TIME_MAX)}"
    )
    image = thumbnail(video.thumbnail_image_url, f"Thumbnail of {video.video_name or 'the video'}")
    text = f"Video {one_line(video.video_id, 80)}"
    return kit.message(text, [kit.section("\n".join(facts), accessory=image)])
