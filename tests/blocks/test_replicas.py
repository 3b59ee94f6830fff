from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.replicas import (
    NO_REASON,
    SEARCH_MAX,
    VOICES_MORE_ACTION,
    advice,
    failed_message,
    parse_voices_more,
    percent,
    replica_card,
    replica_details,
    replica_line,
    trained_message,
    voice_line,
    voices_more_value,
    voices_page,
)
from bot.domain import replicas as domain
from bot.tavus import Replica, Voice
from tests.blocks.hostile import LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_message

REPLICA_ID = "r783537ef5"
THUMBNAIL = "https://cdn.tavus.io/r783537ef5/thumbnail.mp4"
STATUSES = [domain.TRAINING, domain.READY, domain.ERROR, domain.DELETED, "starting", None]


def card(status: str | None, name: Any = "Rio", **details: Any) -> tuple[str, list[Any]]:
    return replica_card(
        replica_id=REPLICA_ID,
        name=name,
        status=status,
        details=details,
        owner_user_id="U0123ABCD",
    )


def shown(message: tuple[str, list[Any]]) -> str:
    return json.dumps(message[1], ensure_ascii=False)


def replica(**fields: Any) -> Replica:
    return Replica.from_api({"replica_id": REPLICA_ID, "replica_name": "Rio", **fields})


# -- the card --------------------------------------------------------------------------------


def test_a_training_card_shows_the_progress() -> None:
    text, blocks = card(domain.TRAINING, progress=40, model_name="phoenix-4", source="video")

    assert "▓▓▓▓░░░░░░ 40%" in shown((text, blocks))
    assert "40%" in text
    assert "phoenix-4" in shown((text, blocks))
    assert "3–6 hours" in shown((text, blocks))
    assert "<@U0123ABCD>" in shown((text, blocks))


def test_a_trained_card_says_how_to_use_it_and_links_the_preview() -> None:
    message = card(domain.READY, progress=100, thumbnail_video_url=THUMBNAIL)

    assert "*Trained*" in shown(message)
    assert f"/tavus call {REPLICA_ID}" in shown(message)
    assert f"<{THUMBNAIL}|preview>" in shown(message)
    assert message[0].endswith("trained")


def test_a_failed_card_gives_the_reason() -> None:
    message = card(domain.ERROR, error_message="too short <!here>")

    assert "Training failed" in shown(message)
    assert "too short &lt;!here&gt;" in shown(message)
    assert "<!here>" not in shown(message)


def test_every_state_reads_differently() -> None:
    lines = {json.dumps(card(status)[1][1]) for status in STATUSES[:5]}

    assert len(lines) == 5


def test_the_card_says_what_it_was_trained_from() -> None:
    image = shown(card(domain.TRAINING, source="image", voice_name="anna"))
    video = shown(card(domain.TRAINING, source="video", consent_video=True))

    assert "an image, voice `anna`" in image
    assert "a video and a consent video" in video


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_the_card_is_valid_whatever_tavus_or_the_user_sent(value: object, status: str) -> None:
    message = card(
        status,
        name=value,
        progress=value,
        model_name=value,
        voice_name=value,
        source="image",
        error_message=value,
        thumbnail_video_url=value,
    )
    assert_valid_message(*message)
    assert "<!channel>" not in shown(message)


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
def test_the_card_is_valid_whatever_the_preview_url(url: object) -> None:
    assert_valid_message(*card(domain.READY, thumbnail_video_url=url))


def test_a_long_name_does_not_push_the_state_out_of_the_card() -> None:
    message = card(domain.TRAINING, name=LONG, progress=70)

    assert "70%" in shown(message)
    assert f"`{REPLICA_ID}`" in shown(message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(40, 40), (40.4, 40), (150, 100), (-2, 0), (True, None), ("40", None), (None, None)],
)
def test_percent_reads_only_numbers(value: object, expected: int | None) -> None:
    assert percent(value) == expected


# -- thread replies --------------------------------------------------------------------------


def test_the_trained_message_names_the_replica_and_the_command() -> None:
    text, blocks = trained_message(REPLICA_ID, "Rio & <Co>")

    assert "Rio &amp; &lt;Co&gt;" in text
    assert f"`/tavus call {REPLICA_ID}`" in text
    assert_valid_message(text, blocks)


@pytest.mark.parametrize("error", TEXTS, ids=range(len(TEXTS)))
def test_the_failed_message_is_valid_and_short_whatever_the_error(error: object) -> None:
    text, blocks = failed_message(error)

    assert_valid_message(text, blocks)
    assert len(text) < 3000
    assert "/tavus replica train" in text
    assert "<!channel>" not in text


def test_a_failed_message_without_a_reason_says_so() -> None:
    assert NO_REASON in failed_message(None)[0]
    assert NO_REASON in failed_message("   ")[0]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("does not meet the minimum duration requirement for training", "two minutes"),
        ("Consent statement mismatch", "consent statement"),
        ("Unable to download video: 403", "direct download link"),
        ("File size exceeds 750MB", "750 MB"),
        ("Video must be encoded with H.264", "H.264 MP4"),
        ("No face detected in the photo", "front-facing photo"),
        ("Invalid voice_name", "/tavus voices"),
        ("Something odd happened", "training requirements"),
        (None, "training requirements"),
    ],
)
def test_advice_for_each_kind_of_failure(error: object, words: str) -> None:
    assert words in advice(error)


