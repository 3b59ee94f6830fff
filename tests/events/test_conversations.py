from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.conversations import ENDED as STATUS_ENDED
from bot.domain.conversations import LIVE as STATUS_LIVE
from bot.domain.conversations import PERCEPTION, SHUTDOWN, TRANSCRIPT
from bot.domain.conversations import WAITING as STATUS_WAITING
from bot.events import MalformedEvent
from bot.events.conversations import PREVIEW_LINES, interpret_conversation
from bot.ingest import interpret
from storage import OutboxDraft, Resource
from tests.events.stored import stored

CONVERSATION_ID = "c123abc456"
SYSTEM_PROMPT = "You are a SECRET sales coach. Never reveal the discount code 4242."


def resource(status: str | None = STATUS_WAITING, **details: Any) -> Resource:
    return stored("conversation", CONVERSATION_ID, status=status, name="Sync", details=details)


def event(event_type: str, **properties: Any) -> dict[str, Any]:
    return {
        "conversation_id": CONVERSATION_ID,
        "event_type": event_type,
        "message_type": "application",
        "timestamp": "2025-07-11T06:48:37.564961Z",
        "properties": properties,
    }


def transcript_event(*turns: tuple[str, str]) -> dict[str, Any]:
    return event(
        TRANSCRIPT,
        transcript=[{"role": "system", "content": SYSTEM_PROMPT}]
        + [{"role": role, "content": content} for role, content in turns],
    )


def replies(drafts: tuple[OutboxDraft, ...]) -> list[OutboxDraft]:
    return [draft for draft in drafts if draft.action == "reply"]


def uploads(drafts: tuple[OutboxDraft, ...]) -> list[OutboxDraft]:
    return [draft for draft in drafts if draft.action == "upload"]


def everything_posted(drafts: tuple[OutboxDraft, ...]) -> str:
    return json.dumps([draft.payload for draft in drafts], ensure_ascii=False)


def test_replica_joined_and_pal_joined_are_one_event() -> None:
    replica = interpret_conversation(resource(), event("system.replica_joined"))
    pal = interpret_conversation(resource(), event("system.pal_joined"))

    assert replica.dedup_key == pal.dedup_key
    assert replica.event_type == pal.event_type == "system.replica_joined"
    assert replica.status == STATUS_LIVE
    assert [d.action for d in replica.drafts] == ["reply", "refresh_parent"]


def test_joined_asks_for_live_and_the_lifecycle_keeps_ended() -> None:
    from bot.domain.conversations import LIFECYCLE

    found = interpret_conversation(resource(STATUS_ENDED), event("system.pal_joined"))

    assert found.status == STATUS_LIVE
    assert STATUS_ENDED in LIFECYCLE.not_after(found.status)  # decided in the store


@pytest.mark.parametrize("key", ["shutdown_reason", "reason"])
def test_shutdown_reason_under_either_key(key: str) -> None:
    body = event(SHUTDOWN, **{key: "participant_left_timeout"})

    found = interpret_conversation(resource(STATUS_LIVE), body)

    assert found.dedup_key == SHUTDOWN
    assert found.status == STATUS_ENDED
    assert found.details == {
        "shutdown_reason": "participant_left_timeout",
        "ended_at": body["timestamp"],
    }
    assert "everyone had left" in replies(found.drafts)[0].payload["text"]
    assert [d.action for d in found.drafts] == ["reply", "refresh_parent"]


def test_shutdown_without_reason() -> None:
    found = interpret_conversation(resource(), event(SHUTDOWN))

    assert replies(found.drafts)[0].payload["text"] == ":stop_sign: The call ended: it ended."


def test_short_transcript_is_one_reply_without_the_system_prompt() -> None:
    found = interpret_conversation(
        resource(replica_name="Anna"), transcript_event(("user", "Hi"), ("assistant", "Hello!"))
    )

    assert found.dedup_key == TRANSCRIPT
    assert uploads(found.drafts) == []
    (only,) = replies(found.drafts)
    assert "Participant: Hi\nAnna: Hello!" in only.payload["text"]
    assert "(2 turns)" in only.payload["text"]
    assert "SECRET" not in everything_posted(found.drafts)


def test_transcript_content_is_escaped() -> None:
    found = interpret_conversation(
        resource(), transcript_event(("user", "<!channel> see <https://evil|click> & more"))
    )

    (only,) = replies(found.drafts)
    shown = [only.payload["text"], only.payload["blocks"][0]["text"]["text"]]
    for text in shown:
        assert "<!channel>" not in text
        assert "<https://evil|click>" not in text
        assert "&lt;!channel&gt; see &lt;https://evil|click&gt; &amp; more" in text


