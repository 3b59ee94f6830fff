"""In-memory store of the sandbox: options, resources, lifecycle tasks, faults, sent callbacks.

Tests reach it as `app[SANDBOX_STATE]`. Every option (see `bot/sandbox/options.py`) is a
field here: pass it to `build_app(...)`, or change it while running with
`state.configure(name=value)`. Request faults are on `state.faults` (`bot/sandbox/faults.py`).
Tests may also set, before creating a conversation:

- `state.next_transcript = [{"role": "user", "content": "..."}, ...]`: the next conversation
  created takes these turns (copied to `conversation.turns`) in place of the generated ones.
  Setting `state.conversations[cid].turns` afterwards works as well. The transcript sent at
  the end always starts with the `role: system` entry holding the full system prompt.
- `state.next_analysis = "..."`: the same for the perception analysis text.

`state.requests` logs every API request received (`bot/sandbox/recording.py`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.sandbox.callbacks import CallbackSender, SentCallback
from bot.sandbox.faults import Faults
from bot.sandbox.options import OPTION_CHECKS, TIMESTAMP_STYLES, check_options
from bot.sandbox.recording import RecordedRequest

if TYPE_CHECKING:
    from bot.sandbox.documents import Document
    from bot.sandbox.lipsync import Lipsync
    from bot.sandbox.videos import Video

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENT = 10
# Tavus's documented defaults: max_call_duration 3600 s, participant_absent_timeout 300 s.
DEFAULT_MAX_CALL_DURATION = 3600.0
DEFAULT_PARTICIPANT_ABSENT = 300.0
DEFAULT_PARTICIPANT_LEFT = 60.0  # undocumented; Tavus's own examples use 60
# Real jobs take minutes (videos) to hours (training); a human trying the sandbox waits seconds.
DEFAULT_TRAINING_SECONDS = 1.0
DEFAULT_VIDEO_SECONDS = 10.0
DEFAULT_LIPSYNC_SECONDS = 5.0
DEFAULT_DOCUMENT_SECONDS = 3.0
# Seconds from the first participant joining to the first objective completing (and between
# objectives), and to the guardrail triggering: soon enough to watch while trying the app.
DEFAULT_OBJECTIVE_DELAY = 1.0
DEFAULT_GUARDRAIL_DELAY = 2.0
# Tavus's documented crawl limits: a one-hour recrawl cooldown, 100 crawl documents per user.
DEFAULT_RECRAWL_COOLDOWN = 3600.0
DEFAULT_CRAWL_DOCUMENT_LIMIT = 100

SEED_REPLICA_ID = "r79e1c033f"
SEED_REPLICA_2_ID = "r9fa0878977a"
SEED_REPLICA_3_ID = "r4317e64d25a"
SEED_PERSONA_ID = "p2fbd605"
SEED_PERSONA_2_ID = "p48fdf065d6b"
SEED_ECHO_PERSONA_ID = "p7a2e5c1b9d0"
"""A system persona in echo mode with no default replica."""

SEED_VOICES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("anna", SEED_REPLICA_ID, ("female", "english")),
    ("charlie", SEED_REPLICA_2_ID, ("male", "english")),
    ("lucas", SEED_REPLICA_3_ID, ("male", "spanish")),
)
"""Stock voices (`voice_name` slug, the stock replica it comes from, tags): the voices a
replica trained from an image may take."""

SEED_SYSTEM_PROMPT = (
    "You are the Tavus Researcher, a curious and rigorous research assistant. "
    "Ask clarifying questions, cite what you know, and keep answers short."
)


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def restamp(timestamp: str, style: str) -> str:
    """A callback's timestamp as verbose GET formats it (`style` from TIMESTAMP_STYLES)."""
    return TIMESTAMP_STYLES[style](datetime.fromisoformat(timestamp))


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
    perception: bool = True
    meeting_token: str | None = None
    status: str = "active"
    shutdown_reason: str | None = None
    created_at: str = field(default_factory=iso_now)
    updated_at: str = field(default_factory=iso_now)
    events: list[dict[str, Any]] = field(default_factory=list)
    turns: list[dict[str, Any]] | None = None
    analysis: str | None = None
    participants: int = 0
    participant_seen: bool = False
    objectives_id: str | None = None
    guardrails_ids: list[str] = field(default_factory=list)
    timers: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    @property
    def conversation_url(self) -> str:
        return f"https://tavus.daily.co/{self.conversation_id}"

    def created_answer(self) -> dict[str, Any]:
        """The newer spec's create answer: no persona_id / replica_id (GET still has them)."""
        answer = {
            "conversation_id": self.conversation_id,
            "conversation_name": self.conversation_name,
            "conversation_url": self.conversation_url,
            "status": self.status,
            "callback_url": self.callback_url,
            "created_at": self.created_at,
        }
        if self.meeting_token:
            answer["meeting_token"] = self.meeting_token
        return answer

    def to_api(self, *, verbose: bool = False, timestamps: str = "seconds") -> dict[str, Any]:
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
            data["events"] = [
                {**event, "timestamp": restamp(event["timestamp"], timestamps)}
                for event in self.events
            ]
        return data


