"""Typed Tavus payloads. `from_api` ignores unknown keys: Tavus adds fields often."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Required, TypedDict, TypeVar

__all__ = [
    "Conversation",
    "ConversationEvent",
    "ConversationProperties",
    "CrawlConfig",
    "Document",
    "Guardrail",
    "GuardrailSet",
    "GuardrailSpec",
    "Lipsync",
    "Objective",
    "ObjectiveSet",
    "ObjectiveSpec",
    "Page",
    "Persona",
    "PronunciationDictionary",
    "PronunciationRule",
    "PronunciationRuleSpec",
    "Replica",
    "ReplicaProperties",
    "Video",
    "VideoProperties",
    "Voice",
    "data_items",
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

CONFIRMATION_MODES = ("auto", "manual")
MODALITIES = ("verbal", "visual")

DOCUMENT_STARTED = "started"
DOCUMENT_PROCESSING = "processing"
DOCUMENT_READY = "ready"
DOCUMENT_ERROR = "error"
DOCUMENT_RECRAWLING = "recrawling"
DOCUMENT_STATUSES = (
    DOCUMENT_STARTED,
    DOCUMENT_PROCESSING,
    DOCUMENT_READY,
    DOCUMENT_ERROR,
    DOCUMENT_RECRAWLING,
)
FINISHED_DOCUMENT_STATUSES = frozenset({DOCUMENT_READY, DOCUMENT_ERROR})

RULE_TYPES = ("alias", "ipa")


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


class ObjectiveSpec(TypedDict, total=False):
    """One item of POST /v2/objectives `data`."""

    objective_name: Required[str]
    objective_prompt: Required[str]
    confirmation_mode: Literal["auto", "manual"]
    output_variables: list[str]
    modality: Literal["verbal", "visual"]
    # The spec's singular string; the docs page's list `next_required_objectives` is unverified.
    next_required_objective: str
    next_conditional_objectives: dict[str, str]
    callback_url: str


class GuardrailSpec(TypedDict, total=False):
    """One item of POST /v2/guardrails `data`."""

    guardrail_name: Required[str]
    guardrail_prompt: Required[str]
    modality: Literal["verbal", "visual"]
    callback_url: str


class CrawlConfig(TypedDict, total=False):
    """How far a website document is crawled: `depth` 1-10 links, `max_pages` 1-100."""

    depth: int
    max_pages: int


class PronunciationRuleSpec(TypedDict, total=False):
    text: Required[str]
    pronunciation: Required[str]
    type: Required[Literal["alias", "ipa"]]
    case_sensitive: bool
    word_boundaries: bool


_PROGRESS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?)|%)?\s*")


def progress_percent(text: str | None) -> int | None:
    """`"40/100"` -> 40. Anything unreadable is unknown (None), never a made-up 0."""
    match = _PROGRESS.fullmatch(text) if text is not None else None
    if match is None:
        return None
    done = float(match[1])
    if match[2] is not None:
        total = float(match[2])
        if total <= 0 or not math.isfinite(total):
            return None
        done = done * 100 / total
    if not math.isfinite(done):  # hundreds of digits: no progress anyone could mean
        return None
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


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(value)


def _opt_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def _str_or_strs(value: Any) -> tuple[str, ...]:
    """One name or a list of names, as a tuple."""
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def data_items(value: Any) -> tuple[Mapping[str, Any], ...]:
    """A `data` member sent either as one object or as a list of them.

    The one place that reads Tavus's two wrappings of single resources (`{"data": {...}}`
    and `{"data": [{...}]}`); `_http.unwrap_one` and the set models build on it.
    """
    if isinstance(value, Mapping):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, Mapping))
    return ()


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
    """GET, list and create answers (create sends only id, name and `created_at`)."""

    persona_id: str
    persona_name: str | None = None
    default_replica_id: str | None = None
    system_prompt: str | None = None
    context: str | None = None
    pipeline_mode: str | None = None
    document_ids: tuple[str, ...] = ()
    document_tags: tuple[str, ...] = ()
    persona_type: str | None = None
    objectives_id: str | None = None
    guardrails_id: str | None = None
    guardrail_ids: tuple[str, ...] = ()
    guardrail_tags: tuple[str, ...] = ()
    layers: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _layer(self, name: str, key: str) -> str | None:
        value = _mapping(self.layers.get(name)).get(key)
        return None if value is None else str(value)

    @property
    def llm_model(self) -> str | None:
        return self._layer("llm", "model")

    @property
    def tts_engine(self) -> str | None:
        return self._layer("tts", "tts_engine")

    @property
    def tts_voice(self) -> str | None:
        """`layers.tts.external_voice_id`: the engine's voice, when not the replica's own."""
        return self._layer("tts", "external_voice_id")

    @property
    def pronunciation_dictionary_id(self) -> str | None:
        return self._layer("tts", "pronunciation_dictionary_id")

    @property
    def stt_engine(self) -> str | None:
        return self._layer("stt", "stt_engine")

    @property
    def perception_model(self) -> str | None:
        """`layers.perception.perception_model`: "off" means no perception events will come."""
        return self._layer("perception", "perception_model")

    @property
    def turn_detection_model(self) -> str | None:
        """`layers.conversational_flow.turn_detection_model` (turn taking moved there from stt)."""
        return self._layer("conversational_flow", "turn_detection_model")

    @property
    def turn_taking_patience(self) -> str | None:
        return self._layer("conversational_flow", "turn_taking_patience")

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
            objectives_id=_opt_str(data, "objectives_id"),
            guardrails_id=_opt_str(data, "guardrails_id"),
            guardrail_ids=_strs(data, "guardrail_ids"),
            guardrail_tags=_strs(data, "guardrail_tags"),
            layers=_mapping(data.get("layers")),
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
class Objective:
    """One objective; `next_required_objectives` reads the spec's singular string and the
    docs page's list alike."""

    objective_name: str
    objective_prompt: str | None = None
    confirmation_mode: str | None = None
    modality: str | None = None
    output_variables: tuple[str, ...] = ()
    next_required_objectives: tuple[str, ...] = ()
    next_conditional_objectives: dict[str, str] = field(default_factory=dict)
    callback_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Objective:
        conditional = _mapping(data.get("next_conditional_objectives"))
        return cls(
            objective_name=str(data.get("objective_name") or ""),
            objective_prompt=_opt_str(data, "objective_prompt"),
            confirmation_mode=_opt_str(data, "confirmation_mode"),
            modality=_opt_str(data, "modality"),
            output_variables=_strs(data, "output_variables"),
            next_required_objectives=_str_or_strs(data.get("next_required_objective"))
            or _str_or_strs(data.get("next_required_objectives")),
            next_conditional_objectives={str(k): str(v) for k, v in conditional.items()},
            callback_url=_opt_str(data, "callback_url"),
            raw=dict(data),
        )