def test_long_transcript_is_previewed_and_uploaded_whole() -> None:
    turns = [("user" if i % 2 else "assistant", f"turn number {i}") for i in range(40)]

    found = interpret_conversation(resource(), transcript_event(*turns))

    (preview,) = replies(found.drafts)
    (attached,) = uploads(found.drafts)
    assert "turn number 39" not in preview.payload["text"]
    assert "attached below" in preview.payload["blocks"][0]["text"]["text"]
    content = attached.payload["content"]
    assert content.count("\n") == 40
    assert "Replica: turn number 0\n" in content
    assert "Participant: turn number 39\n" in content
    assert attached.payload["filename"] == f"transcript-{CONVERSATION_ID}.txt"
    assert "SECRET" not in everything_posted(found.drafts)


def test_one_very_long_turn_is_uploaded_too() -> None:
    found = interpret_conversation(resource(), transcript_event(("user", "blah " * 1000)))

    assert len(uploads(found.drafts)) == 1
    assert len(replies(found.drafts)[0].payload["text"]) < 2000


def test_transcript_of_only_the_system_prompt_is_empty() -> None:
    found = interpret_conversation(resource(), transcript_event())

    (only,) = found.drafts
    assert "nobody spoke" in only.payload["text"]
    assert "SECRET" not in everything_posted(found.drafts)


def test_short_perception_analysis() -> None:
    found = interpret_conversation(resource(), event(PERCEPTION, analysis="Calm.\nAttentive."))

    assert found.dedup_key == PERCEPTION
    assert uploads(found.drafts) == []
    assert "Calm.\nAttentive." in replies(found.drafts)[0].payload["text"]


def test_long_perception_analysis_is_uploaded() -> None:
    analysis = "\n".join(f"Paragraph {i}." for i in range(PREVIEW_LINES + 5))

    found = interpret_conversation(resource(), event(PERCEPTION, analysis=analysis))

    (attached,) = uploads(found.drafts)
    assert attached.payload["content"] == analysis + "\n"
    assert attached.payload["filename"] == f"perception-{CONVERSATION_ID}.txt"


def test_empty_perception_analysis() -> None:
    found = interpret_conversation(resource(), event(PERCEPTION, analysis="  "))

    assert "empty perception analysis" in replies(found.drafts)[0].payload["text"]


def test_recording_ready_with_storage_uri() -> None:
    body = event(
        "application.recording_ready",
        storage_provider="gcs",
        storage_uri="gs://bucket/rec.mp4",
        bucket_name="ignored",
        s3_key="ignored.mp4",
        duration=95,
    )

    found = interpret_conversation(resource(), body)

    text = replies(found.drafts)[0].payload["text"]
    assert text == ":movie_camera: Recording ready at `gs://bucket/rec.mp4` (95 s)."


def test_recording_ready_with_bucket_and_key() -> None:
    body = event("application.recording_ready", bucket_name="recs", s3_key="c1/rec.mp4")

    found = interpret_conversation(resource(), body)

    assert replies(found.drafts)[0].payload["text"] == (
        ":movie_camera: Recording ready at `s3://recs/c1/rec.mp4`."
    )


def test_recording_copy_failed() -> None:
    body = event(
        "application.recording_copy_failed",
        recording_id="rec1",
        s3_key="c1/rec.mp4",
        storage_provider="s3",
        error_code="AccessDenied",
        error_message="Access <denied>",
    )

    found = interpret_conversation(resource(), body)

    assert found.dedup_key.startswith("application.recording_copy_failed:")
    text = replies(found.drafts)[0].payload["text"]
    assert "Access &lt;denied&gt;" in text
    assert "(storage: s3)" in text


def test_post_call_action() -> None:
    body = event("application.post_call_action_executed", tool_name="<crm>", request={"a": 1})

    found = interpret_conversation(resource(), body)

    assert found.dedup_key.startswith("application.post_call_action_executed:")
    assert found.dedup_key == _key_as_polled(body)
    other = event("application.post_call_action_executed", tool_name="<erp>", request={"a": 1})
    assert interpret_conversation(resource(), other).dedup_key != found.dedup_key
    assert replies(found.drafts)[0].payload["text"] == ":gear: Post-call action *&lt;crm&gt;* ran."


@pytest.mark.parametrize(
    ("status", "words"),
    [("success", "ran."), ("failed", "failed."), ("error", "failed."), ("queued", ": queued.")],
)
def test_post_call_action_reports_its_status(status: str, words: str) -> None:
    body = event("application.post_call_action_executed", tool_name="crm", status=status)

    text = replies(interpret_conversation(resource(), body).drafts)[0].payload["text"]

    assert text.endswith(words)
    assert ("warning" in text) == (words == "failed.")


def test_unknown_event_is_kept_without_posts() -> None:
    body = event("application.something_new", detail="x")

    found = interpret_conversation(resource(), body)

    assert found.drafts == ()
    assert found.event_type == "application.something_new"
    assert found.dedup_key.startswith("application.something_new:")
    assert found.dedup_key == _key_as_polled(body)


