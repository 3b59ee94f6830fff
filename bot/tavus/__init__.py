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
from .models import (
    Conversation,
    ConversationEvent,
    ConversationProperties,
    Page,
    Persona,
    Replica,
)

__all__ = [
    "BadRequest",
    "Conversation",
    "ConversationEvent",
    "ConversationProperties",
    "NotFound",
    "PaymentRequired",
    "Page",
    "Persona",
    "RateLimited",
    "Replica",
    "ServerError",
    "TavusClient",
    "TavusConnectionError",
    "TavusError",
    "TavusStatusError",
    "Unauthorized",
]
