"""Values Tavus or a user could hand a builder: long, mrkdwn-laden, invalid Unicode, not text."""

from __future__ import annotations

LONG = "x" * 100_000
HUGE_URL = "https://tavus.daily.co/" + "a" * 100_000
# A URL a button could take (under 3,000) that escaping would blow up fivefold in a link.
AMPERSAND_URL = "https://tavus.daily.co/c?" + "&" * 2900

TEXTS: list[object] = [
    LONG,
    "word " * 20_000,
    "line\n" * 20_000,
    "<!channel> " * 9_000,
    "<https://evil|click> " * 5_000,
    "&" * 100_000,
    "`" * 100_000,
    "```" + "code line\n" * 10_000,
    "\ud800",
    "a\udfffb" * 30_000,
    "👍" * 100_000,
    "",
    "   \n\t ",
    "<!channel>",
    "<https://evil|click>",
    "&",
    12345,
    None,
    {"nested": ["dict"]},
]

URLS: list[object] = [
    *TEXTS,
    HUGE_URL,
    AMPERSAND_URL,
    "https://tavus.daily.co/" + "a" * 2978,  # 3,001 characters
    "javascript:alert(1)",
    "ftp://tavus.daily.co/c1",
    "tavus.daily.co/c1",
    "https://",
    "https://tavus.daily.co/c1 <!channel>",
    "https://tavus.daily.co/c1|click",
    "https://tavus.daily.co/\ud800",
]