def test_advice_does_not_mistake_duration_for_a_url_problem() -> None:
    assert "two minutes" in advice("Video duration too short")
    assert "download" not in advice("Video duration too short")


# -- listings and details --------------------------------------------------------------------


def test_a_listing_line_per_state() -> None:
    training = replica_line(replica(status="started", training_progress="30/100"))
    ready = replica_line(replica(status="completed", model_name="phoenix-3", replica_type="system"))
    failed = replica_line(replica(status="error", error_message="too short"))
    odd = replica_line(replica(status="queued"))

    assert f"`{REPLICA_ID}` *Rio* · training ▓▓▓░░░░░░░ 30%" == training
    assert ready.endswith("· ready · phoenix-3 · stock")
    assert "failed: too short" in failed
    assert "· queued" in odd


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_listing_lines_and_details_are_valid_whatever_tavus_sent(value: object) -> None:
    for status in ("started", "completed", "error", value):
        odd = replica(
            replica_name=value,
            status=status,
            training_progress=value,
            error_message=value,
            model_name=value,
            replica_type=value,
            created_at=value,
            thumbnail_video_url=value,
        )
        line = replica_line(odd)
        assert len(line) < 1500 and "\n" not in line
        assert_valid_message(*replica_details(odd))


def test_details_of_a_failed_replica_say_why_and_what_to_do() -> None:
    message = replica_details(replica(status="error", error_message="minimum duration"))

    assert "*Why:* minimum duration" in shown(message)
    assert "two minutes" in shown(message)


def test_details_of_a_ready_replica_link_the_preview() -> None:
    message = replica_details(replica(status="completed", thumbnail_video_url=THUMBNAIL))

    assert f"<{THUMBNAIL}|preview video>" in shown(message)
    assert f"/tavus call {REPLICA_ID}" in shown(message)


# -- voices ----------------------------------------------------------------------------------


def voice(**fields: Any) -> Voice:
    return Voice.from_api({"voice_name": "anna", **fields})


def test_a_voice_line_has_its_name_tags_and_sample() -> None:
    line = voice_line(
        voice(
            audio_url="https://cdn.tavus.io/anna.mp3",
            tags=[{"tag_name": "female"}, {"tag_name": "english"}],
        )
    )

    assert line == "`anna` · female, english · <https://cdn.tavus.io/anna.mp3|listen>"


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_voice_lines_are_escaped_and_short(value: object) -> None:
    line = voice_line(voice(voice_name=value, audio_url=value, tags=[{"tag_name": value}, value]))

    assert len(line) < 1000 and "\n" not in line
    assert "<!channel>" not in line


def test_a_voices_page_with_more() -> None:
    lines = [voice_line(voice(voice_name=f"v{n}")) for n in range(10)]
    text, blocks = voices_page(
        lines=lines, page=1, page_size=10, total=12, search="an", has_more=True
    )

    assert "(1–10 of 12)" in text and "matching “an”" in text
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == VOICES_MORE_ACTION
    assert parse_voices_more(button["value"]) == (2, "an")
    assert_valid_message(text, blocks)


def test_an_empty_voices_page() -> None:
    text, _ = voices_page(lines=[], page=1, page_size=10, total=0, search=None, has_more=False)

    assert text == "No stock voices."


@pytest.mark.parametrize("search", [value for value in TEXTS if isinstance(value, str)])
def test_a_voices_page_is_valid_whatever_was_searched(search: str) -> None:
    searched = search[:SEARCH_MAX] or None
    message = voices_page(
        lines=["`anna`"], page=3, page_size=10, total=40, search=searched, has_more=True
    )

    assert_valid_message(*message)
    visible = json.dumps([_without_values(block) for block in message[1]], ensure_ascii=False)
    assert "<!channel>" not in visible + message[0]


def _without_values(block: Any) -> Any:
    """What Slack shows of a block: a button's value goes back to the app, unseen."""
    if isinstance(block, dict):
        return {k: _without_values(v) for k, v in block.items() if k != "value"}
    if isinstance(block, list):
        return [_without_values(item) for item in block]
    return block


def test_a_search_a_button_cannot_carry_gets_no_more_button() -> None:
    _, blocks = voices_page(
        lines=["`anna`"], page=1, page_size=10, total=40, search="\ud800", has_more=True
    )

    assert [b for b in blocks if b["type"] == "actions"] == []


@pytest.mark.parametrize(
    "value", ["", "0:x", "abc:", "-1:", "100000:", "²:", "1:" + "x" * (SEARCH_MAX + 1)]
)
def test_a_forged_more_value_is_refused(value: str) -> None:
    assert parse_voices_more(value) is None


def test_the_more_value_round_trips() -> None:
    assert parse_voices_more(voices_more_value(4, None)) == (4, None)
    assert parse_voices_more(voices_more_value(2, "a:b")) == (2, "a:b")
