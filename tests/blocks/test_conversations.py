from __future__ import annotations

from typing import Any

import pytest

from bot.blocks import kit
from bot.blocks.conversations import (
    END_CALL_ACTION,
    JOIN_ACTION,
    call_duration,
    conversation_card,
    section,
    shutdown_words,
    transcript_lines,
)
from bot.blocks.text import SECTION_TEXT_LIMIT
from bot.domain.conversations import ENDED as STATUS_ENDED
from bot.domain.conversations import LIVE as STATUS_LIVE
from bot.domain.conversations import WAITING as STATUS_WAITING
from tests.blocks.hostile import LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_message

URL = "https://tavus.daily.co/c123abc456"


def card(status: str | None, **details: Any) -> tuple[str, list[dict[str, Any]]]:
    return conversation_card(
        conversation_id="c123abc456",
        details={"conversation_url": URL, **details},
        status=status,
        owner_user_id="U0123ABCD",
    )


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        element["action_id"]: element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }


def all_text(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(e.get("text", "") for e in block.get("elements", []) if e["type"] == "mrkdwn")
    return "\n".join(parts)


@pytest.mark.parametrize("status", [STATUS_WAITING, STATUS_LIVE, None])
def test_card_before_the_end_has_join_and_end_buttons(status: str | None) -> None:
    text, blocks = card(status)

    found = buttons(blocks)
    assert found[JOIN_ACTION]["url"] == URL
    assert found[END_CALL_ACTION]["value"] == "c123abc456"
    assert URL in text


def test_card_without_url_has_only_the_end_button() -> None:
    _, blocks = conversation_card(
        conversation_id="c123abc456", details={}, status=STATUS_WAITING, owner_user_id="U1"
    )

    assert set(buttons(blocks)) == {END_CALL_ACTION}


def test_ended_card_has_no_buttons() -> None:
    text, blocks = card(STATUS_ENDED, shutdown_reason="participant_left_timeout reached")

    assert buttons(blocks) == {}
    assert text == "Tavus conversation c123abc456 ended"
    assert "everyone had left" in all_text(blocks)


def test_status_lines_differ() -> None:
    lines = {status: all_text(card(status)[1]) for status in (STATUS_WAITING, STATUS_LIVE)}

    assert "Waiting for the replica" in lines[STATUS_WAITING]
    assert "*Live*" in lines[STATUS_LIVE]


def test_ended_card_shows_how_long_it_lasted() -> None:
    _, blocks = card(
        STATUS_ENDED,
        started_at="2025-07-11T06:40:00Z",
        ended_at="2025-07-11T06:42:05.5Z",
    )

    assert "lasted 2 min 5 s" in all_text(blocks)


def test_card_escapes_persona_and_replica_names() -> None:
    _, blocks = card(STATUS_LIVE, persona_name="<!channel> coach", replica_name="A & <B>")

    shown = all_text(blocks)
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt; coach" in shown
    assert "A &amp; &lt;B&gt;" in shown


def test_card_falls_back_to_ids_and_shows_modes() -> None:
    _, blocks = card(STATUS_WAITING, persona_id="p1234abcd", audio_only=True, test_mode=True)

    shown = all_text(blocks)
    assert "p1234abcd" in shown
    assert "persona's replica" in shown
    assert "audio only, test (no replica joins)" in shown


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("max_call_duration reached", "it reached its maximum length"),
        ("participant_left_timeout reached", "everyone had left"),
        ("participant_absent_timeout reached", "nobody joined in time"),
        ("end_conversation_endpoint_hit", "it was ended from Slack or the API"),
        ("daily_room_has_been_deleted", "the call room was deleted"),
        (
            "bot_could_not_join_meeting_it_was_probably_ended",
            "the replica could not join (the call had probably ended)",
        ),
        (
            "exception_encountered_during_conversation_startup",
            "Tavus hit an error while starting it",
        ),
        (
            "internal error occurred at step x",
            "Tavus had an internal error (internal error occurred at step x)",
        ),
    ],
)
def test_shutdown_words_for_every_documented_reason(reason: str, words: str) -> None:
    assert shutdown_words(reason) == words


@pytest.mark.parametrize(
    "reason", ["max_call_duration", "participant_left_timeout", "participant_absent_timeout"]
)
def test_shutdown_words_without_reached_suffix(reason: str) -> None:
    assert shutdown_words(reason) == shutdown_words(f"{reason} reached")
    assert shutdown_words(reason) != reason