def test_unknown_events_with_different_bodies_have_different_keys() -> None:
    first = interpret_conversation(resource(), event("application.new", n=1))
    second = interpret_conversation(resource(), event("application.new", n=2))

    assert first.dedup_key != second.dedup_key


def test_body_without_conversation_id_is_accepted() -> None:
    body = event(SHUTDOWN)
    del body["conversation_id"]

    assert interpret(resource(), body).status == STATUS_ENDED


def test_a_body_naming_another_conversation_is_refused() -> None:
    body = {**event(SHUTDOWN), "conversation_id": "c999999999"}

    with pytest.raises(MalformedEvent):
        interpret(resource(), body)


@pytest.mark.parametrize("event_type", [None, "", 42, ["x"]])
def test_a_body_without_event_type_is_kept_without_posts(event_type: Any) -> None:
    body = {**event(SHUTDOWN), "event_type": event_type}

    found = interpret(resource(), body)

    assert (found.event_type, found.drafts, found.status) == ("unknown", (), None)


def test_an_objective_completion_is_relayed_with_its_variables() -> None:
    body = {
        "conversation_id": CONVERSATION_ID,
        "objective_name": "collect_email",
        "output_variables": {"email": "<a@b.c>", "count": 3},
    }

    found = interpret(resource(), body)

    text = replies(found.drafts)[0].payload["text"]
    assert found.event_type == "objective.completed"
    assert "*collect_email* completed" in text
    assert "&lt;a@b.c&gt;" in text and "*count:* 3" in text
    assert interpret(resource(), body).dedup_key == found.dedup_key


def test_a_guardrail_trigger_is_relayed() -> None:
    body = {
        "conversation_id": CONVERSATION_ID,
        "properties": {"guardrail": "no_<!channel>", "guardrail_uuid": "u1"},
    }

    found = interpret(resource(), body)

    assert found.event_type == "guardrail.triggered"
    assert "no_&lt;!channel&gt;" in replies(found.drafts)[0].payload["text"]


def test_properties_that_are_not_an_object_are_read_as_empty() -> None:
    body = {**event(SHUTDOWN), "properties": ["not", "an", "object"]}

    found = interpret(resource(), body)

    assert found.status == STATUS_ENDED


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        (None, "empty"),
        ("Hi there\nBye", "Hi there"),
        ({"role": "user"}, "empty"),
        ([{"role": "user", "content": 42}], "Participant: 42"),
        ([{"role": "user", "content": {"nested": True}}], "nested"),
        ([{"role": "user", "content": "ok \ud800 surrogate"}], "surrogate"),
        (["a bare string turn"], "a bare string turn"),
    ],
)
def test_odd_transcripts_still_render(transcript: Any, expected: str) -> None:
    found = interpret(resource(), event(TRANSCRIPT, transcript=transcript))

    assert found.dedup_key == TRANSCRIPT
    assert expected in everything_posted(found.drafts)


@pytest.mark.parametrize("timestamp", [1e300, float("nan"), "not a time", None, ["x"]])
def test_hostile_timestamps_do_not_break_anything(timestamp: Any) -> None:
    body = {**event(SHUTDOWN, shutdown_reason=12345), "timestamp": timestamp}

    found = interpret(resource(), body)

    assert found.status == STATUS_ENDED
    assert "12345" in replies(found.drafts)[0].payload["text"]


def test_a_second_recording_is_a_second_event() -> None:
    first = event("application.recording_ready", s3_key="a.mp4", bucket_name="b")
    second = event("application.recording_ready", s3_key="b.mp4", bucket_name="b")

    keys = {interpret(resource(), body).dedup_key for body in (first, second)}

    assert len(keys) == 2


def test_perception_unavailable_is_relayed_and_ends_the_wait() -> None:
    body = event("application.perception_unavailable", reason="no_vision_history")

    found = interpret(resource(), body)

    assert found.details == {"perception": "unavailable"}
    assert "no video to analyse" in replies(found.drafts)[0].payload["text"]


@pytest.mark.parametrize(
    "polled_time", ["2025-07-11T06:48:37Z", "2025-07-11 06:48:37", "2025-07-11T06:48:37.9+00:00"]
)
def test_the_same_event_polled_with_another_timestamp_format_has_the_same_key(
    polled_time: str,
) -> None:
    called_back = event("application.post_call_action_executed", tool_name="crm")
    polled = {**called_back, "timestamp": polled_time, "message_type": None}

    assert interpret(resource(), polled).dedup_key == interpret(resource(), called_back).dedup_key


def _key_as_polled(body: dict[str, Any]) -> str:
    """The poller rebuilds an envelope with fewer keys; the dedup key must not change."""
    polled = {k: body[k] for k in ("conversation_id", "event_type", "timestamp", "properties")}
    return interpret_conversation(resource(), {**polled, "message_type": None}).dedup_key
