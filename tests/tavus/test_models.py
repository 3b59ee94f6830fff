from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import (
    Conversation,
    ConversationEvent,
    Lipsync,
    NotFound,
    Page,
    Persona,
    Replica,
    Video,
    Voice,
)
from bot.tavus._http import unwrap_one
from bot.tavus.models import (
    FINISHED_VIDEO_STATUSES,
    VIDEO_ERROR,
    VIDEO_READY,
    VIDEO_STATUSES,
    data_items,
    progress_percent,
)


def test_conversation_ignores_unknown_fields_and_keeps_raw() -> None:
    data = {"conversation_id": "c1", "status": "active", "brand_new_field": {"x": 1}}
    conversation = Conversation.from_api(data)

    assert conversation.conversation_id == "c1"
    assert conversation.status == "active"
    assert conversation.conversation_url is None
    assert conversation.events == ()
    assert conversation.raw["brand_new_field"] == {"x": 1}
    assert "brand_new_field" not in repr(conversation)


def test_conversation_equality_ignores_raw() -> None:
    first = Conversation.from_api({"conversation_id": "c1", "extra": 1})
    second = Conversation.from_api({"conversation_id": "c1", "extra": 2})

    assert first == second


def test_verbose_conversation_parses_events_and_shutdown_reason() -> None:
    data = {
        "conversation_id": "c1",
        "status": "ended",
        "events": [
            {"event_type": "system.replica_joined", "timestamp": "2026-04-29T03:45:53Z"},
            {
                "event_type": "system.shutdown",
                "message_type": "system",
                "timestamp": "2026-04-29T03:47:01Z",
                "properties": {"reason": "participant_left_timeout"},
                "unknown": True,
            },
        ],
    }
    conversation = Conversation.from_api(data)

    assert [e.event_type for e in conversation.events] == [
        "system.replica_joined",
        "system.shutdown",
    ]
    assert conversation.events[0].properties == {}
    assert conversation.events[1] == ConversationEvent(
        event_type="system.shutdown",
        timestamp="2026-04-29T03:47:01Z",
        properties={"reason": "participant_left_timeout"},
        message_type="system",
    )
    assert conversation.shutdown_reason == "participant_left_timeout"


def test_top_level_shutdown_reason_wins() -> None:
    data = {"conversation_id": "c1", "shutdown_reason": "end_conversation_endpoint_hit"}

    assert Conversation.from_api(data).shutdown_reason == "end_conversation_endpoint_hit"


def test_persona_tolerates_missing_and_null_fields() -> None:
    persona = Persona.from_api(
        {"persona_id": "p1", "document_ids": None, "document_tags": ["sales"], "layers": {}}
    )

    assert persona.persona_name is None
    assert persona.document_ids == ()
    assert persona.document_tags == ("sales",)
    assert persona.raw["layers"] == {}


def test_replica_treats_ready_and_completed_alike() -> None:
    completed = Replica.from_api({"replica_id": "r1", "status": "completed", "extra": 1})
    training = Replica.from_api({"replica_id": "r2", "status": "started"})

    assert completed.is_ready
    assert Replica.from_api({"replica_id": "r1", "status": "ready"}).is_ready
    assert not training.is_ready
    assert completed.error_message is None


def test_page_has_more() -> None:
    def page(items: int, number: int, total: int) -> Page[int]:
        return Page(items=tuple(range(items)), total_count=total, page=number, limit=2)

    assert page(2, 1, 5).has_more
    assert not page(1, 3, 5).has_more
    assert not page(2, 2, 4).has_more
    assert not page(1, 1, 50).has_more


def test_page_from_api_without_total_count() -> None:
    result = Page.from_api({"data": [{"replica_id": "r1"}]}, Replica.from_api, page=1, limit=10)

    assert result.total_count == 1
    assert [r.replica_id for r in result.items] == ["r1"]


# The video callback body as tavus-callbacks.md shows it: naive timestamps, no envelope.
VIDEO_CALLBACK: dict[str, Any] = {
    "video_id": "1e30440cf9",
    "video_name": "Welcome",
    "status": "ready",
    "replica_id": "r90bbd427f71",
    "status_details": "Your request has processed successfully!",
    "generation_progress": "100/100",
    "download_url": "https://cdn.test/high.mp4?download=1",
    "stream_url": "https://cdn.test/x.m3u8",
    "hosted_url": "https://videos.tavus.io/video/1e30440cf9",
    "data": {"script": "Hello"},
    "created_at": "2024-08-28 15:27:40.824457",
    "updated_at": "2024-08-28 15:29:19.802670",
}


