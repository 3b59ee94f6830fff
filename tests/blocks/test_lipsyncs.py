from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.lipsyncs import (
    completed_message,
    error_message,
    lipsync_card,
    lipsync_details,
    lipsync_line,
)
from bot.domain import lipsyncs as domain
from bot.tavus import Lipsync
from tests.blocks.hostile import TEXTS, URLS
from tests.fakes.blockkit import assert_valid_message

VIDEO = "https://cdn.example/original.mp4"
AUDIO = "https://cdn.example/new.mp3"
RESULT = "https://lipsync-prod.s3.amazonaws.com/wf85407a7ba9d.mp4"


def card(status: str | None, **details: Any) -> tuple[str, list[dict[str, Any]]]:
    return lipsync_card(
        lipsync_id="wf85407a7ba9d",
        name="Dubbed",
        details={"original_video_url": VIDEO, "source_audio_url": AUDIO, **details},
        status=status,
        owner_user_id="U0123ABCD",
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (None, "Lip-syncing"),
        (domain.STARTED, "Lip-syncing"),
        (domain.COMPLETED, "Ready"),
        (domain.ERROR, "Failed"),
        (domain.DELETED, "Deleted"),
    ],
)
def test_the_card_says_the_state_and_links_its_sources(status: str | None, words: str) -> None:
    text, blocks = card(status, video_url=RESULT, error="Silent audio")

    shown = json.dumps(blocks)
    assert words in shown
    assert f"<{VIDEO}|original video>" in shown and f"<{AUDIO}|new audio>" in shown
    assert_valid_message(text, blocks)


def test_a_ready_card_links_the_result() -> None:
    _, blocks = card(domain.COMPLETED, video_url=RESULT)

    assert f"<{RESULT}|Download>" in json.dumps(blocks)


@pytest.mark.parametrize("value", TEXTS + URLS)
def test_hostile_values_fit_and_are_escaped(value: object) -> None:
    for status in (domain.STARTED, domain.COMPLETED, domain.ERROR):
        text, blocks = lipsync_card(
            lipsync_id="wf85407a7ba9d",
            name=value,  # type: ignore[arg-type]
            details={
                "original_video_url": value,
                "source_audio_url": value,
                "video_url": value,
                "error": value,
            },
            status=status,
            owner_user_id="U1",
        )
        assert_valid_message(text, blocks)
        assert "<!channel>" not in json.dumps(blocks)
    assert_valid_message(*completed_message(value))  # type: ignore[arg-type]
    assert_valid_message(*error_message(value))


def test_the_thread_messages() -> None:
    text, blocks = completed_message(RESULT)
    assert RESULT in text and RESULT in json.dumps(blocks)
    text, _ = error_message("No face found")
    assert text.startswith(":x: The lip-sync failed: No face found.")


def test_listing_and_details_say_the_api_is_deprecated_where_it_matters() -> None:
    lipsync = Lipsync.from_api(
        {
            "request_id": "wf85407a7ba9d",
            "request_name": "Old",
            "status": "completed",
            "video_url": RESULT,
        }
    )
    assert lipsync_line(lipsync).startswith("`wf85407a7ba9d` *Old* · completed · <")
    text, blocks = lipsync_details(lipsync, deprecation="Tavus marks this <deprecated>.")
    assert "&lt;deprecated&gt;" in json.dumps(blocks)
    assert_valid_message(text, blocks)
