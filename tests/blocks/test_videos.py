from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.videos import (
    error_message,
    ready_message,
    thumbnail_message,
    video_card,
    video_details,
    video_line,
)
from bot.domain import videos as domain
from bot.tavus import Video
from tests.blocks.hostile import LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_message

HOSTED = "https://videos.tavus.io/video/8a4f94e736"
THUMBNAIL = "https://cdn.tavus.io/8a4f94e736/thumbnail.jpg"


def card(status: str | None, **details: Any) -> tuple[str, list[dict[str, Any]]]:
    return video_card(
        video_id="8a4f94e736",
        name="Welcome",
        details={"replica_name": "Anna", "script": "Hello team", **details},
        status=status,
        owner_user_id="U0123ABCD",
    )


def shown(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (None, "Queued"),
        ("starting", "Queued"),
        (domain.QUEUED, "Queued"),
        (domain.GENERATING, "Generating"),
        (domain.READY, "Ready"),
        (domain.ERROR, "Failed"),
        (domain.DELETED, "Deleted"),
    ],
)
def test_the_card_says_the_state(status: str | None, words: str) -> None:
    text, blocks = card(status)

    assert words in shown(blocks)
    assert "<@U0123ABCD>" in shown(blocks)
    assert "Anna" in shown(blocks) and "Hello team" in shown(blocks)
    assert "8a4f94e736" in shown(blocks)
    assert_valid_message(text, blocks)


def test_generating_shows_a_progress_bar() -> None:
    _, blocks = card(domain.GENERATING, progress=40)

    assert "▓▓▓▓░░░░░░ 40%" in shown(blocks)


@pytest.mark.parametrize("progress", [None, "40", True, 4.5, [1]])
def test_an_odd_progress_reads_in_progress(progress: object) -> None:
    _, blocks = card(domain.GENERATING, progress=progress)

    assert "in progress" in shown(blocks)


def test_ready_links_the_video_and_hides_the_progress() -> None:
    _, blocks = card(domain.READY, hosted_url=HOSTED, progress=90)

    assert f"<{HOSTED}|Watch>" in shown(blocks)
    assert "90%" not in shown(blocks)


def test_failed_says_why() -> None:
    _, blocks = card(domain.ERROR, error="Replica <!channel> is not ready & never was")

    assert "Replica &lt;!channel&gt; is not ready &amp; never was" in shown(blocks)


def test_an_audio_video_links_its_audio_instead_of_a_script() -> None:
    _, blocks = card(domain.QUEUED, script=None, audio_url="https://x.example/a.mp3")

    assert "<https://x.example/a.mp3|audio file>" in shown(blocks)


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_values_fit_and_are_escaped(value: object) -> None:
    for status in (domain.QUEUED, domain.GENERATING, domain.READY, domain.ERROR):
        text, blocks = video_card(
            video_id="8a4f94e736",
            name=value,  # type: ignore[arg-type]
            details={
                "replica_name": value,
                "script": value,
                "error": value,
                "progress": value,
                "hosted_url": value,
                "audio_url": value,
            },
            status=status,
            owner_user_id=value,  # type: ignore[arg-type]
        )
        assert_valid_message(text, blocks)
        assert "<!channel>" not in shown(blocks) and "<https://evil|click>" not in shown(blocks)


@pytest.mark.parametrize("url", URLS)
def test_hostile_urls_are_links_only_when_whole(url: object) -> None:
    text, blocks = ready_message(
        hosted_url=url,  # type: ignore[arg-type]
        download_url=url,  # type: ignore[arg-type]
        stream_url=None,
        thumbnail_url=url,  # type: ignore[arg-type]
    )
    assert_valid_message(text, blocks)
    assert "<https://evil|click>" not in shown(blocks)
    late = thumbnail_message(url)
    if late is not None:
        assert_valid_message(*late)


def test_the_ready_message_has_every_link_and_the_thumbnail() -> None:
    text, blocks = ready_message(
        hosted_url=HOSTED,
        download_url=HOSTED + ".mp4",
        stream_url=HOSTED + ".m3u8",
        thumbnail_url=THUMBNAIL,
    )

    assert HOSTED in text
    assert "Download" in shown(blocks) and "Stream" in shown(blocks)
    assert blocks[-1] == {
        "type": "image",
        "image_url": THUMBNAIL,
        "alt_text": "Thumbnail of the video",
    }


def test_an_error_message_says_what_to_do() -> None:
    text, _ = error_message(None)

    assert text.startswith(":x: The video could not be generated: Tavus gave no reason.")
    assert "`/tavus video`" in text


def video(**fields: Any) -> Video:
    data = {
        "video_id": "8a4f94e736",
        "video_name": "Welcome",
        "status": "ready",
        "hosted_url": HOSTED,
        "created_at": "2024-08-28 15:27:40.824457",
        **fields,
    }
    return Video.from_api(data)


def test_a_listing_line_links_a_ready_video() -> None:
    line = video_line(video())

    assert line.startswith("`8a4f94e736` *Welcome* · ready · <")
    assert "created 2024-08-28" in line


def test_a_listing_line_shows_progress_while_generating() -> None:
    line = video_line(video(status="generating", generation_progress="40/100"))

    assert "generating 40%" in line
    assert HOSTED not in line


def test_details_show_the_thumbnail_beside_the_facts() -> None:
    text, blocks = video_details(
        video(still_image_thumbnail_url=THUMBNAIL, data={"script": "Hi"}, replica_id="r1234")
    )

    (section,) = blocks
    assert section["accessory"]["image_url"] == THUMBNAIL
    assert "*Script:* Hi" in section["text"]["text"]
    assert_valid_message(text, blocks)


def test_details_of_a_failed_video_say_why() -> None:
    _, blocks = video_details(video(status="error", status_details="No audio", hosted_url=None))

    assert "*Failed:* No audio" in shown(blocks)
    assert "accessory" not in blocks[0]


@pytest.mark.parametrize("value", [*TEXTS, LONG])
def test_hostile_details_fit(value: object) -> None:
    hostile = video(
        video_name=value,
        status=value,
        data={"script": value},
        status_details=value,
        created_at=value,
        still_image_thumbnail_url=value,
        hosted_url=value,
    )
    assert_valid_message(*video_details(hostile))
    assert_valid_message(video_line(hostile), [])
