"""Block Kit for replicas: the training card, its thread replies, listings, details, voices.

Every Tavus or user string is escaped and capped before it joins a mrkdwn text (the helpers
of ``bot.blocks.conversations``); the kit keeps each block inside Slack's limits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import ID_SHOWN_MAX, join_link, one_line, shown_id, user_mention
from bot.blocks.progress import progress_bar
from bot.blocks.text import as_text, code, escape, plain, truncate
from bot.domain import replicas as domain
from bot.tavus import Replica, Voice
from storage import Resource

Blocks = list[dict[str, Any]]

TRAINING_TIME = "3–6 hours"
# Caps on one value before escaping (which can grow it fivefold).
REASON_MAX = 500
LINE_REASON_MAX = 100
VOICE_NAME_MAX = 60
TAGS_MAX = 80
SEARCH_MAX = 100
_STATUS_MAX = 40
_TIME_MAX = 64
_MODEL_MAX = 40

VOICES_MORE_ACTION = "voices_more"
TRAIN_AGAIN = "Then train again with `/tavus replica train`."
NO_REASON = "Tavus gave no reason"

# What to do about a training error, by what Tavus's message says (first match wins).
_ADVICE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), advice)
    for pattern, advice in (
        (
            r"consent",
            "Open the training video with the consent statement, word for word, or give a "
            "separate consent video that holds it.",
        ),
        (
            r"duration|too short|minimum length",
            "Use a training video with about two minutes of you talking to the camera.",
        ),
        (
            r"download|access|fetch|reach|expired|forbidden|\b40[34]\b|\burl\b",
            "Give a direct download link (a presigned S3 URL, say) that stays readable for at "
            "least a day: training reads it for hours.",
        ),
        (r"\bsize\b|too large|750", "Keep the file under 750 MB."),
        (r"codec|h\.?264|\bformat\b|encod", "Export the video as an H.264 MP4."),
        (
            r"image|face|photo",
            "Use a clear, well-lit, front-facing photo of one person, or tick “Fix the image "
            "for me” in the form.",
        ),
        (r"voice", "Pick a voice that `/tavus voices` lists."),
    )
)
_DEFAULT_ADVICE = (
    "Check the footage against Tavus's training requirements: about two minutes of video, "
    "H.264, under 750 MB, at a direct link that stays readable for a day."
)


# -- words shared by the card, the thread and the listings -------------------------------------


def reason_words(error: object, limit: int = REASON_MAX) -> str:
    """Tavus's error message, escaped and capped; one line, so nothing after it is lost."""
    text = " ".join(as_text(error).split())
    return escape(truncate(text, limit)) if text else NO_REASON


def advice(error: object) -> str:
    """What the user can do about a failed training, in words."""
    text = as_text(error)
    return next((words for pattern, words in _ADVICE if pattern.search(text)), _DEFAULT_ADVICE)


