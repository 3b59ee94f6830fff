from __future__ import annotations

import pytest

from bot.grammar import USAGE, Command, UsageError, closest, looks_like, parse


def command(text: str) -> Command:
    result = parse(text)
    assert isinstance(result, Command), result
    return result


def usage_error(text: str) -> UsageError:
    result = parse(text)
    assert isinstance(result, UsageError), result
    return result


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "-h", "--help", "?", "help me"])
def test_help(text: str) -> None:
    assert command(text) == Command(action="help")


def test_call_without_arguments() -> None:
    assert command("call") == Command(action="call")


def test_call_with_ids_flags_and_context() -> None:
    found = command('call p1234abcd r5678ef90 --audio --TEST "talk about pricing" today')

    assert found.action == "call"
    assert found.words == ("p1234abcd", "r5678ef90")
    assert found.text == '"talk about pricing" today'
    assert found.flags == frozenset({"--audio", "--test"})


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("call Let's review Jane's deck", "Let's review Jane's deck"),
        ("call p1234abcd Let's review   Jane's deck", "Let's review   Jane's deck"),
        ('call p1234abcd "Let\'s go"', "Let's go"),
        ("call --audio p1234abcd context --test more", "context --test more"),
        ("call p1234abcd What does --audio do?", "What does --audio do?"),
        (
            "call p1234abcd Let's talk about the plan -- be brief",
            "Let's talk about the plan -- be brief",
        ),
        ("call p1234abcd talk about pricing --audio", "talk about pricing"),
        ("call r5678ef90 p1234abcd she said “hi”", "she said “hi”"),
        ("call cafe reface decade", "cafe reface decade"),
    ],
)
def test_call_context_is_kept_as_typed(text: str, context: str) -> None:
    assert command(text).text == context


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("call --audio p1234abcd hi", {"--audio"}),
        ("call p1234abcd hi --test --audio", {"--audio", "--test"}),
        ("call p1234abcd What does --audio do?", set()),
    ],
)
def test_call_flags_lead_or_close_the_text(text: str, flags: set[str]) -> None:
    assert command(text).flags == frozenset(flags)


def test_call_ids_come_in_either_order_once_each() -> None:
    found = command("call r5678ef90 p1234abcd p9999aaaa")
    assert found.words == ("r5678ef90", "p1234abcd")
    assert found.text == "p9999aaaa"


def test_call_with_unknown_flag() -> None:
    error = usage_error("call p1234abcd --video")

    assert "--video" in error.message
    assert error.suggestion == "call --audio"


@pytest.mark.parametrize("text", ["end c123abc456", "conversations end c123abc456"])
def test_end_with_one_id(text: str) -> None:
    assert command(text) == Command(
        action="manage", noun="conversation", verb="end", words=("c123abc456",)
    )


@pytest.mark.parametrize(
    "text",
    ["end c/../x", "end hello", "conversation show p1234abcd", "conversation delete ../../etc"],
)
def test_a_malformed_id_gets_usage_help(text: str) -> None:
    error = usage_error(text)

    assert "is not a conversation id" in error.message
    assert "`c123456`" in error.message


def test_a_verb_that_needs_an_id_says_so() -> None:
    error = usage_error("persona show")

    assert "needs the persona's id" in error.message


def test_rename_keeps_the_new_name_as_typed() -> None:
    found = command("conversation rename c123abc456 Jane's   weekly")

    assert (found.verb, found.words[0], found.text) == ("rename", "c123abc456", "Jane's   weekly")


@pytest.mark.parametrize("text", ["end", "end c123abc456 c789def012"])
def test_end_needs_exactly_one_id(text: str) -> None:
    error = usage_error(text)

    assert "needs one conversation id" in error.message


def test_defaults() -> None:
    assert command("defaults") == Command(action="defaults")


@pytest.mark.parametrize(
    ("word", "noun"),
    [
        ("conversation", "conversation"),
        ("conversations", "conversation"),
        ("videos", "video"),
        ("replica", "replica"),
        ("replicas", "replica"),
        ("persona", "persona"),
        ("personas", "persona"),
        ("doc", "document"),
        ("docs", "document"),
        ("document", "document"),
        ("documents", "document"),
        ("objective", "objective"),
        ("objectives", "objective"),
        ("guardrail", "guardrail"),
        ("guardrails", "guardrail"),
    ],
)
def test_noun_alone_lists(word: str, noun: str) -> None:
    assert command(word) == Command(action="manage", noun=noun, verb="list")


@pytest.mark.parametrize("verb", ["list", "show", "new", "edit", "rename", "delete", "add"])
def test_noun_with_verb(verb: str) -> None:
    found = command(f"Personas {verb.upper()} p1234abcd")

    assert (found.action, found.noun, found.verb) == ("manage", "persona", verb)
    assert found.words == ("p1234abcd",)


@pytest.mark.parametrize("status", ["active", "ended"])
def test_conversations_by_status(status: str) -> None:
    found = command(f"conversations {status}")

    assert found == Command(action="manage", noun="conversation", verb="list", words=(status,))


