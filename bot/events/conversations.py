"""Conversation events: the envelope Tavus posts to a conversation's callback_url."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.blocks.conversations import (
    STATUS_ENDED,
    STATUS_LIVE,
    section,
    shutdown_words,
    transcript_lines,
)
from bot.blocks.text import escape, truncate
from bot.events.base import (
    REFRESH_PARENT,
    Interpretation,
    MalformedEvent,
    fingerprint,
    reply,
    upload,
)
from storage import OutboxDraft, Resource

JOINED = "system.replica_joined"
JOINED_ALIASES = {"system.replica_joined", "system.pal_joined"}
SHUTDOWN = "system.shutdown"
TRANSCRIPT = "application.transcription_ready"
RECORDING = "application.recording_ready"
RECORDING_FAILED = "application.recording_copy_failed"
PERCEPTION = "application.perception_analysis"
POST_CALL_ACTION = "application.post_call_action_executed"

# What fits comfortably in a thread; longer texts also go up as a file.
PREVIEW_CHARS = 1500
PREVIEW_LINES = 12


def interpret_conversation(resource: Resource, body: Mapping[str, Any]) -> Interpretation:
    conversation_id = body.get("conversation_id")
    if conversation_id is not None and conversation_id != resource.tavus_id:
        raise MalformedEvent("conversation_id does not match this callback URL")
    event_type = body.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedEvent("event_type is missing")
    properties = body.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise MalformedEvent("properties must be an object")
    event_type = JOINED if event_type in JOINED_ALIASES else event_type
    handler = _HANDLERS.get(event_type)
    if handler is None:
        key = f"{event_type}:{_event_fingerprint(properties, body)}"
        return Interpretation(dedup_key=key, event_type=event_type)
    return handler(resource, properties, body)


def _joined(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    # Events can arrive out of order: a late "joined" must not bring an ended call back to life.
    status = None if resource.status == STATUS_ENDED else STATUS_LIVE
    return Interpretation(
        dedup_key=JOINED,
        event_type=JOINED,
        status=status,
        drafts=(reply(":wave: The replica joined the call."), REFRESH_PARENT),
    )


def _shutdown(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    reason = props.get("shutdown_reason") or props.get("reason")
    text = f":stop_sign: The call ended: {shutdown_words(str(reason) if reason else None)}."
    return Interpretation(
        dedup_key=SHUTDOWN,
        event_type=SHUTDOWN,
        status=STATUS_ENDED,
        details={"shutdown_reason": reason, "ended_at": body.get("timestamp")},
        drafts=(reply(text), REFRESH_PARENT),
    )


def _transcript(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    turns = props.get("transcript")
    if not isinstance(turns, list):
        raise MalformedEvent("transcript must be a list")
    replica = str(resource.details.get("replica_name") or "Replica")
    lines = transcript_lines([t for t in turns if isinstance(t, Mapping)], replica_label=replica)
    drafts = _preview_and_file(
        heading=f":memo: Transcript ready ({len(lines)} turns)",
        lines=lines,
        empty="The transcript is empty: nobody spoke.",
        filename=f"transcript-{resource.tavus_id}.txt",
        title="Conversation transcript",
    )
    return Interpretation(dedup_key=TRANSCRIPT, event_type=TRANSCRIPT, drafts=drafts)


def _perception(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    analysis = str(props.get("analysis") or "").strip()
    drafts = _preview_and_file(
        heading=":eyes: Perception analysis",
        lines=analysis.splitlines(),
        empty="Tavus sent an empty perception analysis.",
        filename=f"perception-{resource.tavus_id}.txt",
        title="Perception analysis",
    )
    return Interpretation(dedup_key=PERCEPTION, event_type=PERCEPTION, drafts=drafts)


def _recording(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    where = props.get("storage_uri") or _bucket_path(props)
    text = ":movie_camera: Recording ready"
    if where:
        text += f" at `{escape(where)}`"
    if props.get("duration"):
        text += f" ({escape(props['duration'])} s)"
    return Interpretation(dedup_key=RECORDING, event_type=RECORDING, drafts=(reply(text + "."),))


def _recording_failed(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    error = props.get("error_message") or props.get("error_code") or "no reason given"
    text = f":warning: Copying the recording failed: {escape(error)}"
    if props.get("storage_provider"):
        text += f" (storage: {escape(props['storage_provider'])})"
    key = f"{RECORDING_FAILED}:{fingerprint(props)}"
    return Interpretation(dedup_key=key, event_type=RECORDING_FAILED, drafts=(reply(text),))


def _post_call_action(
    resource: Resource, props: Mapping[str, Any], body: Mapping[str, Any]
) -> Interpretation:
    tool = escape(props.get("tool_name") or "an action")
    text = f":gear: Post-call action ran: *{tool}*"
    key = f"{POST_CALL_ACTION}:{_event_fingerprint(props, body)}"
    return Interpretation(dedup_key=key, event_type=POST_CALL_ACTION, drafts=(reply(text),))


def _event_fingerprint(props: Mapping[str, Any], body: Mapping[str, Any]) -> str:
    """Callback and polled envelopes differ in their keys; the event itself does not."""
    return fingerprint({"properties": dict(props), "timestamp": body.get("timestamp")})


def _bucket_path(props: Mapping[str, Any]) -> str | None:
    bucket, key = props.get("bucket_name"), props.get("s3_key")
    if bucket and key:
        return f"s3://{bucket}/{key}"
    return str(key) if key else None


def _preview_and_file(
    *, heading: str, lines: list[str], empty: str, filename: str, title: str
) -> tuple[OutboxDraft, ...]:
    if not lines:
        return (reply(f"{heading}: {empty}"),)
    whole = "\n".join(lines)
    preview = "\n".join(lines[:PREVIEW_LINES])
    is_long = len(lines) > PREVIEW_LINES or len(whole) > PREVIEW_CHARS
    shown = escape(truncate(preview, PREVIEW_CHARS))
    note = "\n_The full text is attached below._" if is_long else ""
    body = f"*{heading}*\n>>> {shown}" if not note else f"*{heading}*{note}\n>>> {shown}"
    drafts = [reply(f"{heading}\n{shown}", [section(body)])]
    if is_long:
        drafts.append(upload(content=whole + "\n", filename=filename, title=title))
    return tuple(drafts)


_Handler = Callable[[Resource, Mapping[str, Any], Mapping[str, Any]], Interpretation]
_HANDLERS: dict[str, _Handler] = {
    JOINED: _joined,
    SHUTDOWN: _shutdown,
    TRANSCRIPT: _transcript,
    PERCEPTION: _perception,
    RECORDING: _recording,
    RECORDING_FAILED: _recording_failed,
    POST_CALL_ACTION: _post_call_action,
}
