"""Async client for the Tavus conversational-video API."""

from __future__ import annotations

from .client import TavusClient
from .errors import (
    BadRequest,
    NotFound,
    PaymentRequired,
    RateLimited,
    ServerError,
    TavusConnectionError,
    TavusError,
    TavusStatusError,
    Unauthorized,
)
from .lipsync import Lipsyncs
from .models import (
    Conversation,
    ConversationEvent,
    ConversationProperties,
    Lipsync,
    Page,
    Persona,
    Replica,
    ReplicaProperties,
    Video,
    VideoProperties,
    Voice,
)
from .videos import Videos
from .voices import Voices

__all__ = [
    "BadRequest",
    "Conversation",
    "ConversationEvent",
    "ConversationProperties",
    "Lipsync",
    "Lipsyncs",
    "NotFound",
    "PaymentRequired",
    "Page",
    "Persona",
    "RateLimited",
    "Replica",
    "ReplicaProperties",
    "ServerError",
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
