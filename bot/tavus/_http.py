"""The one request helper every resource group shares, and their common base class."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from ._constants import (
    INITIAL_RETRY_DELAY,
    MAX_ERROR_TEXT,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRYABLE_STATUS_CODES,
)
from .errors import (
    BadRequest,
    NotFound,
    TavusConnectionError,
    TavusError,
    TavusStatusError,
    status_error,
)
from .models import Page

T = TypeVar("T")
SleepFn = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int]
Parser = Callable[[Mapping[str, Any]], T]

_FORBIDDEN_IN_IDS = frozenset("/?#%\\")


def path_param(name: str, value: str) -> str:
    """Reject ids that would change the URL's shape instead of naming a resource."""
    if not isinstance(value, str) or not value.strip() or value in {".", ".."}:
        raise ValueError(f"{name} must be a non-empty id")
    if _FORBIDDEN_IN_IDS.intersection(value) or any(c.isspace() for c in value):
        raise ValueError(f"{name} must not contain '/', '?', '#', '%', '\\' or spaces")
    return value


def query(**params: str | int | bool | None) -> dict[str, str | int]:
    """Drop unset parameters; booleans become Tavus's `true`/`false`."""
    out: dict[str, str | int] = {}
    for key, value in params.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is not None:
            out[key] = value
    return out


def _connection_error(exc: httpx.TransportError) -> TavusConnectionError:
    """Whether the request may have reached Tavus decides if a create is safe to repeat."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return TavusConnectionError("connection failed", maybe_sent=False)
    if isinstance(exc, httpx.TimeoutException):
        return TavusConnectionError("timed out", maybe_sent=True)
    return TavusConnectionError("network error", maybe_sent=True)


def _is_retryable(exc: TavusError) -> bool:
    if isinstance(exc, TavusConnectionError):
        return True
    if isinstance(exc, TavusStatusError):
        return exc.status_code in RETRYABLE_STATUS_CODES or exc.status_code >= 500
    return False


def _retry_after(response: httpx.Response) -> float | None:
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
    return seconds if seconds >= 0 else None


def retry_delay(exc: TavusError, attempt: int) -> float:
    """Capped exponential backoff with jitter, unless Tavus said how long to wait."""
    retry_after = exc.retry_after if isinstance(exc, TavusStatusError) else None
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER)
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


class Requester:
    """Sends requests, maps failures onto the error tree, retries idempotent calls."""

    def __init__(
        self, http: httpx.AsyncClient, *, secret: str, max_retries: int, sleep: SleepFn
    ) -> None:
        self._http = http
        self._secret = secret
        self._max_retries = max_retries
        self._sleep = sleep

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: object = None,
        idempotent: bool,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await self._send(method, path, params, body)
            except TavusError as exc:
                if not idempotent or attempt >= self._max_retries or not _is_retryable(exc):
                    raise
                await self._sleep(retry_delay(exc, attempt))
            attempt += 1

    async def _send(self, method: str, path: str, params: Params | None, body: object) -> Any:
        try:
            response = await self._http.request(method, path, params=params, json=body)
        except httpx.TransportError as exc:
            raise _connection_error(exc) from exc
        if response.is_error:
            raise self._error_from(response)
        return self._decode(response)

    def _redacted_text(self, response: httpx.Response) -> str:
        return response.text.replace(self._secret, "[redacted]")

    def _decode(self, response: httpx.Response) -> Any:
        """JSON when Tavus sent JSON; the text otherwise (`/end` may answer plain `OK`)."""
        text = self._redacted_text(response)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _error_from(self, response: httpx.Response) -> TavusStatusError:
        text = self._redacted_text(response)
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        message = _message(body) or response.reason_phrase or text[:MAX_ERROR_TEXT]
        return status_error(response.status_code, message, body, retry_after=_retry_after(response))


def _message(body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return None
    for key in ("error", "message"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_ERROR_TEXT]
    return None


class APIResource:
    """Base for a resource group (`tavus.conversations`, ...): verbs over one Requester."""

    # Tavus answers an unknown id with 400 "Invalid <id_name>", not 404: the verbs on one
    # resource (`_get_one`, `_delete_one`, `_patch_one`) raise NotFound for it instead.
    id_name: str = ""

    def __init__(self, requester: Requester) -> None:
        self._requester = requester

    async def _get(self, path: str, params: Params | None = None) -> Mapping[str, Any]:
        data = await self._requester.request("GET", path, params=params, idempotent=True)
        return _expect_mapping(data)

    async def _get_one(self, path: str, params: Params | None = None) -> Mapping[str, Any]:
        try:
            return await self._get(path, params)
        except BadRequest as exc:
            raise self._unknown_id(exc) from exc

    async def _delete_one(self, path: str, params: Params | None = None) -> None:
        try:
            await self._delete(path, params)
        except BadRequest as exc:
            raise self._unknown_id(exc) from exc

    async def _patch_one(self, path: str, body: object, *, idempotent: bool) -> Any:
        try:
            return await self._patch(path, body, idempotent=idempotent)
        except BadRequest as exc:
            raise self._unknown_id(exc) from exc

    def _unknown_id(self, exc: BadRequest) -> TavusStatusError:
        if self.id_name and self.id_name in exc.message:
            return NotFound(exc.status_code, exc.message, exc.body)
        return exc

    async def _create(self, path: str, body: object) -> Mapping[str, Any]:
        data = await self._requester.request("POST", path, body=body, idempotent=False)
        return _expect_mapping(data)

    async def _action(self, path: str) -> None:
        """A POST that is safe to repeat, such as `.../end`."""
        await self._requester.request("POST", path, idempotent=True)

    async def _patch(self, path: str, body: object, *, idempotent: bool) -> Any:
        """``idempotent`` when repeating the PATCH changes nothing (a rename, not an append)."""
        return await self._requester.request("PATCH", path, body=body, idempotent=idempotent)

    async def _delete(self, path: str, params: Params | None = None) -> None:
        await self._requester.request("DELETE", path, params=params, idempotent=True)

    async def _get_page(
        self, path: str, parse: Parser[T], *, page: int, limit: int, **filters: str | bool | None
    ) -> Page[T]:
        params = query(page=page, limit=limit, **filters)
        data = await self._get(path, params)
        return Page.from_api(data, parse, page=page, limit=limit)

    @staticmethod
    async def _walk(fetch: Callable[[int], Awaitable[Page[T]]]) -> AsyncIterator[T]:
        number = 1
        while True:
            page = await fetch(number)
            for item in page.items:
                yield item
            if not page.has_more:
                return
            number += 1


def _expect_mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise TavusError("Tavus sent an unexpected response (expected a JSON object)")
    return data
