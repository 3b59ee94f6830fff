"""What "valid mrkdwn" means for text the app builds from someone else's words.

Slack reads ``&``, ``<`` and ``>`` as control characters: ``<!channel>`` pings a channel and
``<https://evil|click>`` is a link whose label lies. Text built from user or Tavus input is
valid when every ``<`` opens a mention or link the app made itself (a user, a channel, an
http(s) or mailto link) and every ``&`` starts an entity. ``>`` alone is left to Slack: at a
line's start it quotes, elsewhere it is shown as typed; it can never open anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# What the app writes inside <...>: <@U123>, <#C123>, <#C123|name>, <https://x|label>.
_ALLOWED_ANGLE = re.compile(
    r"<(?:@[UWB][A-Z0-9]+|#[CGD][A-Z0-9]+(?:\|[^<>]*)?|(?:https?://|mailto:)[^<>|\s]+(?:\|[^<>]*)?)>"
)
_ENTITY = re.compile(r"&(?:amp|lt|gt);")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def problems(text: str) -> list[str]:
    """Why Slack would read ``text`` otherwise than it was meant; empty when it is safe."""
    found: list[str] = []
    if "<!" in text:
        found.append(f"a special mention (<!...>) at {text.index('<!')}")
    stripped = _ALLOWED_ANGLE.sub("", text)
    if "<" in stripped:
        at = stripped.index("<")
        found.append(f"an unescaped '<' opening {stripped[at : at + 30]!r}")
    bare = _ENTITY.sub("", text)
    if "&" in bare:
        at = bare.index("&")
        found.append(f"an unescaped '&' before {bare[at : at + 20]!r}")
    if _LONE_SURROGATE.search(text):
        found.append("an unpaired surrogate (not Unicode; Slack cannot decode it)")
    return found


def texts(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every mrkdwn string in a message or view payload: (json-pointer, text).

    A payload's top-level ``text`` is mrkdwn (Slack formats the fallback); in blocks, the
    text objects of type ``mrkdwn``. plain_text, URLs and values are not formatted."""
    if isinstance(value, Mapping):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield f"{pointer}/text", value["text"]
        for key, item in value.items():
            if isinstance(item, Mapping | list):
                yield from texts(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, f"{pointer}/{index}")


def payload_problems(payload: Mapping[str, Any]) -> list[str]:
    """mrkdwn problems anywhere in a message payload ({text, blocks}) or a view."""
    found: list[str] = []
    text = payload.get("text")
    if isinstance(text, str):
        found += [f"/text: {problem}" for problem in problems(text)]
    for pointer, item in texts({key: v for key, v in payload.items() if key != "text"}):
        found += [f"{pointer}: {problem}" for problem in problems(item)]
    return found
