"""The request log: every authenticated API request the sandbox receives, for contract tests.

`state.requests` holds one `RecordedRequest(method, path, query, body)` per request, oldest
first, appended before faults apply (so a request a fault refuses or drops is logged too).
`body` is the parsed JSON, None when the request had no body, or the raw text when it was
not JSON. Control routes (`/_sandbox/...`) are not logged. The `record_requests` option
(default on) turns it off; `GET /_sandbox/requests` shows the log, `DELETE` clears it.
Past `REQUEST_LOG_LIMIT` entries the oldest go, so a sandbox left running stays small.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.sandbox.faults import CONTROL_PREFIX

if TYPE_CHECKING:
    from bot.sandbox.state import SandboxState

REQUEST_LOG_LIMIT = 10_000


class RecordedRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    body: Any

    def to_api(self) -> dict[str, Any]:
        return self._asdict()


def _parsed(text: str) -> Any:
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def record(requests: list[RecordedRequest], entry: RecordedRequest) -> None:
    requests.append(entry)
    if len(requests) > REQUEST_LOG_LIMIT:
        del requests[: len(requests) - REQUEST_LOG_LIMIT]


def recording_middleware(state: SandboxState) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if state.record_requests and not request.path.startswith(CONTROL_PREFIX):
            # aiohttp keeps the body read here, so the handler can read it again.
            body = _parsed(await request.text())
            entry = RecordedRequest(request.method, request.path, dict(request.query), body)
            record(state.requests, entry)
        return await handler(request)

    return middleware
