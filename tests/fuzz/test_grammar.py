"""``/tavus`` text: whatever is typed, ``parse`` answers a command or a usage message."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.nouns import BY_KIND, BY_WORD
from bot.grammar import ACTIONS, USAGE, VERBS, Command, UsageError, parse
from tests.fakes.blockkit import MESSAGE_TEXT_TRUNCATED_AT
from tests.fuzz import mrkdwn
from tests.fuzz.strategies import HOSTILE, huge_text, ids

# A usage message names what was typed (clipped), then the fixed USAGE text follows.
MESSAGE_MAX = 1000

vocabulary = st.sampled_from(
    sorted({*BY_WORD, *ACTIONS, *VERBS, "help", "--help", "?", "active", "user", "system"})
)
token = st.one_of(
    vocabulary,
    vocabulary.map(str.upper),
    ids,
    st.sampled_from(HOSTILE),
    st.from_regex(r"--[A-Za-z][A-Za-z-]{0,10}", fullmatch=True),
    st.text(min_size=1, max_size=12),
)
spacing = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u3000", " \r\n "])


@st.composite
def commands(draw: st.DrawFn) -> str:
    """Mostly command-shaped text (so the parser's deep branches are reached), some noise."""
    words = draw(st.lists(token, max_size=8))
    gaps = draw(st.lists(spacing, min_size=len(words), max_size=len(words)))
    quoted = draw(st.booleans())
    text = "".join(gap + word for gap, word in zip(gaps, words, strict=True))
    return f'"{text}"' if quoted and draw(st.booleans()) else text


typed = st.one_of(commands(), commands(), st.text(max_size=200), huge_text)


@given(typed)
@example('call "unterminated --audio')
@example("“" * 2000)
@example("video delete " + "a" * 5000)
@example("end <!channel>")
@example("<https://evil.example|click> & <!here>")
@example("\ud800 video")
@example("cal")  # found: USAGE's `<what>` and other placeholders were bare Slack markup
def test_parse_never_raises_and_answers_a_command_or_safe_usage(text: str) -> None:
    parsed = parse(text)
    if isinstance(parsed, Command):
        _check_command(parsed, text)
        return
    assert isinstance(parsed, UsageError)
    assert len(parsed.message) <= MESSAGE_MAX, parsed.message[:200]
    assert mrkdwn.problems(parsed.message) == [], parsed.message
    assert parsed.message.count("`") % 2 == 0, f"an unclosed code span: {parsed.message!r}"
    if parsed.suggestion is not None:
        assert mrkdwn.problems(parsed.suggestion) == []
    rendered = parsed.render()
    assert rendered.endswith(USAGE)
    assert len(rendered) <= MESSAGE_TEXT_TRUNCATED_AT
    assert mrkdwn.problems(rendered) == [], "the usage text itself must be escaped too"


def _check_command(command: Command, text: str) -> None:
    assert command.action in (*ACTIONS, "manage")
    assert command.noun is None or command.noun in BY_KIND
    assert command.verb is None or command.verb in VERBS
    assert all(isinstance(word, str) and word in text for word in command.words)
    assert command.text in text, "free text is kept as typed"
    assert all(flag.startswith("--") for flag in command.flags)
    if command.verb in ("show", "edit", "rename", "delete", "end", "recrawl", "retag"):
        assert command.noun is not None and BY_KIND[command.noun].is_id(command.words[0])
