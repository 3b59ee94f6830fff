"""Typed Tavus payloads. `from_api` ignores unknown keys: Tavus adds fields often."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypedDict, TypeVar

__all__ = [
    "Conversation",
    "ConversationEvent",
    "ConversationProperties",
    "Page",
    "Persona",
    "Replica",
]

T = TypeVar("T")

SHUTDOWN_EVENT = "system.shutdown"
READY_REPLICA_STATUSES = frozenset({"completed", "ready"})


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


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


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
