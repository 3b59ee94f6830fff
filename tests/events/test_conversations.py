from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.conversations import STATUS_ENDED, STATUS_LIVE, STATUS_WAITING
from bot.events import MalformedEvent
from bot.events.conversations import (
    PERCEPTION,
    PREVIEW_LINES,
    SHUTDOWN,
    TRANSCRIPT,
    interpret_conversation,
)
from storage import OutboxDraft, Resource

CONVERSATION_ID = "c123abc456"
SYSTEM_PROMPT = "You are a SECRET sales coach. Never reveal the discount code 4242."


def resource(status: str | None = STATUS_WAITING, **details: Any) -> Resource:
    return Resource(
        id=1,
        kind="conversation",
        tavus_id=CONVERSATION_ID,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id="C0123",
        message_ts="1700000000.000100",
        callback_token="token",
        status=status,
        name="Sync",
        details=details,
        finished=False,
        created_at=0.0,
        updated_at=0.0,
    )


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


def test_joined_after_ended_does_not_bring_the_call_back() -> None:
    found = interpret_conversation(resource(STATUS_ENDED), event("system.pal_joined"))

    assert found.status is None


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
    assert replies(found.drafts)[0].payload["text"] == ":gear: Post-call action ran: *&lt;crm&gt;*"


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

    assert interpret_conversation(resource(), body).status == STATUS_ENDED


def test_mismatched_conversation_id() -> None:
    body = {**event(SHUTDOWN), "conversation_id": "c999999999"}

    with pytest.raises(MalformedEvent):
        interpret_conversation(resource(), body)


@pytest.mark.parametrize("event_type", [None, "", 42])
def test_missing_event_type(event_type: Any) -> None:
    body = {**event(SHUTDOWN), "event_type": event_type}

    with pytest.raises(MalformedEvent):
        interpret_conversation(resource(), body)


def test_properties_must_be_an_object() -> None:
    body = {**event(SHUTDOWN), "properties": ["not", "an", "object"]}

    with pytest.raises(MalformedEvent):
        interpret_conversation(resource(), body)


@pytest.mark.parametrize("transcript", [None, "Hi there", {"role": "user"}])
def test_transcript_must_be_a_list(transcript: Any) -> None:
    with pytest.raises(MalformedEvent):
        interpret_conversation(resource(), event(TRANSCRIPT, transcript=transcript))


def _key_as_polled(body: dict[str, Any]) -> str:
    """The poller rebuilds an envelope with fewer keys; the dedup key must not change."""
    polled = {k: body[k] for k in ("conversation_id", "event_type", "timestamp", "properties")}
    return interpret_conversation(resource(), {**polled, "message_type": None}).dedup_key
