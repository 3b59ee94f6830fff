"""`TavusClient`: one long-lived httpx.AsyncClient with a resource group per API area."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

import httpx

from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    USER_AGENT,
)
from ._http import Requester, SleepFn
from .conversations import Conversations
from .dictionaries import PronunciationDictionaries
from .documents import Documents
from .guardrails import Guardrails
from .lipsync import Lipsyncs
from .objectives import Objectives
from .personas import Personas
from .replicas import Replicas
from .videos import Videos
from .voices import Voices


class TavusClient:
    """Open once per process: `async with TavusClient(api_key=...) as tavus:`."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: SleepFn = asyncio.sleep,
    ) -> None:
        if not api_key:
            raise ValueError("api_key is required: set the TAVUS_API_KEY environment variable")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"x-api-key": api_key, "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(timeout or DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT),
            transport=transport,
        )
        requester = Requester(self._http, secret=api_key, max_retries=max_retries, sleep=sleep)
        self.conversations = Conversations(requester)
        self.personas = Personas(requester)
        self.replicas = Replicas(requester)
        self.videos = Videos(requester)
        self.lipsync = Lipsyncs(requester)
        self.voices = Voices(requester)
        self.objectives = Objectives(requester)
        self.guardrails = Guardrails(requester)
        self.documents = Documents(requester)
        self.dictionaries = PronunciationDictionaries(requester)

    def __repr__(self) -> str:
        return f"<TavusClient base_url={str(self._http.base_url)!r}>"

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