@pytest.mark.parametrize("reason", [None, ""])
def test_shutdown_words_without_reason(reason: str | None) -> None:
    assert shutdown_words(reason) == "it ended"


def test_shutdown_words_escape_unknown_reasons() -> None:
    assert shutdown_words("<!here> weird") == "&lt;!here&gt; weird"


@pytest.mark.parametrize(
    ("started", "ended", "expected"),
    [
        ("2025-07-11T06:48:00Z", "2025-07-11T06:48:37.5Z", "37 s"),
        ("2025-07-11T06:40:00+00:00", "2025-07-11T06:48:37Z", "8 min 37 s"),
        (1_752_216_000, 1_752_216_065.0, "1 min 5 s"),
        ("2025-07-11 06:40:00", "2025-07-11T06:41:00Z", "1 min 0 s"),
        ("2025-07-11T06:48:00Z", "2025-07-11T06:40:00Z", None),
        (None, "2025-07-11T06:48:00Z", None),
        ("yesterday", "2025-07-11T06:48:00Z", None),
    ],
)
def test_call_duration(started: Any, ended: Any, expected: str | None) -> None:
    assert call_duration(started, ended) == expected


def test_section_truncates_long_text() -> None:
    block = section("word " * 2000)

    assert len(block["text"]["text"]) <= SECTION_TEXT_LIMIT


def test_transcript_lines_drop_system_and_label_speakers() -> None:
    transcript = [
        {"role": "system", "content": "SECRET PROMPT"},
        {"role": "user", "content": "Hello   there\nfriend"},
        {"role": "assistant", "content": "Hi!"},
        {"role": "tool", "content": "lookup done"},
        {"role": "", "content": "who?"},
        {"role": "narrator", "content": "aside"},
        {"role": "user", "content": "   "},
    ]

    lines = transcript_lines(transcript, replica_label="Anna")

    assert lines == [
        "Participant: Hello there friend",
        "Anna: Hi!",
        "Tool: lookup done",
        "Unknown: who?",
        "narrator: aside",
    ]


# -- hostile input ---------------------------------------------------------------------------

STATUSES = [STATUS_WAITING, STATUS_LIVE, STATUS_ENDED, None]


def hostile_card(value: object, status: str | None, **overrides: Any) -> tuple[str, list[Any]]:
    details = {
        key: value
        for key in (
            "conversation_url",
            "persona_name",
            "persona_id",
            "replica_name",
            "replica_id",
            "shutdown_reason",
            "started_at",
            "ended_at",
            "audio_only",
        )
    }
    options: dict[str, Any] = {
        "conversation_id": value,
        "details": details,
        "status": status,
        "owner_user_id": value,
    }
    return conversation_card(**{**options, **overrides})


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_card_is_valid_whatever_tavus_sends(value: object, status: str | None) -> None:
    assert_valid_message(*hostile_card(value, status))


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
def test_card_is_valid_whatever_the_url(url: object) -> None:
    text, blocks = card(STATUS_LIVE, conversation_url=url)

    assert_valid_message(text, blocks)
    assert END_CALL_ACTION in buttons(blocks)


@pytest.mark.parametrize(
    "url",
    [
        "https://tavus.daily.co/" + "a" * 2978,
        "javascript:alert(1)",
        "tavus.daily.co/c1",
        "https://tavus.daily.co/c1 <!channel>",
        "https://tavus.daily.co/\ud800",
        12345,
        {"url": URL},
    ],
)
def test_card_drops_a_join_button_slack_cannot_open_and_keeps_the_text(url: object) -> None:
    text, blocks = card(STATUS_LIVE, conversation_url=url)

    assert set(buttons(blocks)) == {END_CALL_ACTION}
    assert text == "<@U0123ABCD> started a Tavus conversation"
    assert "*Live*" in all_text(blocks)


def test_card_keeps_a_join_url_of_exactly_3000_characters() -> None:
    url = "https://tavus.daily.co/" + "a" * 2977

    _, blocks = card(STATUS_LIVE, conversation_url=url)

    assert buttons(blocks)[JOIN_ACTION]["url"] == url


def test_long_names_do_not_push_the_other_facts_out_of_the_card() -> None:
    text, blocks = card(
        STATUS_LIVE, persona_name=LONG, replica_name="<!channel> & Anna", audio_only=True
    )

    assert_valid_message(text, blocks)
    facts = blocks[0]["text"]["text"]
    assert "*Persona:* xxx" in facts
    assert "*Replica:* &lt;!channel&gt; &amp; Anna" in facts
    assert "*Mode:* audio only" in facts


