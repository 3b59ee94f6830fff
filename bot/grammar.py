"""The ``/tavus`` grammar: turns the command text into a ``Command`` or a ``UsageError``.

Pure functions only; ``handlers/commands.py`` routes the result. Free text (a call's
context, a video's script) is kept as typed: apostrophes, quotes and spacing survive, and
only a phrase wrapped whole in double quotes loses its quotes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bot.blocks.text import code, escape
from bot.domain.nouns import BY_KIND, BY_WORD, Noun

VERBS = (
    "list",
    "show",
    "new",
    "edit",
    "rename",
    "delete",
    "end",
    "add",
    "train",
    "recrawl",
    "retag",
)
# Verbs whose first word is the id of the thing acted on.
VERBS_WITH_ID = frozenset({"show", "edit", "rename", "delete", "end", "recrawl", "retag"})
# `/tavus video <script>` and `/tavus lipsync <links>` start a job; a verb manages them.
JOB_NOUNS = frozenset({"video", "lipsync"})
# `/tavus conversations active` means `/tavus conversations list active`.
LIST_FILTERS = {
    "conversation": ("active", "ended"),
    "replica": ("user", "system"),
    "persona": ("user", "system"),
}
# `/tavus documents #pricing onboarding`: words that are not a verb search the list.
LIST_SEARCH = frozenset({"document"})
CALL_FLAGS = frozenset({"--audio", "--test"})
# Options a verb takes, anywhere after it: `/tavus video delete <id> --hard`.
VERB_FLAGS = {"delete": frozenset({"--hard"})}
ACTIONS = ("help", "call", "end", "video", "lipsync", "defaults", "settings", "voices")
KNOWN_WORDS = sorted({*BY_WORD, *ACTIONS})
_QUOTES = {'"': '"', "“": "”", "”": "”"}

USAGE = """\
*Tavus for Slack*: `/tavus <what> [verb] [arguments]`
• `/tavus call [persona_id] [replica_id] [--audio] [--test] [context …]`: start a conversation \
and post its join link here (no persona and no default: opens a form)
• `/tavus end <conversation_id>`: end a conversation you started
• `/tavus conversations [active|ended]`, `/tavus conversation show|end|delete <id> [--hard]`
• `/tavus video [replica_id] <script …>`: generate a video; its card is posted here and the \
video arrives in its thread (no script or no replica: opens a form)
• `/tavus videos`, `/tavus video show|rename|delete <id> [--hard]`
• `/tavus replica train`: train a replica from a video, or from an image and a voice (a form)
• `/tavus replicas [user|system]`, `/tavus replica show|rename|delete <id> [--hard]`
• `/tavus voices [search]`: the stock voices, for replicas trained from an image
• `/tavus lipsync <video_url> <audio_url> [name]`: lip-sync a video to new audio (no links: \
opens a form; Tavus marks lip-sync deprecated); `/tavus lipsyncs`, \
`/tavus lipsync show|delete <id>`
• `/tavus personas [user|system]`, `/tavus persona show|new|edit|delete [id]`: personas \
(forms; an edit shows the changes before sending them)
• `/tavus objectives`, `/tavus objective show|new|edit|delete [id]`: objective sets; each \
completion is posted in its call's thread with its output variables
• `/tavus guardrails`, `/tavus guardrail show|new|edit|delete [id]`: guardrail sets; a \
trigger is posted in its call's thread as a warning
• `/tavus document add <url> [#tag …] [name]`: add a pdf, txt, docx, doc, png, jpg, pptx, \
csv or xlsx file (up to 50 MB) or a website to the knowledge base (no link: a form); \
`/tavus documents [#tag …] [search]`, `/tavus document show|rename|retag|recrawl|delete <id>`
• `/tavus dictionaries`, `/tavus dictionary show|new|edit|rename|delete [id]`: pronunciation \
rules, one `word -> pronunciation` per line
• `/tavus defaults`: your default persona and replica, for `call` and `video`
• `/tavus settings`: this channel's settings: where updates go, how many, which commands \
(the channel's creator or an admin)
• Shortcuts: *Start a Tavus call*, *Generate a Tavus video*, and *Video from this message* \
on any message's menu; the app's *Home* tab lists your calls, videos, replicas and documents
• `/tavus help`: this message"""
# Slack reads <, > and & as control characters: escaped, `<what>` and the others show as typed
# instead of turning into links to nowhere.
USAGE = escape(USAGE)


@dataclass(frozen=True)
class Command:
    action: str  # one of ACTIONS, or "manage" for `/tavus <noun> [verb] ...`
    noun: str | None = None
    verb: str | None = None
    words: tuple[str, ...] = ()  # ids and other arguments, as separate words
    text: str = ""  # the free text after them, as typed
    flags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class UsageError:
    message: str
    suggestion: str | None = None

    def render(self) -> str:
        hint = f" Did you mean `/tavus {self.suggestion}`?" if self.suggestion else ""
        return f"{self.message}{hint}\n\n{USAGE}"


@dataclass(frozen=True)
class _Token:
    word: str  # a quoted phrase's inside, or the word as typed
    start: int
    end: int


def looks_like(kind: str, word: str) -> bool:
    return BY_KIND[kind].is_id(word)


def closest(word: str) -> str | None:
    matches = difflib.get_close_matches(word.lower(), KNOWN_WORDS, n=1, cutoff=0.5)
    return matches[0] if matches else None


def parse(text: str) -> Command | UsageError:
    text = text or ""
    tokens = _tokens(text)
    if not tokens:
        return Command(action="help")
    head, rest = tokens[0].word.lower(), tokens[1:]
    if head in ("help", "-h", "--help", "?"):
        return Command(action="help")
    if head == "call":
        return _call(text, rest)
    if head == "end":
        return _end(rest)
    if head in ("defaults", "settings"):
        return Command(action=head, words=_words(rest))
    if head == "voices":
        return Command(action="voices", text=_free_text(text, rest))
    if head in BY_WORD:
        return _noun(text, BY_WORD[head], head, rest)
    return UsageError(f"I don't know {code(_clip(tokens[0].word))}.", closest(head))


def _tokens(text: str) -> list[_Token]:
    """Words, with a "double-quoted phrase" as one; apostrophes are just letters."""
    tokens: list[_Token] = []
    position = 0
    for match in re.finditer(r"\S+", text):
        if match.start() < position:
            continue
        opening = match.group()[0]
        closing = _QUOTES.get(opening)
        if closing is not None:
            end = text.find(closing, match.start() + 1)
            if end > match.start():
                inside = text[match.start() + 1 : end]
                tokens.append(_Token(inside, match.start(), end + 1))
                position = end + 1
                continue
        tokens.append(_Token(match.group(), match.start(), match.end()))
        position = match.end()
    return tokens


def _words(tokens: list[_Token]) -> tuple[str, ...]:
    return tuple(t.word for t in tokens)


def _free_text(text: str, tokens: list[_Token]) -> str:
    """The text from the first of ``tokens`` to the end, as typed; a lone quoted phrase
    loses its quotes."""
    if not tokens:
        return ""
    if len(tokens) == 1 and text[tokens[0].start] in _QUOTES:
        return tokens[0].word.strip()
    return text[tokens[0].start :].strip()


def _call(text: str, rest: list[_Token]) -> Command | UsageError:
    """Ids and flags lead, in any order; the context follows; flags may also close it.
    A `--word` inside the context is the context's ("what does --audio do?")."""
    lead = list(rest)
    ids: list[str] = []
    flags: set[str] = set()
    while lead and (_is_flag(lead[0].word) or (len(ids) < 2 and _call_id(lead[0].word, ids))):
        token = lead.pop(0)
        if _is_flag(token.word):
            flags.add(token.word.lower())
        else:
            ids.append(token.word)
    while lead and _is_flag(lead[-1].word):
        flags.add(lead.pop().word.lower())
    unknown = sorted(flags - CALL_FLAGS)
    if unknown:
        return UsageError(f"`/tavus call` has no option {code(_clip(unknown[0]))}.", "call --audio")
    context = _span(text, lead)
    return Command(action="call", words=tuple(ids), text=context, flags=frozenset(flags))


