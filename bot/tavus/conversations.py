"""`tavus.conversations`: create, inspect, end and delete CVI conversations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from ._http import APIResource, path_param, query
from .models import Conversation, ConversationProperties, Page

PATH = "/v2/conversations"


def _given(**fields: object) -> dict[str, object]:
    return {key: value for key, value in fields.items() if value is not None}


class Conversations(APIResource):
    id_name = "conversation_id"

    async def create(
        self,
        *,
        persona_id: str | None = None,
        replica_id: str | None = None,
        audio_only: bool | None = None,
        callback_url: str | None = None,
        conversation_name: str | None = None,
        conversational_context: str | None = None,
        custom_greeting: str | None = None,
        memory_stores: Sequence[str] | None = None,
        document_ids: Sequence[str] | None = None,
        document_retrieval_strategy: str | None = None,
        document_tags: Sequence[str] | None = None,
        test_mode: bool | None = None,
        require_auth: bool | None = None,
        max_participants: int | None = None,
        properties: ConversationProperties | None = None,
    ) -> Conversation:
        """Start a conversation. Never retried: a retry could start (and bill) a second one."""
        if persona_id is None and replica_id is None:
            raise ValueError("give persona_id, replica_id or both")
        body = _given(
            persona_id=persona_id,
            replica_id=replica_id,
            audio_only=audio_only,
            callback_url=callback_url,
            conversation_name=conversation_name,
            conversational_context=conversational_context,
            custom_greeting=custom_greeting,
            memory_stores=_listed(memory_stores),
            document_ids=_listed(document_ids),
            document_retrieval_strategy=document_retrieval_strategy,
            document_tags=_listed(document_tags),
            test_mode=test_mode,
            require_auth=require_auth,
            max_participants=max_participants,
            properties=None if properties is None else dict(properties),
        )
        return Conversation.from_api(await self._create(PATH, body))

    async def get(self, conversation_id: str, *, verbose: bool = False) -> Conversation:
        path = f"{PATH}/{path_param('conversation_id', conversation_id)}"
        data = await self._get_one(path, query(verbose=True) if verbose else None)
        return Conversation.from_api(data)

    async def list(
        self, *, page: int = 1, limit: int = 10, status: str | None = None
    ) -> Page[Conversation]:
        return await self._get_page(
            PATH, Conversation.from_api, page=page, limit=limit, status=status
        )

    def iter_all(
        self, *, status: str | None = None, limit: int = 100
    ) -> AsyncIterator[Conversation]:
        return self._walk(lambda page: self.list(page=page, limit=limit, status=status))

    async def end(self, conversation_id: str) -> None:
        await self._action(f"{PATH}/{path_param('conversation_id', conversation_id)}/end")

    async def delete(self, conversation_id: str, *, hard: bool = False) -> None:
        """``hard`` also deletes the recording, transcript and other artifacts, for good."""
        path = f"{PATH}/{path_param('conversation_id', conversation_id)}"
        await self._delete_one(path, query(hard=True) if hard else None)


def _listed(values: Sequence[str] | None) -> list[str] | None:
    if isinstance(values, str):
        raise TypeError("expected a sequence of strings, got a single string")
    return None if values is None else [*values]
