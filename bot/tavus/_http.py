"""The one request helper every resource group shares, and their common base class."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from ._constants import (
    INITIAL_RETRY_DELAY,
    MAX_ERROR_TEXT,
    MAX_RETRY_DELAY,
    MAX_RETRY_WAIT,
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
from .models import Page, data_items
from .patch import Patched, PatchOperation, check_operations, is_idempotent

T = TypeVar("T")
SleepFn = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int]
Parser = Callable[[Mapping[str, Any]], T]

_FORBIDDEN_IN_IDS = frozenset("/?#%\\")


def path_param(name: str, value: str) -> str:
    """Reject ids that would change the URL's shape instead of naming a resource."""
    if not isinstance(value, str) or not value.strip() or value in {".", ".."}:
        raise ValueError(f"{name} must be a non-empty id")
    # Control characters too: httpx refuses them in a URL with its own error, not ValueError.
    if _FORBIDDEN_IN_IDS.intersection(value) or not value.isprintable() or " " in value:
        raise ValueError(f"{name} must not contain '/', '?', '#', '%', '\\', spaces or controls")
    return value


def usable_id(value: str) -> bool:
    """Whether ``value`` can name a resource in a URL (``path_param`` would take it)."""
    try:
        path_param("id", value)
    except ValueError:
        return False
    return True


def query(**params: str | int | bool | None) -> dict[str, str | int]:
    """Drop unset parameters; booleans become Tavus's `true`/`false`."""
    out: dict[str, str | int] = {}
    for key, value in params.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is not None:
            out[key] = value
    return out


def given(**fields: object) -> dict[str, object]:
    """A request body of the fields that were set."""
    return {key: value for key, value in fields.items() if value is not None}


def listed(name: str, values: Sequence[str] | None) -> list[str] | None:
    """A list of strings for a JSON body; a bare string is refused, not split into letters."""
    if values is None:
        return None
    if isinstance(values, str):
        raise TypeError(f"{name}: expected a sequence of strings, got a single string")
    return [*values]


def known_fields(
    what: str, value: Mapping[str, Any], spec: Any, required: Sequence[str] = ()
) -> dict[str, Any]:
    """`value` as a dict, refusing keys its TypedDict ``spec`` does not name (a misspelt
    key would otherwise be sent and silently ignored by Tavus) and empty ``required`` ones.

    ``required`` is explicit: under `from __future__ import annotations` Python 3.11 does not
    see `Required[...]`, so `spec.__required_keys__` comes out empty.
    """
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a mapping")
    unknown = sorted(set(value) - spec.__required_keys__ - spec.__optional_keys__)
    if unknown:
        raise ValueError(f"{what}: unknown field(s) {', '.join(unknown)}")
    missing = [key for key in required if not value.get(key)]
    if missing:
        raise ValueError(f"{what}: {', '.join(missing)} required")
    return dict(value)


def _connection_error(exc: httpx.RequestError) -> TavusConnectionError:
    """Whether the request may have reached Tavus decides if a create is safe to repeat."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return TavusConnectionError("could not connect", maybe_sent=False)
    if isinstance(exc, httpx.PoolTimeout):  # no connection was free: nothing was sent
        return TavusConnectionError("no connection free in time", maybe_sent=False)
    if isinstance(exc, httpx.TimeoutException):
        return TavusConnectionError("timed out", maybe_sent=True)
    if isinstance(exc, httpx.TransportError):
        return TavusConnectionError("the connection dropped", maybe_sent=True)
    # Decoding errors, redirect loops: the request went out, its answer is unusable.
    return TavusConnectionError("its answer could not be read", maybe_sent=True)


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
        return retry_after
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


@dataclass(frozen=True)
class Answer:
    status_code: int
    data: Any


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
        answer = await self.answer(method, path, params=params, body=body, idempotent=idempotent)
        return answer.data

    async def answer(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: object = None,
        idempotent: bool,
    ) -> Answer:
        """Like `request`, keeping the status: a PATCH tells "changed" (200) from 304."""
        attempt, waited = 0, 0.0
        while True:
            try:
                return await self._send(method, path, params, body)
            except TavusError as exc:
                if not idempotent or attempt >= self._max_retries or not _is_retryable(exc):
                    raise
                delay = retry_delay(exc, attempt)
                if waited + delay > MAX_RETRY_WAIT:
                    raise  # longer than a waiting user should sit through: say "wait" now
                await self._sleep(delay)
                waited += delay
            attempt += 1

    async def _send(self, method: str, path: str, params: Params | None, body: object) -> Answer:
        try:
            response = await self._http.request(method, path, params=params, json=body)
        except httpx.RequestError as exc:
            raise _connection_error(exc) from exc
        if response.is_error:
            raise self._error_from(response)
        return Answer(response.status_code, self._decode(response))

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

    async def _json_patch(self, path: str, operations: Sequence[PatchOperation]) -> Patched:
        """RFC 6902 operations as the spec's `application/json` body; 422 stays BadRequest."""
        body = check_operations(operations)
        try:
            answer = await self._requester.answer(
                "PATCH", path, body=body, idempotent=is_idempotent(operations)
            )
        except BadRequest as exc:
            raise self._unknown_id(exc) from exc
        return Patched.NOT_MODIFIED if answer.status_code == 304 else Patched.CHANGED

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
        self,
        path: str,
        parse: Parser[T],
        *,
        page: int,
        limit: int,
        first_page: int = 1,
        **filters: str | bool | None,
    ) -> Page[T]:
        params = query(page=page, limit=limit, **filters)
        data = await self._get(path, params)
        return Page.from_api(data, parse, page=page, limit=limit, first_page=first_page)

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


def unwrap_one(
    data: Mapping[str, Any], id_keys: str | tuple[str, ...], what: str
) -> Mapping[str, Any]:
    """The object a GET of one resource returns, whichever way Tavus wrapped it.

    Bare (carrying one of ``id_keys``), `{"data": {...}}` or `{"data": [{...}]}`; an empty
    `data` means there is no such resource.
    """
    keys = (id_keys,) if isinstance(id_keys, str) else id_keys
    if any(key in data for key in keys):
        return data
    items = data_items(data.get("data"))
    if not items:
        raise NotFound(404, f"{what} not found", dict(data))
    return items[0]
