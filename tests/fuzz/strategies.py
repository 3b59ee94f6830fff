"""Hypothesis strategies for what Slack users and Tavus can send: text, ids, JSON-ish bodies."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

from bot.domain.nouns import NOUNS, Noun
from tests.blocks.hostile import TEXTS, URLS

# Short hostile strings: mrkdwn control sequences, entities, invisible and odd characters.
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "<https://evil.example|click>",
    "<@U123>",
    "<#C123>",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    ">>>",
    "```",
    "`",
    "*bold*",
    "_",
    "~",
    "|",
    "\u202e",
    "\u200d",
    "\ufeff",
    "\x00",
    "\r\n",
    "\t",
    "👍🏽",
    "🇫🇷",
    "é",
    "\N{COMBINING ACUTE ACCENT}",
    "--audio",
    "--hard",
    "--",
    '"',
    "“",
    "”",
    "'",
]

_HEX = "0123456789abcdef"


def ids_of(noun: Noun) -> st.SearchStrategy[str]:
    """Ids of ``noun``'s shape: its example with another tail (``from_regex`` is slow)."""

    def shaped(tail: str) -> str:
        example = noun.id_example
        for prefix in ("", example[:1], example[:3]):
            if noun.is_id(candidate := prefix + tail + "1"):
                return candidate
        return example

    return st.just(noun.id_example) | st.text(_HEX, min_size=5, max_size=12).map(shaped)


ids = st.one_of(*(ids_of(noun) for noun in NOUNS))
# Text a person could type or Tavus could write: any Unicode, hostile pieces, often both.
short_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(HOSTILE),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8), ids), max_size=6).map(
        " ".join
    ),
)
# Rarely drawn (they are slow to check), but every property meets a 100,000-character one.
huge_text = st.sampled_from([value for value in TEXTS if isinstance(value, str) and value])
any_text = st.one_of(short_text, short_text, short_text, st.text(max_size=400), huge_text)
urls = st.one_of(
    st.sampled_from([value for value in URLS if isinstance(value, str)]),
    st.builds(lambda path: f"https://cdn.example/{path}", st.text(max_size=30)),
)
# What json.loads can hand back: NaN and Infinity included, as Python's parser accepts them.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    any_text,
    ids,
)


def words_in(*modules: ModuleType) -> list[str]:
    """The string constants a module knows (statuses, event types, keys): values that reach
    the branches a random string never would. A new status is fuzzed without a new test."""
    found: set[str] = set()
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("__"):
                continue
            found.update(_strings(value))
    return sorted(found)


def keys_read_by(*modules: ModuleType) -> list[str]:
    """The keys a module's code looks up (``.get("status")``, ``["properties"]``)."""
    found: set[str] = set()
    for module in modules:
        source = inspect.getsource(module)
        found.update(re.findall(r"""(?:get\(|\[)\s*["']([A-Za-z_][\w.]*)["']""", source))
    return sorted(found)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str) and len(value) < 80:
        yield value
    elif isinstance(value, frozenset | set | tuple | list):
        for item in value:
            if isinstance(item, str) and len(item) < 80:
                yield item


def json_values(keys: list[str], words: list[str]) -> st.SearchStrategy[Any]:
    """JSON-ish values, nested: dicts keyed mostly by ``keys``, leaves often ``words``."""
    leaves = st.one_of(scalars, st.sampled_from(words), urls) if words else scalars
    key = st.one_of(st.sampled_from(keys), st.text(max_size=12)) if keys else st.text(max_size=12)
    nested = leaves
    for width in (4, 3):  # two levels under the body's own: real callbacks nest three deep
        nested = st.one_of(
            leaves,
            leaves,
            st.lists(nested, max_size=width),
            st.dictionaries(key, nested, max_size=width),
        )
    return nested
