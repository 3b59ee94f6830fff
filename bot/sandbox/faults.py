"""Request faults on demand: answer, slow down or drop the next N matching requests.

A `Fault` matches a method (or `*`) and a path prefix, so it works for any route, present or
future. Faults are tried in the order they were added; the first match is used up by one
request. Control routes under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

CONTROL_PREFIX = "/_sandbox/"
DROP_MOMENTS = ("before", "after")
# Tavus answers these with `{"message": ...}`, the rest with `{"error": ...}`.
MESSAGE_KEY_STATUSES = frozenset({401, 402, 422, 429})
DEFAULT_MESSAGES = {
    402: "Insufficient credits",  # the status is documented, the wording is not
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


def tavus_error_body(status: int, message: str | None = None) -> dict[str, Any]:
    text = message or DEFAULT_MESSAGES.get(status) or HTTPStatus(status).phrase
    return {"message" if status in MESSAGE_KEY_STATUSES else "error": text}


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class Fault:
    """`drop="before"` closes the connection unanswered and unprocessed; `"after"` runs the
    handler first (the create happened, its answer is lost). `times=None` lasts until cleared.
    """

    method: str = "*"
    path: str = "/"
    status: int | None = None
    body: dict[str, Any] | str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    drop: str | None = None
    times: int | None = 1

    def __post_init__(self) -> None:
        self._check_types()
        self.method = self.method.upper()
        if not self.path.startswith("/"):
            raise ValueError("path must start with /")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an error status (400-599)")
        if self.drop not in (None, *DROP_MOMENTS):
            raise ValueError("drop must be 'before' or 'after'")
        if self.status is not None and self.drop is not None:
            raise ValueError("a fault either answers with a status or drops the connection")
        if self.delay < 0 or (self.retry_after is not None and self.retry_after < 0):
            raise ValueError("delay and retry_after must not be negative")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or null: until cleared)")

    def _check_types(self) -> None:
        # Faults also arrive as JSON from a human: refuse wrong types here, not mid-request.
        checks = {
            "method": isinstance(self.method, str),
            "path": isinstance(self.path, str),
            "status": self.status is None or _is_int(self.status),
            "body": self.body is None or isinstance(self.body, dict | str),
            "retry_after": self.retry_after is None or _is_number(self.retry_after),
            "delay": _is_number(self.delay),
            "times": self.times is None or _is_int(self.times),
        }
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            raise ValueError(f"wrong type for {', '.join(wrong)}")

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and path.startswith(self.path)

    def to_api(self) -> dict[str, Any]:
        return asdict(self)

    def error_response(self) -> web.Response:
        assert self.status is not None
        headers = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
        if isinstance(self.body, str):
            return web.Response(status=self.status, text=self.body, headers=headers)
        body = tavus_error_body(self.status) if self.body is None else self.body
        return web.json_response(body, status=self.status, headers=headers)


class Faults:
    """The pending faults of one sandbox (`state.faults`)."""

    def __init__(self) -> None:
        self._pending: list[Fault] = []

    @property
    def pending(self) -> list[Fault]:
        return list(self._pending)

    def add(self, fault: Fault) -> Fault:
        self._pending.append(fault)
        return fault

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int | None = 1,
        message: str | None = None,
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """Answer `status` with Tavus's body shape (402 no credits, 429, 500, 502, 503...)."""
        body = None if message is None else tavus_error_body(status, message)
        fault = Fault(method, path, status, body, retry_after=retry_after, delay=delay, times=times)
        return self.add(fault)

    def slow(self, method: str, path: str, seconds: float, *, times: int | None = 1) -> Fault:
        """Answer normally, `seconds` late."""
        return self.add(Fault(method, path, delay=seconds, times=times))

    def drop(self, method: str, path: str, *, times: int | None = 1, after: bool = False) -> Fault:
        """Close the connection without answering; `after=True` processes the request first."""
        return self.add(Fault(method, path, drop="after" if after else "before", times=times))

    def clear(self) -> None:
        self._pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first pending fault for this request, used up by it."""
        for fault in self._pending:
            if fault.matches(method, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._pending.remove(fault)
                return fault
        return None


def _drop_connection(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.abort()


async def _apply(fault: Fault, request: web.Request, handler: Handler) -> web.StreamResponse:
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.drop == "before":
        _drop_connection(request)
        return web.Response(status=499)  # never written: the connection is gone
    if fault.status is not None:
        return fault.error_response()
    try:
        return await handler(request)
    finally:
        if fault.drop == "after":
            _drop_connection(request)


def fault_middleware(faults: Faults) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = None
        if not request.path.startswith(CONTROL_PREFIX):
            fault = faults.take(request.method, request.path)
        if fault is None:
            return await handler(request)
        return await _apply(fault, request, handler)

    return middleware
