"""Async client for the Tavus conversational-video API."""

from __future__ import annotations

from ._http import usable_id
from .client import TavusClient
from .dictionaries import PronunciationDictionaries
from .documents import Documents
from .errors import (
    BadRequest,
    Conflict,
    DocumentBusy,
    NotFound,
    PaymentRequired,
    RateLimited,
    RecrawlCooldown,
    ServerError,
    TavusConnectionError,
    TavusError,
    TavusStatusError,
    Unauthorized,
)
from .guardrails import Guardrails
from .layers import (
    ConversationalFlowLayer,
    LLMLayer,
    PerceptionLayer,
    PersonaLayers,
    STTLayer,
    TTSLayer,
)
from .lipsync import Lipsyncs
from .models import (
    Conversation,
    ConversationEvent,
    ConversationProperties,
    CrawlConfig,
    Document,
    Guardrail,
    GuardrailSet,
    GuardrailSpec,
    Lipsync,
    Objective,
    ObjectiveSet,
    ObjectiveSpec,
    Page,
    Persona,
    PronunciationDictionary,
    PronunciationRule,
    PronunciationRuleSpec,
    Replica,
    ReplicaProperties,
    Video,
    VideoProperties,
    Voice,
)
from .objectives import Objectives
from .patch import Patched, PatchOperation
from .personas import Personas
from .videos import Videos
from .voices import Voices

__all__ = [
    "usable_id",
    "BadRequest",
    "Conflict",
    "Conversation",
    "ConversationEvent",
    "ConversationProperties",
    "ConversationalFlowLayer",
    "CrawlConfig",
    "Document",
    "DocumentBusy",
    "Documents",
    "Guardrail",
    "GuardrailSet",
    "GuardrailSpec",
    "Guardrails",
    "LLMLayer",
    "Lipsync",
    "Lipsyncs",
    "NotFound",
    "Objective",
    "ObjectiveSet",
    "ObjectiveSpec",
    "Objectives",
    "Page",
    "PatchOperation",
    "Patched",
    "PaymentRequired",
    "PerceptionLayer",
    "Persona",
    "PersonaLayers",
    "Personas",
    "PronunciationDictionaries",
    "PronunciationDictionary",
    "PronunciationRule",
    "PronunciationRuleSpec",
    "RateLimited",
    "RecrawlCooldown",
    "Replica",
    "ReplicaProperties",
    "STTLayer",
    "ServerError",
    "TTSLayer",
    "TavusClient",
    "TavusConnectionError",
    "TavusError",
    "TavusStatusError",
    "Unauthorized",
    "Video",
    "VideoProperties",
    "Videos",
    "Voice",
    "Voices",
]