@dataclass
class SandboxState:
    """Options (each documented in the README's sandbox section and checked by options.py).

    Timing: `latency` (seconds before every answer), `joined_delay` (creation to replica
    joined), `participant_delay` (replica joined to the simulated participant joining; None:
    nobody joins unless told), `training_delay`, `video_delay`, `lipsync_delay` (a whole job,
    see `jobs.py`), `time_scale` (multiplies every call timeout,
    e.g. 0.01 turns a 60 s timeout into 0.6 s), `max_duration_default`,
    `participant_absent_default`, `participant_left_default` (timeouts in seconds when the
    create sets none; None for no max duration).
    Dialect: `pal_joined` (send `system.pal_joined`), `shutdown_key` (`shutdown_reason` or
    `reason`), `reached_suffix` (False drops " reached"), `perception_unavailable` (a reason:
    send `application.perception_unavailable` instead of the analysis), `recordings`
    (`recording_ready` callbacks per recorded call), `recording_copy_failed`,
    `post_call_actions`, `verbose_timestamps` (`seconds`, `space` or `offset`),
    `video_first_page` (0 as the spec says, or 1).
    Job errors: `replica_error`, `video_error`, `lipsync_error` (a reason: jobs created
    while it is set fail with it).
    Delivery faults: `duplicate_callbacks`, `reorder_callbacks`.
    Objectives and guardrails: `objectives_get_shape`, `guardrails_get_shape` (GET one's
    `data` a `list` of the set's items, or the first as an `object`); during a call with a
    persona that has them, `objective_delay` (seconds from the first participant joining to
    each next objective completing; None: none complete), `objectives_completed` (how many;
    None: all), `guardrail_delay` (seconds from the first participant joining to a guardrail
    triggering; None: never), `guardrail_trigger` (which `guardrail_name`; None: the first).
    Documents: `document_delay` (processing seconds), `document_error` (an error code: new
    documents and recrawls fail with it), `document_id_field` (`document_id` or the older
    `uuid`), `recrawl_cooldown` (seconds), `crawl_document_limit`.
    `record_requests`: log every API request in `requests` (`recording.py`).
    """

    latency: float = 0.0
    joined_delay: float = 1.0
    participant_delay: float | None = 0.5
    training_delay: float = DEFAULT_TRAINING_SECONDS
    video_delay: float = DEFAULT_VIDEO_SECONDS
    lipsync_delay: float = DEFAULT_LIPSYNC_SECONDS
    time_scale: float = 1.0
    max_duration_default: float | None = DEFAULT_MAX_CALL_DURATION
    participant_absent_default: float = DEFAULT_PARTICIPANT_ABSENT
    participant_left_default: float = DEFAULT_PARTICIPANT_LEFT
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    pal_joined: bool = False
    shutdown_key: str = "shutdown_reason"
    reached_suffix: bool = True
    perception_unavailable: str | None = None
    recordings: int = 1
    recording_copy_failed: bool = False
    post_call_actions: list[dict[str, Any]] = field(default_factory=list)
    verbose_timestamps: str = "seconds"
    video_first_page: int = 0
    replica_error: str | None = None
    video_error: str | None = None
    lipsync_error: str | None = None
    duplicate_callbacks: bool = False
    reorder_callbacks: bool = False
    objectives_get_shape: str = "list"
    guardrails_get_shape: str = "list"
    objective_delay: float | None = DEFAULT_OBJECTIVE_DELAY
    objectives_completed: int | None = None
    guardrail_delay: float | None = DEFAULT_GUARDRAIL_DELAY
    guardrail_trigger: str | None = None
    document_delay: float = DEFAULT_DOCUMENT_SECONDS
    document_error: str | None = None
    document_id_field: str = "document_id"
    recrawl_cooldown: float = DEFAULT_RECRAWL_COOLDOWN
    crawl_document_limit: int = DEFAULT_CRAWL_DOCUMENT_LIMIT
    record_requests: bool = True
    personas: dict[str, dict[str, Any]] = field(default_factory=dict)
    replicas: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    lipsyncs: dict[str, Lipsync] = field(default_factory=dict)
    voices: dict[str, dict[str, Any]] = field(default_factory=dict)
    objectives: dict[str, dict[str, Any]] = field(default_factory=dict)
    guardrails: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    dictionaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    callbacks_sent: list[SentCallback] = field(default_factory=list)
    next_transcript: list[dict[str, Any]] | None = None
    next_analysis: str | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    jobs: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    sender: CallbackSender = field(init=False)
    faults: Faults = field(init=False, default_factory=Faults)

    def __post_init__(self) -> None:
        check_options(self.options())
        self.sender = CallbackSender(self.callbacks_sent)

    def options(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in OPTION_CHECKS}

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change options while running (all or none); answers every option's value."""
        check_options(changes)
        for name, value in changes.items():
            setattr(self, name, value)
        return self.options()

    def send_callbacks(self, url: str, payloads: Sequence[dict[str, Any]], *, key: str) -> None:
        """Deliver in the background, after `key`'s earlier batches, with the delivery faults."""
        delivery = self.sender.deliver(
            url,
            list(payloads),
            key=key,
            duplicate=self.duplicate_callbacks,
            reorder=self.reorder_callbacks,
        )
        self.spawn(delivery)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def start_job(self, key: str, coro: Coroutine[Any, Any, None]) -> None:
        """Run a resource's job (training, generation) in the background until it ends or
        `stop_job(key)`; a stopped job sends nothing more."""
        task = self.spawn(coro)
        self.jobs[key] = task
        task.add_done_callback(lambda done: self._job_done(key, done))

    def stop_job(self, key: str) -> None:
        task = self.jobs.pop(key, None)
        if task is not None:
            task.cancel()

    def _job_done(self, key: str, task: asyncio.Task[None]) -> None:
        if self.jobs.get(key) is task:
            del self.jobs[key]

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
        return sum(1 for c in self.conversations.values() if c.status == "active")

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
        for voice_name, replica_id, tags in SEED_VOICES:
            self.voices[voice_name] = _stock_voice(voice_name, replica_id, tags)


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


def _stock_voice(voice_name: str, replica_id: str, tags: tuple[str, ...]) -> dict[str, Any]:
    return {
        "voice_name": voice_name,
        "replica_id": replica_id,
        "audio_url": f"https://cdn.sandbox.tavus.io/voices/{voice_name}.mp3",
        "tags": [{"tag_name": tag} for tag in tags],
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
        "objectives_id": None,
        "guardrails_id": None,
        "layers": {},
        "created_at": now,
        "updated_at": now,
    }