def test_video_from_a_ready_callback() -> None:
    video = Video.from_api({**VIDEO_CALLBACK, "brand_new": 1})

    assert video.status == VIDEO_READY
    assert video.replica_id == "r90bbd427f71"
    assert video.progress_percent == 100
    assert video.script == "Hello"
    assert video.created_at == "2024-08-28 15:27:40.824457"
    assert video.updated_at == "2024-08-28 15:29:19.802670"
    assert video.hosted_url == "https://videos.tavus.io/video/1e30440cf9"
    assert video.thumbnail_image_url is None
    assert video.raw["brand_new"] == 1
    assert "brand_new" not in repr(video)


def test_video_from_an_error_callback() -> None:
    failed = {
        **VIDEO_CALLBACK,
        "status": "error",
        "download_url": None,
        "stream_url": None,
        "generation_progress": "0/100",
        "status_details": "The script is too long",
    }
    video = Video.from_api(failed)

    assert video.status == VIDEO_ERROR
    assert video.is_finished
    assert video.progress_percent == 0
    assert video.download_url is None
    assert video.status_details == "The script is too long"


def test_video_list_row_reads_error_details_and_backgrounds() -> None:
    video = Video.from_api(
        {
            "video_id": "v1",
            "status": "generating",
            "generation_progress": "40/100",
            "error_details": "",
            "background_url": "https://example.test/",
            "background_source_url": "https://bucket.test/bg.mp4",
            "data": None,
        }
    )

    assert video.progress_percent == 40
    assert not video.is_finished
    assert video.error_details == ""
    assert video.background_url == "https://example.test/"
    assert video.background_source_url == "https://bucket.test/bg.mp4"
    assert video.data == {}
    assert video.script is None


def test_video_statuses() -> None:
    assert VIDEO_STATUSES == ("queued", "generating", "ready", "deleted", "error")
    assert frozenset({"ready", "deleted", "error"}) == FINISHED_VIDEO_STATUSES


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("40/100", 40),
        ("0/100", 0),
        ("100/100", 100),
        ("3/4", 75),
        (" 12 / 50 ", 24),
        ("40", 40),
        ("40%", 40),
        ("150/100", 100),
        ("1/0", None),
        ("", None),
        ("n/a", None),
        ("-5/100", None),
        (None, None),
        ("9" * 400, None),  # float("inf"): no traceback, no made-up 100
        ("1/" + "9" * 400, None),
    ],
)
def test_progress_percent(text: str | None, percent: int | None) -> None:
    assert progress_percent(text) == percent


def test_replica_progress_percent_and_callback_shape() -> None:
    training = Replica.from_api({"replica_id": "r1", "training_progress": "55/100"})
    failed = Replica.from_api({"replica_id": "r1", "status": "error", "error_message": "too short"})

    assert training.progress_percent == 55
    assert failed.progress_percent is None
    assert failed.error_message == "too short"
    assert not failed.is_ready


def test_lipsync_prefers_the_current_spelling() -> None:
    both = Lipsync.from_api(
        {"lipsync_id": "new", "request_id": "old", "lipsync_name": "N", "request_name": "O"}
    )
    legacy = Lipsync.from_api({"request_id": "old", "request_name": "O"})

    assert (both.lipsync_id, both.lipsync_name) == ("new", "N")
    assert (legacy.lipsync_id, legacy.lipsync_name) == ("old", "O")


def test_lipsync_without_any_id_is_refused() -> None:
    with pytest.raises(KeyError):
        Lipsync.from_api({"status": "started"})


def test_voice_tags_accept_objects_and_strings() -> None:
    voice = Voice.from_api({"voice_name": "anna", "tags": [{"tag_name": "en"}, "calm", {}]})

    assert voice.tags == ("en", "calm")


def test_data_items_reads_an_object_or_a_list() -> None:
    one = {"id": 1}

    assert data_items(one) == (one,)
    assert data_items([one, "junk", one]) == (one, one)
    assert data_items(None) == () == data_items("text")


def test_unwrap_one_reads_every_wrapping() -> None:
    persona = {"persona_id": "p1"}

    for payload in (persona, {"data": persona}, {"data": [persona]}):
        assert unwrap_one(payload, "persona_id", "Persona p1") == persona
    assert unwrap_one({"uuid": "d1"}, ("document_id", "uuid"), "Document") == {"uuid": "d1"}
    with pytest.raises(NotFound, match="Persona p1 not found"):
        unwrap_one({"data": []}, "persona_id", "Persona p1")


def test_page_counting_from_zero() -> None:
    def page(items: int, number: int, total: int) -> Page[int]:
        return Page(
            items=tuple(range(items)), total_count=total, page=number, limit=2, first_page=0
        )

    assert page(2, 0, 3).has_more
    assert not page(1, 1, 3).has_more
    assert not page(2, 1, 4).has_more
    result = Page.from_api(
        {"data": [{"replica_id": "r1"}]}, Replica.from_api, page=2, limit=10, first_page=0
    )
    assert result.total_count == 21
