"""/v2/conversations: create, list, get (verbose events), end, delete; participant control.

The call itself is simulated by `lifecycle.py`, what it leaves behind by `artifacts.py`.
`test_mode: true` creates the conversation already `ended`: no replica, no timers, no events.
`POST /_sandbox/conversations/{id}/participants/join` (or `/leave`) moves a participant.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from bot.sandbox.errors import (
    REPLICA_NOT_READY,
    bad_request,
    optional_bool,
    optional_str,
    query_flag,
    read_object,
)
from bot.sandbox.faults import CONTROL_PREFIX
from bot.sandbox.lifecycle import (
    DELETED_REASON,
    END_REASON,
    TIMEOUT_PROPERTIES,
    NoParticipant,
    finish,
    participant_joins,
    participant_leaves,
    start,
)
from bot.sandbox.pagination import paginate
from bot.sandbox.state import Conversation, SandboxState, iso_now, new_id

RETRIEVAL_STRATEGIES = ("speed", "quality", "balanced")
STATUSES = ("active", "ended")
CONCURRENCY_ERROR = "User has reached maximum concurrent conversations"


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _ConversationHandlers(state)
    app.router.add_post("/v2/conversations", handlers.create)
    app.router.add_get("/v2/conversations", handlers.index)
    app.router.add_get("/v2/conversations/{conversation_id}", handlers.show)
    app.router.add_post("/v2/conversations/{conversation_id}/end", handlers.end)
    app.router.add_delete("/v2/conversations/{conversation_id}", handlers.delete)
    app.router.add_post(
        CONTROL_PREFIX + "conversations/{conversation_id}/participants/{action}",
        handlers.participants,
    )


# Validation


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
        optional_str(body, key)
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
    persona_id = optional_str(body, "persona_id")
    if persona_id is None:
        return None
    persona = state.personas.get(persona_id)
    if persona is None:
        raise bad_request("Invalid persona_id")
    return persona


def _resolve_replica(state: SandboxState, body: dict[str, Any], persona: Any) -> str:
    replica_id = optional_str(body, "replica_id")
    if replica_id is not None:
        if replica_id not in state.replicas:
            raise bad_request("Invalid replica_id")
        if state.replicas[replica_id]["status"] != "completed":
            raise bad_request(REPLICA_NOT_READY)  # as for a video: training must be done
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


def _perception_on(persona: dict[str, Any] | None) -> bool:
    layers = (persona or {}).get("layers") or {}
    return bool((layers.get("perception") or {}).get("perception_model") != "off")


def _guardrails_ids(persona: dict[str, Any] | None) -> list[str]:
    """The persona's legacy `guardrails_id`, then the newer `guardrail_ids`, each once."""
    persona = persona or {}
    ids = [persona.get("guardrails_id"), *(persona.get("guardrail_ids") or [])]
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))


def _new_conversation(state: SandboxState, body: dict[str, Any]) -> Conversation:
    _check_body(body)
    properties = _check_properties(body)
    persona = _resolve_persona(state, body)
    replica_id = _resolve_replica(state, body, persona)
    test_mode = optional_bool(body, "test_mode")
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
        audio_only=optional_bool(body, "audio_only"),
        properties=properties,
        perception=_perception_on(persona),
        status="ended" if test_mode else "active",
        meeting_token=secrets.token_urlsafe(24) if require_auth else None,
        turns=state.next_transcript,
        analysis=state.next_analysis,
        objectives_id=(persona or {}).get("objectives_id"),
        guardrails_ids=_guardrails_ids(persona),
    )
    state.next_transcript = state.next_analysis = None
    return conv


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
        if conv.status == "active":
            start(self.state, conv)
        return web.json_response(conv.created_answer())

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
        verbose = query_flag(request, "verbose")
        timestamps = self.state.verbose_timestamps
        return web.json_response(conv.to_api(verbose=verbose, timestamps=timestamps))

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

    async def participants(self, request: web.Request) -> web.Response:
        conv = self._find(request)
        action = request.match_info["action"]
        if action not in ("join", "leave"):
            raise web.HTTPNotFound()
        if conv.status != "active":
            raise bad_request("The conversation is not active")
        if action == "join":
            participant_joins(self.state, conv)
        else:
            try:
                participant_leaves(self.state, conv)
            except NoParticipant as exc:
                raise bad_request("No participant is in the call") from exc
        answer = {"conversation_id": conv.conversation_id, "participants": conv.participants}
        return web.json_response(answer)
