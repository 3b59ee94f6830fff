"""The ``/tavus`` grammar: turns the command text into a ``Command`` or a ``UsageError``.

Pure functions only; ``handlers/commands.py`` routes the result.
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, field

from bot.blocks.text import code

NOUNS = {
    "conversation": "conversation",
    "conversations": "conversation",
    "video": "video",
    "videos": "video",
    "replica": "replica",
    "replicas": "replica",
    "persona": "persona",
    "personas": "persona",
    "document": "document",
    "documents": "document",
    "doc": "document",
    "docs": "document",
    "objective": "objective",
    "objectives": "objective",
    "guardrail": "guardrail",
    "guardrails": "guardrail",
}
VERBS = ("list", "show", "new", "edit", "rename", "delete", "add")
ACTIONS = ("help", "call", "end", "defaults")
KNOWN_WORDS = sorted({*NOUNS, *ACTIONS})

# Tavus ids by shape: a letter prefix and at least six more letters or digits.
_ID_SHAPES = {
    "conversation": re.compile(r"^c[0-9a-f]{6,}$"),
    "persona": re.compile(r"^p[0-9a-f]{6,}$"),
    "replica": re.compile(r"^r[0-9a-f]{6,}$"),
}

USAGE = """\
*Tavus for Slack*: `/tavus <what> [verb] [arguments]`
• `/tavus call [persona_id] [replica_id] [--audio] [--test] [context …]`: start a conversation \
and post its join link here (no persona and no default: opens a form)
• `/tavus end <conversation_id>`: end a conversation you started
• `/tavus video [replica_id] <script …>`: generate a video from a script (no script: opens a form)
• `/tavus conversations|videos|replicas|personas|documents|objectives|guardrails \
[list|show|new|edit|rename|delete] [id]`: manage Tavus resources (the verb defaults to `list`)
• `/tavus document add <url> [#tag …]`: add a document to the knowledge base
• `/tavus defaults`: choose your default persona and replica
• `/tavus help`: this message"""


def looks_like(kind: str, word: str) -> bool:
    return bool(_ID_SHAPES[kind].match(word))


@dataclass(frozen=True)
class Command:
    action: str  # "help", "call", "end", "defaults", "video" or "manage"
    noun: str | None = None
    verb: str | None = None
    words: tuple[str, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class UsageError:
    message: str
    suggestion: str | None = None

    def render(self) -> str:
        hint = f" Did you mean `/tavus {self.suggestion}`?" if self.suggestion else ""
        return f"{self.message}{hint}\n\n{USAGE}"


def parse(text: str) -> Command | UsageError:
    words = _split(text)
    if not words:
        return Command(action="help")
    head, rest = words[0].lower(), words[1:]
    if head in ("help", "-h", "--help", "?"):
        return Command(action="help")
    if head in ("call", "end", "defaults"):
        return _action(head, rest)
    if head in NOUNS:
        return _noun(NOUNS[head], head, rest)
    return UsageError(f"I don't know {code(_clip(words[0]))}.", closest(head))


def closest(word: str) -> str | None:
    matches = difflib.get_close_matches(word.lower(), KNOWN_WORDS, n=1, cutoff=0.5)
    return matches[0] if matches else None


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text or "")
    except ValueError:  # an unbalanced quote: fall back to plain words
        return (text or "").split()


def _action(head: str, rest: list[str]) -> Command | UsageError:
    if head == "call":
        flags = frozenset(w.lower() for w in rest if w.startswith("--"))
        unknown = sorted(flags - {"--audio", "--test"})
        if unknown:
            return UsageError(
                f"`/tavus call` has no option {code(_clip(unknown[0]))}.", "call --audio"
            )
        return Command(
            action="call", words=tuple(w for w in rest if not w.startswith("--")), flags=flags
        )
    if head == "end":
        if len(rest) != 1:
            return UsageError(
                "`/tavus end` needs one conversation id, like `/tavus end c123abc456`."
            )
        return Command(action="end", noun="conversation", words=tuple(rest))
    return Command(action="defaults", words=tuple(rest))


def _noun(noun: str, spoken: str, rest: list[str]) -> Command | UsageError:
    verb = rest[0].lower() if rest else None
    if noun == "video" and spoken == "video" and verb not in VERBS:
        return Command(action="video", noun="video", words=tuple(rest))
    if verb is None:
        return Command(action="manage", noun=noun, verb="list")
    if verb in VERBS:
        return Command(action="manage", noun=noun, verb=verb, words=tuple(rest[1:]))
    if verb in ("active", "ended") and noun == "conversation":
        return Command(action="manage", noun=noun, verb="list", words=(verb,))
    guess = difflib.get_close_matches(verb, VERBS, n=1, cutoff=0.5)
    return UsageError(
        f"{code(_clip(rest[0]))} is not something I can do with {noun}s.",
        f"{noun}s {guess[0]}" if guess else f"{noun}s list",
    )


def _clip(word: str) -> str:
    return word[:40]
