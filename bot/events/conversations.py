"""Conversation events: what Tavus posts to a conversation's callback_url, or polling finds.

Lenient on purpose: Tavus's payloads vary (tavus-callbacks.md), so any body is stored and
answered 200; what can be relayed is, and a value of the wrong type never breaks rendering.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.blocks.conversations import section, shutdown_words, transcript_lines
from bot.blocks.text import as_text, code, escape, truncate
from bot.domain import conversations as domain
from bot.events import guardrails as guardrail_events
from bot.events import objectives as objective_events
from bot.events.base import (
    REFRESH_PARENT,
    Interpretation,
    Polled,
    fingerprint,
    moment,
    reply,
    upload,
)
from bot.tavus import ConversationEvent, NotFound, TavusClient
from storage import OutboxDraft, Resource

# What fits comfortably in a thread; longer texts also go up as a file.
PREVIEW_CHARS = 1500
PREVIEW_LINES = 12
# After a call ends, Tavus sends the transcript and analysis within minutes; stop waiting
# for them after this long so a conversation without them is not polled forever.
AFTER_END_GRACE_SECONDS = 30 * 60

_PERCEPTION_UNAVAILABLE_WORDS = {
    "no_vision_history": "there was no video to analyse",
    "empty_summary": "the analysis came back empty",
    "summary_error": "Tavus could not produce the analysis",
}

Properties = Mapping[str, Any]
Body = Mapping[str, Any]


def interpret_conversation(resource: Resource, body: Body) -> Interpretation:
    raw_type = body.get("event_type")
    properties = body.get("properties")
    props: Properties = properties if isinstance(properties, Mapping) else {}
    if not isinstance(raw_type, str) or not raw_type.strip():
        return _without_event_type(body, props)
    event_type = domain.JOINED if raw_type in domain.JOINED_ALIASES else raw_type
    handler = _HANDLERS.get(event_type)
    if handler is None:  # stored, not posted: Tavus adds event types often
        event_type = truncate(as_text(event_type), 100)
        return Interpretation(
            dedup_key=f"{event_type}:{_event_print(props, body)}", event_type=event_type
        )
    return handler(resource, props, body)


def _joined(resource: Resource, props: Properties, body: Body) -> Interpretation:
    return Interpretation(
        dedup_key=domain.JOINED,
        event_type=domain.JOINED,
        status=domain.LIVE,  # the store keeps "ended" if the call ended first
        drafts=(reply(":wave: The replica joined the call.", update=True), REFRESH_PARENT),
    )


def _shutdown(resource: Resource, props: Properties, body: Body) -> Interpretation:
    reason = props.get("shutdown_reason") or props.get("reason")
    text = f":stop_sign: The call ended: {shutdown_words(reason)}."
    ended_at = body.get("timestamp")
    return Interpretation(
        dedup_key=domain.SHUTDOWN,
        event_type=domain.SHUTDOWN,
        status=domain.ENDED,
        details={
            "shutdown_reason": None if reason is None else truncate(as_text(reason), 200),
            "ended_at": ended_at if isinstance(ended_at, int | float | str) else None,
        },
        drafts=(reply(text, update=True), REFRESH_PARENT),
    )


def _transcript(resource: Resource, props: Properties, body: Body) -> Interpretation:
    replica = as_text(resource.details.get("replica_name") or "Replica")
    lines = transcript_lines(_turns(props.get("transcript")), replica_label=replica)
    drafts = _preview_and_file(
        heading=f":memo: Transcript ready ({len(lines)} turns)",
        lines=lines,
        empty="The transcript is empty: nobody spoke.",
        filename=f"transcript-{resource.tavus_id}.txt",
        title="Conversation transcript",
    )
    return Interpretation(dedup_key=domain.TRANSCRIPT, event_type=domain.TRANSCRIPT, drafts=drafts)


def _turns(transcript: object) -> list[Mapping[str, Any]]:
    """A list of {role, content} as documented; a bare string or odd items still read."""
    if isinstance(transcript, str):
        return [{"role": "", "content": line} for line in transcript.splitlines()]
    if not isinstance(transcript, list):
        return []
    turns: list[Mapping[str, Any]] = []
    for turn in transcript:
        if isinstance(turn, Mapping):
            content = turn.get("content")
            if not isinstance(content, str) and content is not None:
                content = json.dumps(content, default=str)
            turns.append({"role": turn.get("role"), "content": content})
        elif turn is not None:
            turns.append({"role": "", "content": as_text(turn)})
    return turns


def _perception(resource: Resource, props: Properties, body: Body) -> Interpretation:
    analysis = props.get("analysis")
    if not isinstance(analysis, str):
        analysis = "" if analysis is None else json.dumps(analysis, default=str, indent=1)
    drafts = _preview_and_file(
        heading=":eyes: Perception analysis",
        lines=as_text(analysis).strip().splitlines(),
        empty="Tavus sent an empty perception analysis.",
        filename=f"perception-{resource.tavus_id}.txt",
        title="Perception analysis",
    )
    return Interpretation(dedup_key=domain.PERCEPTION, event_type=domain.PERCEPTION, drafts=drafts)


def _perception_unavailable(resource: Resource, props: Properties, body: Body) -> Interpretation:
    reason = as_text(props.get("reason"))
    words = _PERCEPTION_UNAVAILABLE_WORDS.get(reason) or escape(truncate(reason, 200))
    text = ":eyes: No perception analysis for this call" + (f": {words}." if words else ".")
    return Interpretation(
        dedup_key=domain.PERCEPTION_UNAVAILABLE,
        event_type=domain.PERCEPTION_UNAVAILABLE,
        details={"perception": "unavailable"},
        drafts=(reply(text, update=True),),
    )


def _recording(resource: Resource, props: Properties, body: Body) -> Interpretation:
    # One call can make several recordings: each is its own event.
    where = props.get("storage_uri") or _bucket_path(props)
    text = ":movie_camera: Recording ready"
    if where:
        text += f" at {code(truncate(as_text(where), 500))}"
    if props.get("duration") not in (None, ""):
        text += f" ({escape(truncate(as_text(props['duration']), 20))} s)"
    key = f"{domain.RECORDING}:{fingerprint(where or dict(props))}"
    return Interpretation(dedup_key=key, event_type=domain.RECORDING, drafts=(reply(text + "."),))


def _recording_failed(resource: Resource, props: Properties, body: Body) -> Interpretation:
    error = props.get("error_message") or props.get("error_code") or "no reason given"
    text = f":warning: Copying the recording failed: {escape(truncate(as_text(error), 500))}"
    if props.get("storage_provider"):
        text += f" (storage: {escape(truncate(as_text(props['storage_provider']), 40))})"
    key = f"{domain.RECORDING_FAILED}:{fingerprint(dict(props))}"
    return Interpretation(dedup_key=key, event_type=domain.RECORDING_FAILED, drafts=(reply(text),))


def _post_call_action(resource: Resource, props: Properties, body: Body) -> Interpretation:
    tool = escape(truncate(as_text(props.get("tool_name") or "an action"), 100))
    status = as_text(props.get("status")).strip().lower()
    failed = status in ("failed", "failure", "error")
    if status in ("", "success", "succeeded", "completed", "ok"):
        text = f":gear: Post-call action *{tool}* ran."
    elif failed:
        text = f":warning: Post-call action *{tool}* failed."
    else:
        text = f":gear: Post-call action *{tool}*: {escape(truncate(status, 40))}."
    key = f"{domain.POST_CALL_ACTION}:{_event_print(props, body)}"
    draft = reply(text, update=not failed)  # a failure is a result; a routine run is not
    return Interpretation(dedup_key=key, event_type=domain.POST_CALL_ACTION, drafts=(draft,))


def _without_event_type(body: Body, props: Properties) -> Interpretation:
    """Objective and guardrail callbacks carry no event_type but belong in the call's thread."""
    if "objective_name" in body:
        return objective_events.completed(body)
    if guardrail_events.guardrail_name(body) is not None:
        return guardrail_events.triggered(body)
    return Interpretation(
        dedup_key=f"{domain.UNKNOWN}:{fingerprint(_without_url(body))}", event_type=domain.UNKNOWN
    )


