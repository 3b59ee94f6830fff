"""Starting a conversation: Tavus first, then the store, then the card in the channel.

Shared by ``/tavus call`` and the "Start a conversation" modal.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.cards import render_parent
from bot.blocks.conversations import STATUS_WAITING
from bot.callback_tokens import new_callback_token
from bot.services import Services
from bot.tavus import ConversationProperties, TavusError
from storage import Resource

logger = logging.getLogger(__name__)

# Billing starts at creation: a forgotten call should not run for an hour.
DEFAULT_MAX_CALL_SECONDS = 20 * 60
DEFAULT_PARTICIPANT_LEFT_SECONDS = 60
DEFAULT_PARTICIPANT_ABSENT_SECONDS = 5 * 60
NAME_LOOKUP_TIMEOUT_SECONDS = 2.0
# Slack errors that mean "the bot cannot post in that channel": the card goes to a DM instead.
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

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


@dataclass(frozen=True)
class Started:
    resource: Resource
    conversation_url: str
    posted_in_channel: bool
    card_channel: str | None
    card_ts: str | None
    details: dict[str, Any] = field(default_factory=dict)


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


async def start_conversation(services: Services, request: StartRequest) -> Started:
    """Raises TavusError when Tavus refuses; nothing is stored or posted then."""
    token = new_callback_token()
    conversation = await services.tavus.conversations.create(
        persona_id=request.persona_id,
        replica_id=request.replica_id,
        callback_url=services.settings.callback_url(token),
        conversation_name=request.name,
        conversational_context=request.context,
        custom_greeting=request.greeting,
        audio_only=request.audio_only or None,
        test_mode=request.test_mode or None,
        document_tags=request.document_tags or None,
        document_retrieval_strategy=request.retrieval_strategy,
        properties=_properties(request),
    )
    details = await _describe(services, conversation.persona_id, conversation.replica_id)
    details.update(
        conversation_url=conversation.conversation_url,
        audio_only=request.audio_only,
        test_mode=request.test_mode,
        started_at=conversation.created_at,
    )
    resource = await services.store.create_resource(
        kind="conversation",
        tavus_id=conversation.conversation_id,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        status=STATUS_WAITING,
        name=conversation.conversation_name or request.name,
        details=details,
        callback_token=token,
    )
    return await _post_card(services, resource, details)


def _properties(request: StartRequest) -> ConversationProperties:
    properties: ConversationProperties = {
        "max_call_duration": request.max_call_duration,
        "participant_left_timeout": request.participant_left_timeout,
        "participant_absent_timeout": DEFAULT_PARTICIPANT_ABSENT_SECONDS,
    }
    if request.language:
        properties["language"] = request.language
    return properties


async def _describe(
    services: Services, persona_id: str | None, replica_id: str | None
) -> dict[str, Any]:
    """Names for the card; the card still works with bare ids if Tavus is slow to answer."""

    async def persona_name() -> str | None:
        return (await services.tavus.personas.get(persona_id)).persona_name if persona_id else None

    async def replica_name() -> str | None:
        return (await services.tavus.replicas.get(replica_id)).replica_name if replica_id else None

    names = await asyncio.gather(
        asyncio.wait_for(persona_name(), NAME_LOOKUP_TIMEOUT_SECONDS),
        asyncio.wait_for(replica_name(), NAME_LOOKUP_TIMEOUT_SECONDS),
        return_exceptions=True,
    )
    for name in names:
        if isinstance(name, BaseException) and not isinstance(name, TavusError | TimeoutError):
            raise name
    persona, replica = (None if isinstance(n, BaseException) else n for n in names)
    return {
        "persona_id": persona_id,
        "replica_id": replica_id,
        "persona_name": persona,
        "replica_name": replica,
    }


async def _post_card(services: Services, resource: Resource, details: dict[str, Any]) -> Started:
    text, blocks = render_parent(resource)
    posted_in_channel = True
    try:
        response = await services.slack.chat_postMessage(
            channel=resource.channel_id or resource.owner_user_id, text=text, blocks=blocks
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in CANNOT_POST:
            raise
        posted_in_channel = False
        # Posting to a user ID lands in the app's DM with them; the thread lives there.
        response = await services.slack.chat_postMessage(
            channel=resource.owner_user_id, text=text, blocks=blocks
        )
    updated = await services.store.update_resource(
        resource_id=resource.id, channel_id=response["channel"], message_ts=response["ts"]
    )
    services.notifier.wake()  # replies that arrived before the card can go now
    return Started(
        resource=updated or resource,
        conversation_url=str(details.get("conversation_url") or ""),
        posted_in_channel=posted_in_channel,
        card_channel=response.get("channel"),
        card_ts=response.get("ts"),
        details=details,
    )