def test_video_with_script() -> None:
    found = command("video Hello there, it's   me")

    assert (found.action, found.noun) == ("video", "video")
    assert found.words == ("Hello", "there,", "it's", "me")
    assert found.text == "Hello there, it's   me"


def test_video_without_script_is_still_a_video() -> None:
    assert command("video") == Command(action="video", noun="video")


def test_video_list_manages_videos() -> None:
    assert command("video list") == Command(action="manage", noun="video", verb="list")


def test_document_add() -> None:
    found = command("document add https://example.com/a.pdf #onboarding")

    assert found.verb == "add"
    assert found.words == ("https://example.com/a.pdf", "#onboarding")


@pytest.mark.parametrize(("word", "suggestion"), [("cal", "call"), ("persnas", "personas")])
def test_unknown_word_suggests_the_closest(word: str, suggestion: str) -> None:
    error = usage_error(word)

    assert error.message == f"I don't know `{word}`."
    assert error.suggestion == suggestion
    assert f"Did you mean `/tavus {suggestion}`?" in error.render()


def test_unknown_word_without_a_close_match() -> None:
    error = usage_error("zzzzzz")

    assert error.suggestion is None
    assert "Did you mean" not in error.render()


def test_unknown_verb_suggests_the_closest_verb() -> None:
    error = usage_error("personas lst")

    assert "`lst`" in error.message
    assert error.suggestion == "personas list"


def test_unknown_verb_without_a_close_match_suggests_list() -> None:
    error = usage_error("replicas zzzzzz")

    assert error.suggestion == "replicas list"


def test_rendered_error_ends_with_usage() -> None:
    assert usage_error("cal").render().endswith(USAGE)


@pytest.mark.parametrize("text", ["<!channel>", "personas <!channel>", "end <!here>"])
def test_malicious_word_is_escaped_in_rendered_error(text: str) -> None:
    rendered = usage_error(text).render()

    assert "<!" not in rendered
    assert "&lt;!" in rendered


def test_long_word_is_clipped() -> None:
    error = usage_error("x" * 500)

    assert "x" * 40 in error.message
    assert "x" * 41 not in error.message


@pytest.mark.parametrize("text", ['call "unbalanced context', "video 'Hello there", '"'])
def test_unbalanced_quotes_fall_back_to_plain_words(text: str) -> None:
    result = parse(text)

    assert isinstance(result, Command | UsageError)


def test_unbalanced_quote_keeps_the_words() -> None:
    found = command('call p1234abcd "hello world')

    assert found.words == ("p1234abcd",)
    assert found.text == '"hello world'


def test_closest_is_case_insensitive() -> None:
    assert closest("PERSONA") == "persona"


@pytest.mark.parametrize(
    ("kind", "word", "expected"),
    [
        ("conversation", "c123abc456", True),
        ("conversation", "c123456", True),
        ("conversation", "c12", False),
        ("conversation", "cafe", False),
        ("conversation", "p123abc456", False),
        ("conversation", "c123xyz456", False),
        ("persona", "p1234abcd", True),
        ("persona", "P1234ABCD", False),
        ("replica", "r79e1c033f", True),
        ("replica", "reface", False),
        ("replica", "r79e1c033f ", False),
        ("objective", "o12345", True),
        ("guardrail", "g12345", True),
        ("guardrail", "83294d9f-8306-491b-a284-791f56c8383f", True),
        ("document", "d1234567890", True),
        ("document", "83294d9f-8306-491b-a284-791f56c8383f", True),
        ("document", "83294d9f-8306-491b-a284", False),
        ("video", "8a4f94e736", True),
        ("video", "deadbeef", False),
        ("lipsync", "wf85407a7ba9d", True),
        ("dictionary", "pd_abc123def456gh", True),
    ],
)
def test_looks_like(kind: str, word: str, expected: bool) -> None:
    assert looks_like(kind, word) is expected


@pytest.mark.parametrize(
    ("text", "action", "verb"),
    [
        ("video show me the roadmap", "video", None),
        ("video list the three steps", "video", None),
        ("video new ideas for Q3", "video", None),
        ("video show 8a4f94e736", "manage", "show"),
        ("video list", "manage", "list"),
        ("video new", "manage", "new"),
        ("lipsync list", "manage", "list"),
    ],
)
def test_a_script_may_start_with_a_verb(text: str, action: str, verb: str | None) -> None:
    found = command(text)
    assert (found.action, found.verb) == (action, verb)


def test_a_destructive_verb_with_a_typo_is_never_a_script() -> None:
    assert "is not a video id" in usage_error("video delete the old one").message


def test_show_with_one_word_that_is_not_an_id_is_a_typo_not_a_video() -> None:
    assert "is not a video id" in usage_error("video show 8a4f94e7zz").message
    assert "is not a lipsync id" in usage_error("lipsync show whatever").message
