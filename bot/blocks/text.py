"""Text helpers for Slack mrkdwn: every user or Tavus string passes through ``escape``."""

from __future__ import annotations

import re

# Slack's own rule: only these three characters are control characters in mrkdwn. Escaping
# them stops "<!channel>" pings and "<https://evil|click>" forged links.
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))

SECTION_TEXT_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 3900
ELLIPSIS = "…"
_SURROGATE = re.compile("[\ud800-\udfff]")


def as_text(value: object) -> str:
    """Any value as text Slack can take: None is empty, unpaired surrogates become U+FFFD.

    `json.loads` turns "\\ud800" into a lone surrogate, which UTF-8 cannot encode; a
    round trip through UTF-16 replaces it and joins a split pair back into one character.
    """
    text = "" if value is None else str(value)
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def escape(text: object) -> str:
    value = as_text(text)
    for raw, safe in _ESCAPES:
        value = value.replace(raw, safe)
    return value


def truncate(text: str, limit: int) -> str:
    """Cut at ``limit`` characters, on a line or word boundary where one is near."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    if boundary > limit * 0.6:
        cut = cut[:boundary]
    return cut.rstrip() + ELLIPSIS


def code(text: object) -> str:
    """An inline code span; backticks inside would end it early, so they become quotes."""
    return "`" + escape(text).replace("`", "'") + "`"


def link(url: str, label: str) -> str:
    """A mrkdwn link whose label cannot break out of the angle brackets."""
    safe_url = escape(url).replace("|", "%7C")
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"


def plain(text: object, limit: int = 150) -> str:
    """For plain_text fields (option labels, titles): no escaping, just a length cap."""
    value = " ".join(as_text(text).split())
    return truncate(value, limit) if value else "—"