def _set_id(data: Mapping[str, Any], key: str, items: tuple[Mapping[str, Any], ...]) -> str:
    """The set's id: on the set, else on its first item (list rows are flat)."""
    found = _first_str(data, key) or next((_opt_str(i, key) for i in items if key in i), None)
    if found is None:
        raise KeyError(key)
    return found


def _members(data: Mapping[str, Any], marker: str) -> tuple[Mapping[str, Any], ...]:
    """A set's members: its `data` (an object or a list), or the row itself when flat."""
    if "data" in data:
        return data_items(data["data"])
    return (data,) if marker in data else ()


@dataclass(frozen=True, kw_only=True)
class ObjectiveSet:
    """What an `objectives_id` names: the objectives created together.

    GET one answers `{"data": {...}}` or `{"data": [{...}]}`, list rows are flat objectives
    carrying `objectives_id`, and the create answer carries the id and no objectives.
    """

    objectives_id: str
    objectives: tuple[Objective, ...] = ()
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, objectives_id: str | None = None) -> ObjectiveSet:
        items = _members(data, "objective_prompt")
        head = items[0] if items else {}
        return cls(
            objectives_id=objectives_id or _set_id(data, "objectives_id", items),
            objectives=tuple(Objective.from_api(item) for item in items),
            status=_opt_str(data, "status"),
            created_at=_first_str(data, "created_at") or _opt_str(head, "created_at"),
            updated_at=_first_str(data, "updated_at") or _opt_str(head, "updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class Guardrail:
    """A legacy set's member (no id of its own) or a newer single guardrail (id `uuid`)."""

    guardrail_name: str
    guardrail_prompt: str | None = None
    modality: str | None = None
    callback_url: str | None = None
    guardrail_id: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Guardrail:
        return cls(
            guardrail_name=str(data.get("guardrail_name") or ""),
            # tavus-api.md spells it `guardrails_prompt`; the spec and Tavus say `guardrail_prompt`.
            guardrail_prompt=_first_str(data, "guardrail_prompt", "guardrails_prompt"),
            modality=_opt_str(data, "modality"),
            callback_url=_opt_str(data, "callback_url"),
            guardrail_id=_first_str(data, "uuid", "guardrail_id"),
            tags=_tag_names(data.get("tags")),
            created_at=_opt_str(data, "created_at"),
            updated_at=_opt_str(data, "updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class GuardrailSet:
    """What `guardrails_id` names, read from either generation of the API.

    Legacy sets: `{guardrails_id, name, data: [...]}` (GET one may send only `data`, as an
    object or a list). A newer single guardrail (`uuid`, `tags`) reads as a set of one with
    ``single`` set: a persona takes it in `guardrail_ids`, not `guardrails_id`.
    """

    guardrails_id: str
    name: str | None = None
    guardrails: tuple[Guardrail, ...] = ()
    single: bool = False
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, guardrails_id: str | None = None) -> GuardrailSet:
        items = _members(data, "guardrail_name")
        guardrails = tuple(Guardrail.from_api(item) for item in items)
        single = _single_guardrail(data, guardrails)
        own = single.raw if single else {}  # a single guardrail's own fields name the "set"
        return cls(
            guardrails_id=guardrails_id
            or _first_str(own, "uuid", "guardrail_id")
            or _set_id(data, "guardrails_id", items),
            name=_first_str(data, "name", "guardrails_name") or _opt_str(own, "guardrail_name"),
            guardrails=guardrails,
            single=single is not None,
            status=_opt_str(data, "status"),
            created_at=_first_str(data, "created_at") or _opt_str(own, "created_at"),
            updated_at=_first_str(data, "updated_at") or _opt_str(own, "updated_at"),
            raw=dict(data),
        )


def _single_guardrail(
    data: Mapping[str, Any], guardrails: tuple[Guardrail, ...]
) -> Guardrail | None:
    """The newer generation: one guardrail with its own id and no set around it."""
    if "guardrails_id" in data or len(guardrails) != 1 or guardrails[0].guardrail_id is None:
        return None
    return guardrails[0]


@dataclass(frozen=True, kw_only=True)
class Document:
    """A knowledge-base document: a file or a (crawled) website.

    The id is `document_id` (older answers: `uuid`); `crawl` is the answers' `crawl_config`
    (or the request's `crawl` spelling). `progress` is a percentage, None when not processing.
    """

    document_id: str
    document_name: str | None = None
    document_url: str | None = None
    status: str | None = None
    progress: int | None = None
    error_message: str | None = None
    callback_url: str | None = None
    tags: tuple[str, ...] = ()
    crawl: dict[str, Any] = field(default_factory=dict)
    crawled_urls: tuple[str, ...] = ()
    crawl_count: int | None = None
    last_crawled_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_ready(self) -> bool:
        return self.status == DOCUMENT_READY

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_DOCUMENT_STATUSES

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Document:
        document_id = _first_str(data, "document_id", "uuid")
        if document_id is None:
            raise KeyError("document_id")
        return cls(
            document_id=document_id,
            document_name=_opt_str(data, "document_name"),
            document_url=_opt_str(data, "document_url"),
            status=_opt_str(data, "status"),
            progress=_opt_int(data, "progress"),
            error_message=_opt_str(data, "error_message"),
            callback_url=_opt_str(data, "callback_url"),
            tags=_tag_names(data.get("tags")),
            crawl=_mapping(data.get("crawl_config") or data.get("crawl")),
            crawled_urls=_strs(data, "crawled_urls"),
            crawl_count=_opt_int(data, "crawl_count"),
            last_crawled_at=_opt_str(data, "last_crawled_at"),
            created_at=_opt_str(data, "created_at"),
            updated_at=_opt_str(data, "updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True, kw_only=True)
class PronunciationRule:
    text: str
    pronunciation: str
    type: str
    case_sensitive: bool | None = None
    word_boundaries: bool | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PronunciationRule:
        return cls(
            text=str(data.get("text") or ""),
            pronunciation=str(data.get("pronunciation") or ""),
            type=str(data.get("type") or ""),
            case_sensitive=_opt_bool(data, "case_sensitive"),
            word_boundaries=_opt_bool(data, "word_boundaries"),
        )


@dataclass(frozen=True, kw_only=True)
class PronunciationDictionary:
    """List rows carry `rules_count` without `rules`; GET one carries both."""

    dictionary_id: str
    name: str | None = None
    rules: tuple[PronunciationRule, ...] = ()
    rules_count: int = 0
    created_at: str | None = None
    updated_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PronunciationDictionary:
        rules = tuple(PronunciationRule.from_api(rule) for rule in data_items(data.get("rules")))
        count = _opt_int(data, "rules_count")
        return cls(
            dictionary_id=str(data["pronunciation_dictionary_id"]),
            name=_opt_str(data, "name"),
            rules=rules,
            rules_count=len(rules) if count is None else count,
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
    # Documents and pronunciation dictionaries count pages from 0, the others from 1.
    first_page: int = 1

    @property
    def has_more(self) -> bool:
        full_page = len(self.items) >= self.limit > 0
        return full_page and (self.page - self.first_page + 1) * self.limit < self.total_count

    @classmethod
    def from_api(
        cls,
        data: Mapping[str, Any],
        parse: Callable[[Mapping[str, Any]], T],
        *,
        page: int,
        limit: int,
        first_page: int = 1,
    ) -> Page[T]:
        rows = data.get("data")
        items = (
            tuple(parse(r) for r in rows if isinstance(r, Mapping))
            if isinstance(rows, list)
            else ()
        )
        total = data.get("total_count")
        if not isinstance(total, int):
            total = (page - first_page) * limit + len(items)
        return cls(items=items, total_count=total, page=page, limit=limit, first_page=first_page)
