"""What a call leaves behind, as (event_type, properties) pairs sent after `system.shutdown`.

In order: `application.transcription_ready` (system prompt first); the perception analysis,
or `application.perception_unavailable`, or nothing when the persona's perception is off;
the recording(s) when `properties.enable_recording`; then one
`application.post_call_action_executed` per configured post-call action.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.state import Conversation, SandboxState, new_id

Artifact = tuple[str, dict[str, Any]]

DEFAULT_BUCKET = "tavus-sandbox-recordings"
COPY_ERROR_CODE = "AccessDenied"
COPY_ERROR_MESSAGE = "Could not assume the recording role to write to {bucket}"
POST_CALL_KEYS = ("tool_name", "status", "request", "response")


def after_call(state: SandboxState, conv: Conversation) -> list[Artifact]:
    post_call = [
        ("application.post_call_action_executed", {k: action.get(k) for k in POST_CALL_KEYS})
        for action in state.post_call_actions
    ]
    return [
        ("application.transcription_ready", {"transcript": transcript(conv)}),
        *_perception(state, conv),
        *_recordings(state, conv),
        *post_call,
    ]


def transcript(conv: Conversation) -> list[dict[str, Any]]:
    greeting = conv.custom_greeting or "Hi there! Thanks for joining. What's on your mind today?"
    context_line = f"Noted. Here is what I know going in: {conv.conversational_context}"
    turns = conv.turns or [
        {"role": "assistant", "content": greeting},
        {"role": "user", "content": "Hi! I'd like to talk through the plan for this week."},
        {"role": "assistant", "content": context_line if conv.conversational_context else ""},
        {"role": "user", "content": "Great, that covers it. Thank you!"},
        {"role": "assistant", "content": "You're welcome. Have a good day!"},
    ]
    start = time.time() - 2.0 * len(turns)
    system = {"role": "system", "content": conv.system_prompt}
    spoken = [
        {"timestamp": start + 2.0 * i, "seconds_from_start": 2.0 * i, "duration": 1.5, **turn}
        for i, turn in enumerate(t for t in turns if t.get("content") != "")
    ]
    return [system, *spoken]


def _analysis(conv: Conversation) -> str:
    return conv.analysis or (
        f"Summary of {conv.conversation_name}: the participant joined from a quiet, well-lit "
        "room and stayed centred in frame for the whole call.\n\n"
        "Behaviour: attentive and relaxed, with steady eye contact and frequent nods while the "
        "replica spoke. No screen was shared.\n\n"
        "Emotional state: calm and engaged at the start, satisfied at the end; no signs of "
        "frustration or confusion were observed."
    )


def _perception(state: SandboxState, conv: Conversation) -> list[Artifact]:
    if not conv.perception:
        return []
    if state.perception_unavailable is not None:
        reason = {"reason": state.perception_unavailable}
        return [("application.perception_unavailable", reason)]
    return [("application.perception_analysis", {"analysis": _analysis(conv)})]


def _storage(conv: Conversation) -> tuple[str, str, str]:
    """(provider, bucket or container, URI prefix) from the create's recording settings."""
    storage = conv.properties.get("recording_storage") or {}
    provider = str(storage.get("provider") or "s3")
    bucket = str(
        storage.get("bucket_name")
        or storage.get("container")
        or conv.properties.get("recording_s3_bucket_name")
        or DEFAULT_BUCKET
    )
    if provider == "azure_blob":
        account = storage.get("storage_account") or "sandbox"
        return provider, bucket, f"https://{account}.blob.core.windows.net/{bucket}"
    return provider, bucket, f"{'gs' if provider == 'gcs' else 's3'}://{bucket}"


def _call_seconds(conv: Conversation) -> int:
    started = datetime.fromisoformat(conv.created_at)
    return max(1, round((datetime.now(UTC) - started).total_seconds()))


def _recordings(state: SandboxState, conv: Conversation) -> list[Artifact]:
    if conv.properties.get("enable_recording") is not True:
        return []
    provider, bucket, prefix = _storage(conv)
    duration = _call_seconds(conv)
    keys = [f"{conv.conversation_id}/{new_id('rec')}.mp4" for _ in range(state.recordings)]
    if state.recording_copy_failed:
        failed = {
            "recording_id": new_id("rec"),
            "s3_key": keys[0] if keys else f"{conv.conversation_id}/recording.mp4",
            "duration": duration,
            "storage_provider": provider,
            "error_code": COPY_ERROR_CODE,
            "error_message": COPY_ERROR_MESSAGE.format(bucket=bucket),
        }
        return [("application.recording_copy_failed", failed)]
    return [
        (
            "application.recording_ready",
            {
                "bucket_name": bucket,
                "s3_key": key,
                "duration": duration,
                "storage_provider": provider,
                "storage_uri": f"{prefix}/{key}",
            },
        )
        for key in keys
    ]
