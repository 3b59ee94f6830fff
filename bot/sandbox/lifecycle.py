"""The life of a simulated call, with Tavus's timeouts.

`start`: the replica joins after `joined_delay` (`system.replica_joined`, or
`system.pal_joined` with the `pal_joined` option); a simulated participant joins
`participant_delay` later. Participants also join and leave on demand (`participant_joins`,
`participant_leaves`, or the `/_sandbox/conversations/{id}/participants/...` routes).
When the first participant joins, the persona's objectives start completing and its
guardrail is set to trigger (`objectives.py`, `guardrails.py`), until the call ends.

The call ends on POST /end, on delete, or on the first timeout to expire, as Tavus does:
`participant_absent_timeout` counts from creation until someone joins,
`participant_left_timeout` from the moment the last participant leaves, `max_call_duration`
from creation. Timeouts come from `properties` (else the state's defaults) times `time_scale`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bot.sandbox.artifacts import after_call
from bot.sandbox.guardrails import trigger_guardrail
from bot.sandbox.objectives import complete_objectives
from bot.sandbox.state import Conversation, SandboxState, iso_now

END_REASON = "end_conversation_endpoint_hit"
DELETED_REASON = "daily_room_has_been_deleted"
MAX_DURATION = "max_call_duration"
ABSENT = "participant_absent_timeout"
LEFT = "participant_left_timeout"
TIMEOUT_PROPERTIES = (MAX_DURATION, LEFT, ABSENT)
REPLICA_JOIN = "replica_join"
AUTO_PARTICIPANT = "auto_participant"
OBJECTIVES = "objectives"
GUARDRAIL = "guardrail"


class NoParticipant(Exception):
    """A leave was asked for while nobody was in the call."""


def envelope(conv: Conversation, event_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversation_id": conv.conversation_id,
        "event_type": event_type,
        "message_type": event_type.split(".", 1)[0],
        "timestamp": iso_now(),
        "webhook_url": conv.callback_url,
        "properties": properties,
    }


def emit(state: SandboxState, conv: Conversation, events: list[dict[str, Any]]) -> None:
    conv.events.extend(events)
    if conv.callback_url:
        state.send_callbacks(conv.callback_url, events, key=conv.conversation_id)


def _schedule(
    state: SandboxState, conv: Conversation, name: str, coro: Coroutine[Any, Any, None]
) -> None:
    _cancel(conv, name)
    conv.timers[name] = state.spawn(coro)


def _cancel(conv: Conversation, *names: str) -> None:
    for name in names:
        task = conv.timers.pop(name, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()


def _timeout(state: SandboxState, conv: Conversation, name: str) -> float | None:
    defaults = {
        MAX_DURATION: state.max_duration_default,
        ABSENT: state.participant_absent_default,
        LEFT: state.participant_left_default,
    }
    seconds = conv.properties.get(name) or defaults[name]
    return None if seconds is None else float(seconds) * state.time_scale


def timeout_reason(state: SandboxState, name: str) -> str:
    # Real payloads sometimes lack the " reached" suffix.
    return f"{name} reached" if state.reached_suffix else name


def _start_timeout(state: SandboxState, conv: Conversation, name: str) -> None:
    seconds = _timeout(state, conv, name)
    if seconds is not None:
        _schedule(state, conv, name, _end_after(state, conv, seconds, name))


async def _end_after(state: SandboxState, conv: Conversation, seconds: float, name: str) -> None:
    await asyncio.sleep(seconds)
    if conv.status == "active":
        finish(state, conv, timeout_reason(state, name))


def start(state: SandboxState, conv: Conversation) -> None:
    _schedule(state, conv, REPLICA_JOIN, _replica_joins(state, conv))
    _start_timeout(state, conv, MAX_DURATION)
    _start_timeout(state, conv, ABSENT)


async def _replica_joins(state: SandboxState, conv: Conversation) -> None:
    await asyncio.sleep(state.joined_delay)
    event_type = "system.pal_joined" if state.pal_joined else "system.replica_joined"
    emit(state, conv, [envelope(conv, event_type, {"replica_id": conv.replica_id})])
    if state.participant_delay is not None and not conv.participant_seen:
        _schedule(state, conv, AUTO_PARTICIPANT, _participant_later(state, conv))


async def _participant_later(state: SandboxState, conv: Conversation) -> None:
    assert state.participant_delay is not None
    await asyncio.sleep(state.participant_delay)
    participant_joins(state, conv)


def participant_joins(state: SandboxState, conv: Conversation) -> None:
    first = not conv.participant_seen
    conv.participants += 1
    conv.participant_seen = True
    _cancel(conv, ABSENT, LEFT, AUTO_PARTICIPANT)
    if first:
        _start_steering(state, conv)


def _start_steering(state: SandboxState, conv: Conversation) -> None:
    """Objectives and guardrails act while someone talks; `finish` cancels what is left."""
    if conv.objectives_id and state.objective_delay is not None:
        objectives = complete_objectives(state, conv, state.objective_delay)
        _schedule(state, conv, OBJECTIVES, objectives)
    if conv.guardrails_ids and state.guardrail_delay is not None:
        _schedule(state, conv, GUARDRAIL, trigger_guardrail(state, conv, state.guardrail_delay))


def participant_leaves(state: SandboxState, conv: Conversation) -> None:
    if conv.participants == 0:
        raise NoParticipant
    conv.participants -= 1
    if conv.participants == 0:
        _start_timeout(state, conv, LEFT)


def finish(state: SandboxState, conv: Conversation, reason: str) -> None:
    """End an active call now and send its end-of-call events (only the shutdown when the
    room was deleted)."""
    _cancel(conv, *list(conv.timers))
    conv.status, conv.shutdown_reason, conv.updated_at = "ended", reason, iso_now()
    conv.participants = 0
    shutdown = {"replica_id": conv.replica_id, state.shutdown_key: reason}
    events = [envelope(conv, "system.shutdown", shutdown)]
    if reason != DELETED_REASON:
        events += [envelope(conv, kind, props) for kind, props in after_call(state, conv)]
    emit(state, conv, events)