def _event_print(props: Properties, body: Body) -> str:
    """Callback and polled envelopes differ in keys and in how they write the time."""
    return fingerprint({"properties": dict(props), "at": moment(body)})


def _without_url(body: Body) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("webhook_url", "timestamp")}


def _bucket_path(props: Properties) -> str | None:
    bucket, key = props.get("bucket_name"), props.get("s3_key")
    if bucket and key:
        return f"s3://{as_text(bucket)}/{as_text(key)}"
    return as_text(key) if key else None


def _preview_and_file(
    *, heading: str, lines: Sequence[str], empty: str, filename: str, title: str
) -> tuple[OutboxDraft, ...]:
    lines = [line for line in lines if line.strip()]
    if not lines:
        return (reply(f"{heading}: {empty}"),)
    whole = "\n".join(lines)
    preview = "\n".join(lines[:PREVIEW_LINES])
    is_long = len(lines) > PREVIEW_LINES or len(whole) > PREVIEW_CHARS
    shown = escape(truncate(preview, PREVIEW_CHARS))
    note = "\n_The full text is attached below._" if is_long else ""
    body = f"*{heading}*{note}\n>>> {shown}"
    drafts = [reply(f"{heading}\n{shown}", [section(body)])]
    if is_long:
        drafts.append(upload(content=whole + "\n", filename=filename, title=title))
    return tuple(drafts)


