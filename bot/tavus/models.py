"""Typed Tavus payloads. `from_api` ignores unknown keys: Tavus adds fields often."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypedDict, TypeVar

__all__ = [
    "Conversation",
    "ConversationEvent",
    "ConversationProperties",
    "Lipsync",
    "Page",
    "Persona",
    "Replica",
    "ReplicaProperties",
    "Video",
    "VideoProperties",
    "Voice",
]

T = TypeVar("T")

SHUTDOWN_EVENT = "system.shutdown"

REPLICA_STARTED = "started"
REPLICA_COMPLETED = "completed"  # what GET says
REPLICA_READY = "ready"  # what the training callback says for the same state
REPLICA_ERROR = "error"
READY_REPLICA_STATUSES = frozenset({REPLICA_COMPLETED, REPLICA_READY})
# The spec names these two (no closed enum); Tavus trains on the first when none is sent.
REPLICA_MODEL_NAMES = ("phoenix-4", "phoenix-3")
DEFAULT_REPLICA_MODEL = REPLICA_MODEL_NAMES[0]

VIDEO_QUEUED = "queued"
VIDEO_GENERATING = "generating"
VIDEO_READY = "ready"
VIDEO_DELETED = "deleted"
VIDEO_ERROR = "error"
VIDEO_STATUSES = (VIDEO_QUEUED, VIDEO_GENERATING, VIDEO_READY, VIDEO_DELETED, VIDEO_ERROR)
FINISHED_VIDEO_STATUSES = frozenset({VIDEO_READY, VIDEO_DELETED, VIDEO_ERROR})

LIPSYNC_STARTED = "started"
LIPSYNC_COMPLETED = "completed"
LIPSYNC_ERROR = "error"
LIPSYNC_STATUSES = (LIPSYNC_STARTED, LIPSYNC_COMPLETED, LIPSYNC_ERROR)


class ConversationProperties(TypedDict, total=False):
    """The `properties` object of POST /v2/conversations."""

    max_call_duration: int
    participant_left_timeout: int
    participant_absent_timeout: int
    enable_recording: bool
    enable_closed_captions: bool
    apply_greenscreen: bool
    require_auth: bool
    language: str
    recording_s3_bucket_name: str
    recording_s3_bucket_region: str
    aws_assume_role_arn: str
    recording_storage: Mapping[str, Any]


class VideoProperties(TypedDict, total=False):
    """The `properties` object of POST /v2/videos (the scroll keys apply with `background_url`)."""

    background_scroll: bool
    background_scroll_type: Literal["human", "smooth"]
    background_scroll_depth: Literal["middle", "bottom"]
    background_scroll_return: Literal["return", "halt"]
    start_with_wave: bool


class ReplicaProperties(TypedDict, total=False):
    """The `properties` object of POST /v2/replicas."""

    background_green_screen: bool


_PROGRESS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?)|%)?\s*")


def progress_percent(text: str | None) -> int | None:
    """`"40/100"` -> 40. Anything unreadable is unknown (None), never a made-up 0."""
    match = _PROGRESS.fullmatch(text) if text is not None else None
    if match is None:
        return None
    done = float(match[1])
    if match[2] is not None:
        total = float(match[2])
        if total <= 0:
            return None
        done = done * 100 / total
    return max(0, min(100, round(done)))


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _first_str(data: Mapping[str, Any], *keys: str) -> str | None:
    """The first key that is set: Tavus renames fields and keeps the old spelling a while."""
    return next((str(data[k]) for k in keys if data.get(k) is not None), None)


@dataclass(frozen=True, kw_only=True)
class ConversationEvent:
    event_type: str
    timestamp: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    message_type: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ConversationEvent:
        return cls(
            event_type=str(data.get("event_type") or ""),
            timestamp=_opt_str(data, "timestamp"),
            properties=_mapping(data.get("properties")),
            message_type=_opt_str(data, "message_type"),
        )


def _events(data: Mapping[str, Any]) -> tuple[ConversationEvent, ...]:
    items = data.get("events")
    if not isinstance(items, list):
        return ()
    return tuple(ConversationEvent.from_api(i) for i in items if isinstance(i, Mapping))


def _shutdown_reason(events: tuple[ConversationEvent, ...]) -> str | None:
    for event in events:
        if event.event_type == SHUTDOWN_EVENT:
            reason = event.properties.get("shutdown_reason") or event.properties.get("reason")
            return None if reason is None else str(reason)
    return None


@dataclass(frozen=True, kw_only=True)
class Conversation:
    conversation_id: str
    conversation_name: str | None = None
    status: str | None = None
    conversation_url: str | None = None
    replica_id: str | None = None
    persona_id: str | None = None
    callback_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    shutdown_reason: str | None = None
    meeting_token: str | None = field(default=None, repr=False)
    events: tuple[ConversationEvent, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Conversation:
        events = _events(data)
        return cls(
            conversation_id=str(data["conversation_id"]),
            conversation_name=_opt_str(data, "conversation_name"),
            status=_opt_str(data, "status"),
            conversation_url=_opt_str(data, "conversation_url"),
            replica_id=_opt_str(data, "replica_id"),
            persona_id=_opt_str(data, "persona_id"),
            callback_url=_opt_str(data, "callback_url"),
            created_at=_opt_str(data, "created_at"),
            updated_at=_opt_str(data, "updated_at"),
            shutdown_reason=_opt_str(data, "shutdown_reason") or _shutdown_reason(events),
            meeting_token=_opt_str(data, "meeting_token"),
            events=events,
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class Persona:
    persona_id: str
    persona_name: str | None = None
    default_replica_id: str | None = None
    system_prompt: str | None = None
    context: str | None = None
    pipeline_mode: str | None = None
    document_ids: tuple[str, ...] = ()
    document_tags: tuple[str, ...] = ()
    persona_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def perception_model(self) -> str | None:
        """`layers.perception.perception_model`: "off" means no perception events will come."""
        perception = _mapping(_mapping(self.raw.get("layers")).get("perception"))
        model = perception.get("perception_model")
        return None if model is None else str(model)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Persona:
        return cls(
            persona_id=str(data["persona_id"]),
            persona_name=_opt_str(data, "persona_name"),
            default_replica_id=_opt_str(data, "default_replica_id"),
            system_prompt=_opt_str(data, "system_prompt"),
            context=_opt_str(data, "context"),
            pipeline_mode=_opt_str(data, "pipeline_mode"),
            document_ids=_strs(data, "document_ids"),
            document_tags=_strs(data, "document_tags"),
            persona_type=_opt_str(data, "persona_type"),
            created_at=_opt_str(data, "created_at"),
            updated_at=_opt_str(data, "updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class Replica:
    replica_id: str
    replica_name: str | None = None
    status: str | None = None
    training_progress: str | None = None
    thumbnail_video_url: str | None = None
    error_message: str | None = None
    replica_type: str | None = None
    model_name: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_ready(self) -> bool:
        """Callbacks say `ready`, GET says `completed`: the same state."""
        return self.status in READY_REPLICA_STATUSES

    @property
    def progress_percent(self) -> int | None:
        """`training_progress` (`"40/100"`) as a percentage; None when Tavus sent none."""
        return progress_percent(self.training_progress)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Replica:
        return cls(
            replica_id=str(data["replica_id"]),
            replica_name=_opt_str(data, "replica_name"),
            status=_opt_str(data, "status"),
            training_progress=_opt_str(data, "training_progress"),
            thumbnail_video_url=_opt_str(data, "thumbnail_video_url"),
            error_message=_opt_str(data, "error_message"),
            replica_type=_opt_str(data, "replica_type"),
            model_name=_opt_str(data, "model_name"),
            created_at=_opt_str(data, "created_at"),
            updated_at=_opt_str(data, "updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class Video:
    """GET, list, create and callback payloads alike; each carries a different subset.

    Timestamps stay as sent: callbacks use naive `2024-08-28 15:27:40.824457`, the create
    answer RFC 1123 `Mon, 14 Jul 2025 09:14:24 GMT`, other answers ISO 8601.
    """

    video_id: str
    video_name: str | None = None
    status: str | None = None
    replica_id: str | None = None
    status_details: str | None = None
    error_details: str | None = None
    generation_progress: str | None = None
    download_url: str | None = None
    stream_url: str | None = None
    hosted_url: str | None = None
    still_image_thumbnail_url: str | None = None
    gif_thumbnail_url: str | None = None
    background_url: str | None = None
    background_source_url: str | None = None
    script: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def progress_percent(self) -> int | None:
        return progress_percent(self.generation_progress)

    @property
    def thumbnail_image_url(self) -> str | None:
        """The still thumbnail (GET with `verbose=true` only; `fast` videos have none)."""
        return self.still_image_thumbnail_url

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_VIDEO_STATUSES

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Video:
        extra = _mapping(data.get("data"))
        return cls(
            video_id=str(data["video_id"]),
            video_name=_opt_str(data, "video_name"),
            status=_opt_str(data, "status"),
            replica_id=_opt_str(data, "replica_id"),
            status_details=_opt_str(data, "status_details"),
            error_details=_opt_str(data, "error_details"),
            generation_progress=_opt_str(data, "generation_progress"),
            download_url=_opt_str(data, "download_url"),
            stream_url=_opt_str(data, "stream_url"),
            hosted_url=_opt_str(data, "hosted_url"),
            still_image_thumbnail_url=_first_str(
                data, "still_image_thumbnail_url", "thumbnail_image_url"
            ),
            gif_thumbnail_url=_opt_str(data, "gif_thumbnail_url"),
            background_url=_opt_str(data, "background_url"),
            background_source_url=_opt_str(data, "background_source_url"),
            script=_first_str(extra, "script") or _opt_str(data, "script"),
            data=extra,
            created_at=_opt_str(data, "created_at"),
            updated_at=_opt_str(data, "updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class Lipsync:
    """Reads `lipsync_id`/`lipsync_name` and their legacy spellings `request_id`/`request_name`."""

    lipsync_id: str
    lipsync_name: str | None = None
    status: str | None = None
    video_url: str | None = None
    callback_url: str | None = None
    created_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Lipsync:
        lipsync_id = _first_str(data, "lipsync_id", "request_id")
        if lipsync_id is None:
            raise KeyError("lipsync_id")
        return cls(
            lipsync_id=lipsync_id,
            lipsync_name=_first_str(data, "lipsync_name", "request_name"),
            status=_opt_str(data, "status"),
            video_url=_opt_str(data, "video_url"),
            callback_url=_opt_str(data, "callback_url"),
            created_at=_opt_str(data, "created_at"),
            raw=dict(data),
        )


def _tag_names(value: Any) -> tuple[str, ...]:
    """Tags come as `[{"tag_name": ...}]`; accept bare strings too."""
    if not isinstance(value, list):
        return ()
    names = (t.get("tag_name") if isinstance(t, Mapping) else t for t in value)
    return tuple(str(name) for name in names if name is not None)


@dataclass(frozen=True, kw_only=True)
class Voice:
    """A stock voice: `voice_name` is the slug Create Replica takes with `train_image_url`."""

    voice_name: str
    replica_id: str | None = None
    audio_url: str | None = None
    tags: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Voice:
        return cls(
            voice_name=str(data["voice_name"]),
            replica_id=_opt_str(data, "replica_id"),
            audio_url=_opt_str(data, "audio_url"),
            tags=_tag_names(data.get("tags")),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total_count: int
    page: int
    limit: int

    @property
    def has_more(self) -> bool:
        full_page = len(self.items) >= self.limit > 0
        return full_page and self.page * self.limit < self.total_count

    @classmethod
    def from_api(
        cls,
        data: Mapping[str, Any],
        parse: Callable[[Mapping[str, Any]], T],
        *,
        page: int,
        limit: int,
    ) -> Page[T]:
        rows = data.get("data")
        items = (
            tuple(parse(r) for r in rows if isinstance(r, Mapping))
            if isinstance(rows, list)
            else ()
        )
        total = data.get("total_count")
        if not isinstance(total, int):
            total = (page - 1) * limit + len(items)
        return cls(items=items, total_count=total, page=page, limit=limit)
