"""Starting a conversation: the shared start sequence (``bot.jobs``) with a call's details.

Shared by ``/tavus call``, the "Start a conversation" modal and the shortcuts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from bot.domain import conversations as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import Conversation, ConversationProperties, Persona, TavusError

logger = logging.getLogger(__name__)

# Billing starts at creation: a forgotten call should not run for an hour.
DEFAULT_MAX_CALL_SECONDS = 20 * 60
DEFAULT_PARTICIPANT_LEFT_SECONDS = 60
DEFAULT_PARTICIPANT_ABSENT_SECONDS = 5 * 60
NAME_LOOKUP_TIMEOUT_SECONDS = 2.0

PREF_PERSONA = "persona_id"
PREF_REPLICA = "replica_id"


@dataclass(frozen=True)
class StartRequest:
    team_id: str
    user_id: str
    channel_id: str
    persona_id: str | None = None
    replica_id: str | None = None
    context: str | None = None
    name: str | None = None
    greeting: str | None = None
    audio_only: bool = False
    test_mode: bool = False
    max_call_duration: int = DEFAULT_MAX_CALL_SECONDS
    participant_left_timeout: int = DEFAULT_PARTICIPANT_LEFT_SECONDS
    language: str | None = None
    document_tags: tuple[str, ...] = ()
    retrieval_strategy: str | None = None


async def resolve_defaults(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    persona_id: str | None,
    replica_id: str | None,
) -> tuple[str | None, str | None]:
    """Argument, else the user's default, else the workspace's."""
    prefs = await services.store.get_preferences(team_id=team_id, scope="user", scope_id=user_id)
    settings = services.settings
    persona = persona_id or prefs.get(PREF_PERSONA) or settings.default_persona_id
    replica = replica_id or prefs.get(PREF_REPLICA) or settings.default_replica_id
    return persona, replica


async def start_conversation(services: Services, request: StartRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        # The names are looked up while Tavus creates the call: the card needs them, and
        # Tavus is the slow part.
        conversation, described = await asyncio.gather(
            _create(services, request, callback_url), _describe(services, request)
        )
        return _created(conversation, request, described)

    return await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        name=request.name,
    )


async def _create(
    services: Services, request: StartRequest, callback_url: str | None
) -> Conversation:
    return await services.tavus.conversations.create(
        persona_id=request.persona_id,
        replica_id=request.replica_id,
        callback_url=callback_url,
        conversation_name=request.name,
        conversational_context=request.context,
        custom_greeting=request.greeting,
        audio_only=request.audio_only or None,
        test_mode=request.test_mode or None,
        document_tags=request.document_tags or None,
        document_retrieval_strategy=request.retrieval_strategy,
        properties=_properties(request),
    )


def _created(
    conversation: Conversation, request: StartRequest, described: dict[str, Any]
) -> Created:
    # Tavus creates a test-mode call already ended; nothing will happen in it.
    ended = conversation.status == "ended"
    details = {
        **described,
        # The create answer may lack them (newer spec): what was sent still names the call.
        "persona_id": conversation.persona_id or request.persona_id,
        "replica_id": conversation.replica_id or described.get("replica_id"),
        "conversation_url": conversation.conversation_url,
        "audio_only": request.audio_only,
        "test_mode": request.test_mode,
        "started_at": conversation.created_at,
    }
    return Created(
        tavus_id=conversation.conversation_id,
        status=domain.ENDED if ended else domain.WAITING,
        name=conversation.conversation_name or request.name,
        details=details,
        finished=ended,
    )


def _properties(request: StartRequest) -> ConversationProperties:
    properties: ConversationProperties = {
        "max_call_duration": request.max_call_duration,
        "participant_left_timeout": request.participant_left_timeout,
        "participant_absent_timeout": DEFAULT_PARTICIPANT_ABSENT_SECONDS,
    }
    if request.language:
        properties["language"] = request.language
    return properties


async def _describe(services: Services, request: StartRequest) -> dict[str, Any]:
    """Names for the card, and whether perception is off; bare ids if Tavus is slow."""
    try:
        return await asyncio.wait_for(_names(services, request), NAME_LOOKUP_TIMEOUT_SECONDS)
    except (TavusError, TimeoutError, ValueError) as exc:  # ValueError: not an id
        logger.info("could not name the persona or replica for a card: %r", exc)
        return {"replica_id": request.replica_id}


async def _names(services: Services, request: StartRequest) -> dict[str, Any]:
    tavus = services.tavus
    persona: Persona | None = None
    if request.persona_id:
        persona = await tavus.personas.get(request.persona_id)
    replica_id = request.replica_id or (persona.default_replica_id if persona else None)
    replica = await tavus.replicas.get(replica_id) if replica_id else None
    return {
        "persona_name": persona.persona_name if persona else None,
        "replica_id": replica_id,
        "replica_name": replica.replica_name if replica else None,
        "perception": "off" if persona and persona.perception_model == "off" else None,
    }
