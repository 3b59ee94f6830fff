from __future__ import annotations

from typing import Any

import pytest

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