def _is_flag(word: str) -> bool:
    return bool(re.fullmatch(r"--[A-Za-z][A-Za-z-]*", word))


def _call_id(word: str, taken: list[str]) -> bool:
    """A persona and a replica id, in either order, each at most once."""
    kinds = {k for k in ("persona", "replica") if looks_like(k, word)}
    return bool(kinds - {k for k in ("persona", "replica") for t in taken if looks_like(k, t)})


def _span(text: str, words: list[_Token]) -> str:
    """The typed text from the first of ``words`` to the last, as typed; a lone phrase
    wrapped in double quotes loses them."""
    if not words:
        return ""
    if len(words) == 1 and text[words[0].start] in _QUOTES:
        return words[0].word.strip()
    return text[words[0].start : words[-1].end].strip()


def _end(rest: list[_Token]) -> Command | UsageError:
    noun = BY_KIND["conversation"]
    if len(rest) != 1:
        return UsageError(
            f"`/tavus end` needs one conversation id, like `/tavus end {noun.id_example}`."
        )
    return _with_id(Command(action="manage", noun=noun.kind, verb="end"), noun, "", rest)


def _noun(text: str, noun: Noun, spoken: str, rest: list[_Token]) -> Command | UsageError:
    verb = rest[0].word.lower() if rest else None
    if noun.kind in JOB_NOUNS and spoken == noun.kind and not _manages(noun, verb, rest):
        # `/tavus video [replica_id] <script ...>` and `/tavus lipsync <video> <audio> [name]`
        return _job(text, noun, rest)
    if verb is None:
        return Command(action="manage", noun=noun.kind, verb="list")
    if verb in LIST_FILTERS.get(noun.kind, ()):
        return Command(action="manage", noun=noun.kind, verb="list", words=(verb,))
    if noun.kind in LIST_SEARCH and verb not in VERBS:
        words, search = _words(rest), _free_text(text, rest)
        return Command(action="manage", noun=noun.kind, verb="list", words=words, text=search)
    if verb not in VERBS:
        guess = difflib.get_close_matches(verb, VERBS, n=1, cutoff=0.5)
        return UsageError(
            f"{code(_clip(rest[0].word))} is not something I can do with {noun.plural}.",
            f"{noun.plural} {guess[0]}" if guess else f"{noun.plural} list",
        )
    flags = {t.word.lower() for t in rest[1:] if t.word.startswith("--")}
    unknown = sorted(flags - VERB_FLAGS.get(verb, frozenset()))
    if unknown:
        return UsageError(
            f"`/tavus {noun.kind} {verb}` has no option {code(_clip(unknown[0]))}.",
            f"{noun.kind} {verb} {noun.id_example}",
        )
    args = [t for t in rest[1:] if not t.word.startswith("--")]
    command = Command(
        action="manage",
        noun=noun.kind,
        verb=verb,
        words=_words(args),
        text=_free_text(text, args),
        flags=frozenset(flags),
    )
    if verb not in VERBS_WITH_ID:
        return command
    if not args:
        return UsageError(
            f"`/tavus {noun.kind} {verb}` needs the {noun.kind}'s id, "
            f"like `/tavus {noun.kind} {verb} {noun.id_example}`."
        )
    return _with_id(command, noun, text, args)