def test_card_escapes_forged_links_and_mentions() -> None:
    text, blocks = card(
        STATUS_ENDED,
        persona_name="<https://evil|click>",
        shutdown_reason="<!here> & <https://evil|click>",
    )
    shown = all_text(blocks)

    assert_valid_message(text, blocks)
    assert "<https://evil" not in shown
    assert "&lt;https://evil|click&gt;" in shown
    assert "&lt;!here&gt; &amp; &lt;https://evil|click&gt;" in shown


def test_card_shows_a_strange_owner_as_text_not_a_mention() -> None:
    text, blocks = conversation_card(
        conversation_id="c1", details={}, status=STATUS_LIVE, owner_user_id="<!channel>"
    )

    assert "&lt;!channel&gt; started a Tavus conversation" in blocks[0]["text"]["text"]
    assert "<!channel>" not in text


def actions_block(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    (block,) = [block for block in blocks if block["type"] == "actions"]
    return block


def test_actions_block_id_keeps_its_shape_for_ids_that_fit() -> None:
    longest = "c" * (kit.ID_MAX - len("conversation_actions:"))
    _, blocks = conversation_card(
        conversation_id=longest, details={}, status=STATUS_LIVE, owner_user_id="U1X"
    )

    assert actions_block(blocks)["block_id"] == f"conversation_actions:{longest}"


@pytest.mark.parametrize("conversation_id", ["c" * 235, "c" * 2000, "c\ud800"])
def test_actions_block_id_is_left_out_for_an_id_too_long_for_it(conversation_id: str) -> None:
    text, blocks = conversation_card(
        conversation_id=conversation_id,
        details={"conversation_url": URL},
        status=STATUS_LIVE,
        owner_user_id="U1X",
    )

    assert_valid_message(text, blocks)
    assert "block_id" not in actions_block(blocks)
    assert JOIN_ACTION in buttons(blocks)


def test_end_button_is_left_out_when_its_value_cannot_carry_the_id() -> None:
    with_url = conversation_card(
        conversation_id="c" * 2001,
        details={"conversation_url": URL},
        status=STATUS_LIVE,
        owner_user_id="U1X",
    )
    without_url = conversation_card(
        conversation_id="c" * 2001, details={}, status=STATUS_LIVE, owner_user_id="U1X"
    )

    assert set(buttons(with_url[1])) == {JOIN_ACTION}
    assert all(block["type"] != "actions" for block in without_url[1])
    assert_valid_message(*without_url)


def test_end_button_carries_the_whole_id_up_to_2000_characters() -> None:
    _, blocks = conversation_card(
        conversation_id="c" * 2000, details={}, status=STATUS_LIVE, owner_user_id="U1X"
    )

    assert buttons(blocks)[END_CALL_ACTION]["value"] == "c" * 2000


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_section_is_valid_whatever_the_text(value: Any) -> None:
    assert_valid_message("fallback", [section(value)])


def test_section_keeps_escaped_text_whole_at_its_cut() -> None:
    block = section("&amp;" * 1000)

    assert_valid_message("fallback", [block])
    assert block["text"]["text"].removesuffix("…").endswith("&amp;")


@pytest.mark.parametrize("reason", [*TEXTS, "internal error " + LONG])
def test_shutdown_words_are_short_and_escaped(reason: object) -> None:
    words = shutdown_words(reason)

    assert len(words) <= 1100  # 200 characters, each escaped to at most 5
    assert "<" not in words and "\ud800" not in words


@pytest.mark.parametrize("value", [*TEXTS, 1e308, float("nan"), True, [1, 2]])
def test_call_duration_reads_nonsense_as_unknown(value: object) -> None:
    assert call_duration(value, "2025-07-11T06:48:00Z") is None
    assert call_duration("2025-07-11T06:48:00Z", value) is None


def test_transcript_lines_survive_odd_turns_and_labels() -> None:
    transcript: list[Any] = [
        "not a turn",
        None,
        {"role": "assistant", "content": "a\ud800b"},
        {"role": {"odd": 1}, "content": 12},
        {"role": "user", "content": None},
    ]

    lines = transcript_lines(transcript, replica_label=LONG)

    assert lines == [f"{'x' * 79}…: a\ufffdb", "{'odd': 1}: 12"]
