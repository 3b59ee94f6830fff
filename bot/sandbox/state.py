"""In-memory store of the sandbox: resources, lifecycle tasks, sent callbacks, seed data.

Tests reach it as `app[SANDBOX_STATE]` and may set, before creating a conversation:

- `state.next_transcript = [{"role": "user", "content": "..."}, ...]`: the next conversation
  created takes these turns (copied to `conversation.turns`) in place of the generated ones.
  Setting `state.conversations[cid].turns` afterwards works as well. The transcript sent at
  the end always starts with the `role: system` entry holding the full system prompt.
- `state.next_analysis = "..."`: the same for the perception analysis text.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.callbacks import CallbackSender, SentCallback

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENT = 10

SEED_REPLICA_ID = "r79e1c033f"
SEED_REPLICA_2_ID = "r9fa0878977a"
SEED_REPLICA_3_ID = "r4317e64d25a"
SEED_PERSONA_ID = "p2fbd605"
SEED_PERSONA_2_ID = "p48fdf065d6b"
SEED_ECHO_PERSONA_ID = "p7a2e5c1b9d0"
"""A system persona in echo mode with no default replica."""

SEED_SYSTEM_PROMPT = (
    "You are the Tavus Researcher, a curious and rigorous research assistant. "
    "Ask clarifying questions, cite what you know, and keep answers short."
)


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(6)


@dataclass
class Conversation:
    conversation_id: str
    conversation_name: str
    replica_id: str
    persona_id: str | None
    callback_url: str | None
    system_prompt: str
    conversational_context: str | None = None
    custom_greeting: str | None = None
    test_mode: bool = False
    audio_only: bool = False
    properties: dict[str, Any] = field(default_factory=dict)
    meeting_token: str | None = None
    status: str = "active"
    shutdown_reason: str | None = None
    created_at: str = field(default_factory=iso_now)
    updated_at: str = field(default_factory=iso_now)
    events: list[dict[str, Any]] = field(default_factory=list)
    turns: list[dict[str, Any]] | None = None
    analysis: str | None = None
    timers: list[asyncio.Task[None]] = field(default_factory=list)
    delivery_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def conversation_url(self) -> str:
        return f"https://tavus.daily.co/{self.conversation_id}"

    def to_api(self, *, verbose: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "conversation_id": self.conversation_id,
            "conversation_name": self.conversation_name,
            "conversation_url": self.conversation_url,
            "callback_url": self.callback_url,
            "status": self.status,
            "replica_id": self.replica_id,
            "persona_id": self.persona_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if verbose:
            data["shutdown_reason"] = self.shutdown_reason
            data["events"] = list(self.events)
        return data


@dataclass
class SandboxState:
    joined_delay: float = 1.0
    training_delay: float = 1.0
    max_duration_default: float | None = None
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    personas: dict[str, dict[str, Any]] = field(default_factory=dict)
    replicas: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    callbacks_sent: list[SentCallback] = field(default_factory=list)
    next_transcript: list[dict[str, Any]] | None = None
    next_analysis: str | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    sender: CallbackSender = field(init=False)

    def __post_init__(self) -> None:
        self.sender = CallbackSender(self.callbacks_sent)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("sandbox task failed", exc_info=task.exception())

    async def cancel_tasks(self) -> None:
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def active_conversation_count(self) -> int:
        return sum(
            1 for c in self.conversations.values() if c.status == "active" and not c.test_mode
        )

    def seed(self) -> None:
        for replica_id, name in (
            (SEED_REPLICA_ID, "Anna"),
            (SEED_REPLICA_2_ID, "Charlie"),
            (SEED_REPLICA_3_ID, "Lucas"),
        ):
            self.replicas[replica_id] = _system_replica(replica_id, name)
        self.personas[SEED_PERSONA_ID] = _system_persona(
            SEED_PERSONA_ID, "Tavus Researcher", SEED_SYSTEM_PROMPT, SEED_REPLICA_ID
        )
        self.personas[SEED_PERSONA_2_ID] = _system_persona(
            SEED_PERSONA_2_ID,
            "Sales Coach",
            "You are a sales coach. Role-play a skeptical buyer and give feedback at the end.",
            SEED_REPLICA_2_ID,
        )
        echo = _system_persona(SEED_ECHO_PERSONA_ID, "Echo", "", None)
        echo["pipeline_mode"] = "echo"
        self.personas[SEED_ECHO_PERSONA_ID] = echo


def _system_replica(replica_id: str, name: str) -> dict[str, Any]:
    now = iso_now()
    return {
        "replica_id": replica_id,
        "replica_name": name,
        "thumbnail_video_url": f"https://cdn.sandbox.tavus.io/{replica_id}/thumbnail.mp4",
        "training_progress": "100/100",
        "status": "completed",
        "created_at": now,
        "updated_at": now,
        "error_message": None,
        "replica_type": "system",
        "model_name": "phoenix-3",
    }


def _system_persona(
    persona_id: str, name: str, system_prompt: str, replica_id: str | None
) -> dict[str, Any]:
    now = iso_now()
    return {
        "persona_id": persona_id,
        "persona_name": name,
        "persona_type": "system",
        "pipeline_mode": "full",
        "system_prompt": system_prompt,
        "context": "",
        "default_replica_id": replica_id,
        "document_ids": [],
        "document_tags": [],
        "layers": {},
        "created_at": now,
        "updated_at": now,
    }