def _manages(noun: Noun, verb: str | None, rest: list[_Token]) -> bool:
    """`/tavus video show <id>` manages videos; `/tavus video show me the roadmap` is a
    script. `show` counts when an id or one lone word follows (a mistyped id gets usage help,
    not a two-word video), `list` and `new` when alone; a destructive verb always counts (a
    typo there gets usage help, never a paid job)."""
    if verb not in VERBS:
        return False
    if verb in VERBS_WITH_ID - {"show"}:
        return True  # never read "delete the old one" as a script to pay for
    args = [t for t in rest[1:] if not t.word.startswith("--")]
    if verb == "show":
        return bool(args) and (noun.is_id(args[0].word) or len(args) == 1)
    return not args


def _with_id(command: Command, noun: Noun, text: str, args: list[_Token]) -> Command | UsageError:
    word = args[0].word
    if not noun.is_id(word):
        return UsageError(
            f"{code(_clip(word))} is not a {noun.kind} id: they look like "
            f"{code(noun.id_example)}. `/tavus {noun.plural}` lists them."
        )
    return Command(
        action=command.action,
        noun=command.noun,
        verb=command.verb,
        words=(word, *_words(args[1:])),
        text=_free_text(text, args[1:]),  # a new name, say, as typed
        flags=command.flags,
    )


def _job(text: str, noun: Noun, rest: list[_Token]) -> Command:
    return Command(
        action=noun.kind, noun=noun.kind, words=_words(rest), text=_free_text(text, rest)
    )


def _clip(word: str) -> str:
    return word[:40]