def percent(value: object) -> int | None:
    """A stored progress as a percentage; anything but a number is unknown."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, min(100, round(value)))


def call_hint(replica_id: str) -> str:
    return code(f"/tavus call {plain(replica_id, ID_SHOWN_MAX)}")


# -- the card --------------------------------------------------------------------------------


def render_card(resource: Resource) -> tuple[str, Blocks]:
    return replica_card(
        replica_id=resource.tavus_id or "",
        name=resource.name,
        status=resource.status,
        details=resource.details,
        owner_user_id=resource.owner_user_id,
    )


def replica_card(
    *,
    replica_id: str,
    name: str | None,
    status: str | None,
    details: Mapping[str, Any],
    owner_user_id: str,
) -> tuple[str, Blocks]:
    title = f"{user_mention(owner_user_id)} started training a Tavus replica"
    blocks: Blocks = [
        kit.section(f"{title}\n{_facts(name, details)}"),
        kit.context(status_line(replica_id, status, details)),
        kit.context(f"Replica {shown_id(replica_id)}"),
    ]
    return kit.message(_fallback(replica_id, name, status, details), blocks)


def _facts(name: str | None, details: Mapping[str, Any]) -> str:
    model = one_line(details.get("model_name") or "Tavus's default", _MODEL_MAX)
    facts = f"*Name:* {one_line(name or 'Untitled replica')}   *Model:* {model}"
    source = _source_words(details)
    return f"{facts}   *From:* {source}" if source else facts


def _source_words(details: Mapping[str, Any]) -> str | None:
    if details.get("source") == "image":
        voice = details.get("voice_name")
        return f"an image, voice {code(plain(voice, VOICE_NAME_MAX))}" if voice else "an image"
    if details.get("source") == "video":
        return "a video and a consent video" if details.get("consent_video") else "a video"
    return None


def status_line(replica_id: str, status: str | None, details: Mapping[str, Any]) -> str:
    if status == domain.TRAINING:
        bar = progress_bar(percent(details.get("progress")))
        return (
            f":hourglass_flowing_sand: *Training* {bar} · usually takes {TRAINING_TIME}; "
            "this thread says when it is done"
        )
    if status == domain.READY:
        line = f":white_check_mark: *Trained*: ready for conversations ({call_hint(replica_id)})"
        preview = join_link(details.get("thumbnail_video_url"), "preview")
        return f"{line} · {preview}" if preview else line
    if status == domain.ERROR:
        return f":x: *Training failed*: {reason_words(details.get('error_message'))}"
    if status == domain.DELETED:
        return ":wastebasket: *Deleted*"
    return ":hourglass_flowing_sand: *Starting the training…*"


def _fallback(
    replica_id: str, name: str | None, status: str | None, details: Mapping[str, Any]
) -> str:
    what = f"Tavus replica {one_line(name or replica_id, ID_SHOWN_MAX)}"
    if status == domain.TRAINING:
        return f"{what}: training, {progress_bar(percent(details.get('progress')))}"
    words = {domain.READY: "trained", domain.ERROR: "training failed", domain.DELETED: "deleted"}
    return f"{what}: {words.get(status or '', 'starting')}"


# -- thread replies --------------------------------------------------------------------------


def trained_message(replica_id: str, name: str | None) -> tuple[str, Blocks]:
    text = (
        f":white_check_mark: Replica *{one_line(name or replica_id)}* is trained and ready for "
        f"conversations: {call_hint(replica_id)}, or pick it in the start form."
    )
    return kit.message(text, [kit.section(text)])


def failed_message(error: object) -> tuple[str, Blocks]:
    text = (
        f":x: Training failed: {reason_words(error)}\n*What to do:* {advice(error)} {TRAIN_AGAIN}"
    )
    return kit.message(text, [kit.section(text)])


# -- listings and details --------------------------------------------------------------------


def status_words(replica: Replica) -> str:
    status = domain.status_of(replica.status)
    if status == domain.TRAINING:
        return f"training {progress_bar(replica.progress_percent)}"
    if status == domain.READY:
        return "ready"
    if status == domain.ERROR:
        return f"failed: {reason_words(replica.error_message, LINE_REASON_MAX)}"
    return one_line(replica.status or "unknown", _STATUS_MAX)


def replica_line(replica: Replica) -> str:
    """One mrkdwn line of a listing; every part is capped so the line fits one section."""
    name = one_line(replica.replica_name or "Untitled")
    line = f"{shown_id(replica.replica_id)} *{name}* · {status_words(replica)}"
    if replica.model_name:
        line += f" · {one_line(replica.model_name, _MODEL_MAX)}"
    if replica.replica_type == "system":
        line += " · stock"
    return line


def replica_details(replica: Replica) -> tuple[str, Blocks]:
    facts = [
        f"*Status:* {status_words(replica)}",
        f"*Model:* {one_line(replica.model_name or '—', _MODEL_MAX)}   "
        f"*Type:* {one_line(replica.replica_type or '—', _STATUS_MAX)}",
        f"*Created:* {one_line(replica.created_at or '—', _TIME_MAX)}   "
        f"*Updated:* {one_line(replica.updated_at or '—', _TIME_MAX)}",
    ]
    status = domain.status_of(replica.status)
    if status == domain.ERROR:
        facts.append(f"*Why:* {reason_words(replica.error_message)}")
        facts.append(f"*What to do:* {advice(replica.error_message)} {TRAIN_AGAIN}")
    if status == domain.READY:
        facts.append(f"*Use it:* {call_hint(replica.replica_id)}")
    preview = join_link(replica.thumbnail_video_url, "preview video")
    if preview:
        facts.append(f"*Preview:* {preview}")
    name = one_line(replica.replica_name or "Untitled replica")
    title = f"*{name}* {shown_id(replica.replica_id)}"
    text = f"Replica {one_line(replica.replica_id, ID_SHOWN_MAX)}"
    return kit.message(text, kit.sections(title + "\n" + "\n".join(facts)))


# -- voices ----------------------------------------------------------------------------------


def voice_line(voice: Voice) -> str:
    line = code(plain(voice.voice_name, VOICE_NAME_MAX))
    tags = ", ".join(as_text(tag) for tag in voice.tags)
    if tags.strip():
        line += f" · {one_line(tags, TAGS_MAX)}"
    listen = join_link(voice.audio_url, "listen")
    return f"{line} · {listen}" if listen else line


def voices_page(
    *,
    lines: Sequence[str],
    page: int,
    page_size: int,
    total: int,
    search: str | None,
    has_more: bool,
) -> tuple[str, Blocks]:
    """One page of stock voices, with "More" when there are more."""
    what = f"voices matching “{one_line(search, SEARCH_MAX)}”" if search else "voices"
    if not lines:
        text = f"No stock {what}." if page == 1 else f"No more stock {what}."
        return kit.message(text, [kit.section(text)])
    first = (page - 1) * page_size + 1
    header = f"*Tavus stock {what}* ({first}–{first + len(lines) - 1} of {total})"
    blocks: Blocks = [kit.section(header), *kit.sections("\n".join(lines))]
    blocks.append(
        kit.context(
            "A replica trained from an image speaks with one of these: give its name in "
            "`/tavus replica train`."
        )
    )
    if has_more and _carried(search):
        more = voices_more_value(page + 1, search)
        blocks.append(kit.actions(kit.button("More", action_id=VOICES_MORE_ACTION, value=more)))
    return kit.message(header, blocks)


def _carried(search: str | None) -> bool:
    """Whether a button can take the search to the next page whole (a cut one is another)."""
    return search is None or (len(search) <= SEARCH_MAX and as_text(search) == search)


def voices_more_value(page: int, search: str | None) -> str:
    return f"{page}:{search or ''}"


def parse_voices_more(value: str) -> tuple[int, str | None] | None:
    number, _, search = value.partition(":")
    if not number.isascii() or not number.isdigit() or not 0 < int(number) < 100_000:
        return None
    if len(search) > SEARCH_MAX:
        return None
    return int(number), search or None
