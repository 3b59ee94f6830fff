"""/v2/conversations: create, list, get (verbose events), end, delete, and the call lifecycle.

After `joined_delay` seconds the replica joins (not in test mode). The call ends on
POST /end or after `properties.max_call_duration` (else the app's `max_duration_default`)
seconds, sending `system.shutdown`, `application.transcription_ready` and
`application.perception_analysis`, in that order. Test-mode calls get the end events too.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request, query_flag, read_object
from bot.sandbox.pagination import paginate
from bot.sandbox.state import Conversation, SandboxState, iso_now, new_id

RETRIEVAL_STRATEGIES = ("speed", "quality", "balanced")
STATUSES = ("active", "ended")
END_REASON = "end_conversation_endpoint_hit"
TIMEOUT_REASON = "max_call_duration reached"
DELETED_REASON = "daily_room_has_been_deleted"
TIMEOUT_PROPERTIES = ("max_call_duration", "participant_left_timeout", "participant_absent_timeout")
CONCURRENCY_ERROR = "User has reached maximum concurrent conversations"


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _ConversationHandlers(state)
    app.router.add_post("/v2/conversations", handlers.create)
    app.router.add_get("/v2/conversations", handlers.index)
    app.router.add_get("/v2/conversations/{conversation_id}", handlers.show)
    app.router.add_post("/v2/conversations/{conversation_id}/end", handlers.end)
    app.router.add_delete("/v2/conversations/{conversation_id}", handlers.delete)


# Lifecycle


def _envelope(conv: Conversation, event_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversation_id": conv.conversation_id,
        "event_type": event_type,
        "message_type": event_type.split(".", 1)[0],
        "timestamp": iso_now(),
        "webhook_url": conv.callback_url,
        "properties": properties,
    }


async def _deliver(
    state: SandboxState, conv: Conversation, url: str, events: list[dict[str, Any]]
) -> None:
    async with conv.delivery_lock:  # keeps each call's callbacks in the order they happened
        for event in events:
            await state.sender.post(url, event)


def _emit(state: SandboxState, conv: Conversation, events: list[dict[str, Any]]) -> None:
    conv.events.extend(events)
    if conv.callback_url:
        state.spawn(_deliver(state, conv, conv.callback_url, events))


async def _join_later(state: SandboxState, conv: Conversation) -> None:
    await asyncio.sleep(state.joined_delay)
    if conv.status == "active":
        props = {"replica_id": conv.replica_id}
        _emit(state, conv, [_envelope(conv, "system.replica_joined", props)])


async def _expire_later(state: SandboxState, conv: Conversation, seconds: float) -> None:
    await asyncio.sleep(seconds)
    if conv.status == "active":
        finish(state, conv, TIMEOUT_REASON)


def _transcript(conv: Conversation) -> list[dict[str, Any]]:
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


def finish(state: SandboxState, conv: Conversation, reason: str) -> None:
    """End an active call now and send its end-of-call events."""
    for task in conv.timers:
        if task is not asyncio.current_task():
            task.cancel()
    conv.timers.clear()
    conv.status, conv.shutdown_reason, conv.updated_at = "ended", reason, iso_now()
    shutdown = {"replica_id": conv.replica_id, "shutdown_reason": reason}
    events = [_envelope(conv, "system.shutdown", shutdown)]
    if reason != DELETED_REASON:
        events.append(
            _envelope(conv, "application.transcription_ready", {"transcript": _transcript(conv)})
        )
        events.append(
            _envelope(conv, "application.perception_analysis", {"analysis": _analysis(conv)})
        )
    _emit(state, conv, events)


# Validation


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{key} must be a string")
    return value


def _optional_bool(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise bad_request(f"{key} must be a boolean")
    return value


def _check_properties(body: dict[str, Any]) -> dict[str, Any]:
    properties = body.get("properties") or {}
    if not isinstance(properties, dict):
        raise bad_request("properties must be an object")
    for key in TIMEOUT_PROPERTIES:
        value = properties.get(key)
        if value is not None and (type(value) is not int or value <= 0):
            raise bad_request(f"properties.{key} must be a positive integer")
    return properties


def _check_body(body: dict[str, Any]) -> None:
    for key in ("callback_url", "conversation_name", "conversational_context", "custom_greeting"):
        _optional_str(body, key)
    callback_url = body.get("callback_url")
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise bad_request("Invalid callback_url")
    strategy = body.get("document_retrieval_strategy")
    if strategy is not None and strategy not in RETRIEVAL_STRATEGIES:
        raise bad_request("document_retrieval_strategy must be one of: speed, quality, balanced")
    max_participants = body.get("max_participants")
    if max_participants is not None and (type(max_participants) is not int or max_participants < 2):
        raise bad_request("max_participants must be an integer of at least 2")


def _resolve_persona(state: SandboxState, body: dict[str, Any]) -> dict[str, Any] | None:
    persona_id = _optional_str(body, "persona_id")
    if persona_id is None:
        return None
    persona = state.personas.get(persona_id)
    if persona is None:
        raise bad_request("Invalid persona_id")
    return persona


def _resolve_replica(state: SandboxState, body: dict[str, Any], persona: Any) -> str:
    replica_id = _optional_str(body, "replica_id")
    if replica_id is not None:
        if replica_id not in state.replicas:
            raise bad_request("Invalid replica_id")
        return replica_id
    if persona is None:
        raise bad_request("replica_id is required when no persona_id is given")
    if persona.get("default_replica_id") not in state.replicas:
        raise bad_request("replica_id is required when persona has no default replica")
    return str(persona["default_replica_id"])


def _system_prompt(persona: dict[str, Any] | None, conversational_context: str | None) -> str:
    parts = [persona.get("system_prompt"), persona.get("context")] if persona else []
    parts.append(conversational_context)
    return "\n\n".join(p for p in parts if isinstance(p, str) and p.strip())


def _new_conversation(state: SandboxState, body: dict[str, Any]) -> Conversation:
    _check_body(body)
    properties = _check_properties(body)
    persona = _resolve_persona(state, body)
    replica_id = _resolve_replica(state, body, persona)
    test_mode = _optional_bool(body, "test_mode")
    if not test_mode and state.active_conversation_count() >= state.max_concurrent:
        raise bad_request(CONCURRENCY_ERROR)
    conversation_id = new_id("c")
    require_auth = bool(body.get("require_auth") or properties.get("require_auth"))
    conv = Conversation(
        conversation_id=conversation_id,
        conversation_name=body.get("conversation_name") or f"New Conversation {conversation_id}",
        replica_id=replica_id,
        persona_id=persona["persona_id"] if persona else None,
        callback_url=body.get("callback_url") or None,
        system_prompt=_system_prompt(persona, body.get("conversational_context")),
        conversational_context=body.get("conversational_context"),
        custom_greeting=body.get("custom_greeting"),
        test_mode=test_mode,
        audio_only=_optional_bool(body, "audio_only"),
        properties=properties,
        meeting_token=secrets.token_urlsafe(24) if require_auth else None,
        turns=state.next_transcript,
        analysis=state.next_analysis,
    )
    state.next_transcript = state.next_analysis = None
    return conv


def _start(state: SandboxState, conv: Conversation) -> None:
    if not conv.test_mode:
        conv.timers.append(state.spawn(_join_later(state, conv)))
    limit = conv.properties.get("max_call_duration") or state.max_duration_default
    if limit:
        conv.timers.append(state.spawn(_expire_later(state, conv, float(limit))))


class _ConversationHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request) -> Conversation:
        conv = self.state.conversations.get(request.match_info["conversation_id"])
        if conv is None or conv.status == "deleted":
            raise bad_request("Invalid conversation_id")
        return conv

    async def create(self, request: web.Request) -> web.Response:
        conv = _new_conversation(self.state, await read_object(request))
        self.state.conversations[conv.conversation_id] = conv
        _start(self.state, conv)
        answer = {k: v for k, v in conv.to_api().items() if k != "updated_at"}
        if conv.meeting_token:
            answer["meeting_token"] = conv.meeting_token
        return web.json_response(answer)

    async def index(self, request: web.Request) -> web.Response:
        status = request.query.get("status")
        if status not in (None, *STATUSES):
            raise bad_request("status must be one of: active, ended")
        conversations = [
            c.to_api()
            for c in reversed(self.state.conversations.values())
            if c.status != "deleted" and status in (None, c.status)
        ]
        return web.json_response(paginate(request, conversations))

    async def show(self, request: web.Request) -> web.Response:
        conv = self._find(request)
        return web.json_response(conv.to_api(verbose=query_flag(request, "verbose")))

    async def end(self, request: web.Request) -> web.Response:
        conv = self._find(request)
        if conv.status == "active":
            finish(self.state, conv, END_REASON)
        return web.Response(status=200)

    async def delete(self, request: web.Request) -> web.Response:
        conv = self._find(request)
        if conv.status == "active":
            finish(self.state, conv, DELETED_REASON)
        conv.status, conv.updated_at = "deleted", iso_now()
        return web.Response(status=204)
