"""Conversations: the statuses a call goes through and the events Tavus reports on it."""

from __future__ import annotations

from bot.domain.lifecycle import Lifecycle

KIND = "conversation"
ID_KEY = "conversation_id"  # the key naming a conversation in callback bodies

WAITING = "waiting"  # created; the replica has not joined yet
LIVE = "live"  # the replica is in the call
ENDED = "ended"
DELETED = "deleted"
LIFECYCLE = Lifecycle.of(WAITING, LIVE, ENDED, DELETED)

JOINED = "system.replica_joined"
JOINED_ALIASES = frozenset({JOINED, "system.pal_joined"})  # newer docs call replicas PALs
SHUTDOWN = "system.shutdown"
TRANSCRIPT = "application.transcription_ready"
RECORDING = "application.recording_ready"
RECORDING_FAILED = "application.recording_copy_failed"
PERCEPTION = "application.perception_analysis"
PERCEPTION_UNAVAILABLE = "application.perception_unavailable"
POST_CALL_ACTION = "application.post_call_action_executed"
# Bodies without an event_type that still belong to a call (tavus-callbacks.md).
OBJECTIVE_COMPLETED = "objective.completed"
GUARDRAIL_TRIGGERED = "guardrail.triggered"
UNKNOWN = "unknown"

# Tavus statuses (GET /v2/conversations) that mean the call is over.
TAVUS_OVER = frozenset({"ended", "deleted"})