_Handler = Callable[[Resource, Properties, Body], Interpretation]
_HANDLERS: dict[str, _Handler] = {
    domain.JOINED: _joined,
    domain.SHUTDOWN: _shutdown,
    domain.TRANSCRIPT: _transcript,
    domain.PERCEPTION: _perception,
    domain.PERCEPTION_UNAVAILABLE: _perception_unavailable,
    domain.RECORDING: _recording,
    domain.RECORDING_FAILED: _recording_failed,
    domain.POST_CALL_ACTION: _post_call_action,
}


# -- polling ------------------------------------------------------------------------------


async def poll_conversation(tavus: TavusClient, resource: Resource) -> Polled:
    """The verbose GET's events, shaped as the callbacks they stand for."""
    assert resource.tavus_id is not None
    try:
        conversation = await tavus.conversations.get(resource.tavus_id, verbose=True)
    except NotFound:
        return Polled(gone=True)
    bodies = tuple(_as_callback(resource.tavus_id, event) for event in conversation.events)
    return Polled(bodies=bodies, remote_status=conversation.status)


def _as_callback(conversation_id: str, event: ConversationEvent) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "event_type": event.event_type,
        "message_type": event.message_type,
        "timestamp": event.timestamp,
        "properties": event.properties,
    }


def conversation_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    """Nothing more will come: the call is over and its transcript and analysis are in."""
    quiet = now - resource.updated_at > AFTER_END_GRACE_SECONDS
    if resource.status == domain.DELETED:
        return True
    if resource.status == domain.ENDED:
        if resource.details.get("test_mode") and domain.SHUTDOWN not in seen:
            return True  # Tavus creates test-mode calls ended; nothing follows
        perception_done = bool(
            {domain.PERCEPTION, domain.PERCEPTION_UNAVAILABLE} & seen
            or resource.details.get("perception") == "off"
        )
        return (domain.TRANSCRIPT in seen and perception_done) or quiet
    # Tavus says it is over but never told us: stop asking once it has been quiet a while.
    return polled is not None and polled.remote_status in domain.TAVUS_OVER and quiet
