"""Small named MockTransport handlers for the Tavus client tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

API_KEY = "tvs-test-key-0123456789"
Handler = Callable[[httpx.Request], httpx.Response]

CONVERSATION: dict[str, Any] = {
    "conversation_id": "c123",
    "conversation_name": "Standup",
    "status": "active",
    "conversation_url": "https://tavus.daily.co/c123",
    "replica_id": "r79e1c033f",
    "persona_id": "p5317866",
    "created_at": "2025-07-11T06:40:00Z",
}


def ok(payload: Any = None, status_code: int = 200) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status_code, json=payload)

    return handler


def no_content(request: httpx.Request) -> httpx.Response:
    return httpx.Response(204)


def plain_text_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="OK")


def rate_limited(request: httpx.Request) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "Too many requests"})


def rate_limited_for_an_hour(request: httpx.Request) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": "3600"}, json={"message": "Slow down"})


def request_timeout(request: httpx.Request) -> httpx.Response:
    return httpx.Response(408, json={"message": "Request Timeout"})


def server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, json={"error": "Internal server error"})


def unavailable(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, text="<html>upstream unavailable</html>")


def invalid_conversation(request: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"error": "Invalid conversation_id"})


def invalid_token(request: httpx.Request) -> httpx.Response:
    return httpx.Response(401, json={"message": "Invalid access token"})


def out_of_credits(request: httpx.Request) -> httpx.Response:
    return httpx.Response(402, json={"error": "Insufficient credits"})


def not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"message": "Not found"})


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def timed_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("read timed out", request=request)


def paged(rows: Sequence[Mapping[str, Any]], total_count: int | None = None) -> Handler:
    """Serve `rows` in pages, honouring the `page` and `limit` query parameters."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        chunk = rows[(page - 1) * limit : page * limit]
        total = len(rows) if total_count is None else total_count
        return httpx.Response(200, json={"data": chunk, "total_count": total})

    return handler


def paged_from_zero(
    rows: Sequence[Mapping[str, Any]], total_count: int | None = None, cap: int | None = None
) -> Handler:
    """Like `paged`, but page 0 is the first page; `cap` caps `limit` as a server might."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = min(int(request.url.params["limit"]), cap or 10**6)
        payload: dict[str, Any] = {"data": rows[page * limit : (page + 1) * limit]}
        if total_count is not None:
            payload["total_count"] = total_count
        return httpx.Response(200, json=payload)

    return handler


def rejects_page_zero(handler: Handler) -> Handler:
    """1-based pages that answer page 0 with 400, as the sandbox does."""

    def wrapped(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "0":
            return httpx.Response(400, json={"error": "Invalid page"})
        return handler(request)

    return wrapped


def clamps_page_zero(handler: Handler) -> Handler:
    """1-based pages that serve page 1 for page 0."""

    def wrapped(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "0":
            request = httpx.Request("GET", request.url.copy_set_param("page", "1"))
        return handler(request)

    return wrapped


def invalid_video(request: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"error": "Invalid video_id"})


class Recorder:
    """Record each request and answer with the next handler; the last one repeats."""

    def __init__(self, *steps: Handler) -> None:
        self.steps = steps
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        return step(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def not_modified(request: httpx.Request) -> httpx.Response:
    return httpx.Response(304)


def invalid_patch(request: httpx.Request) -> httpx.Response:
    return httpx.Response(422, json={"message": "Invalid JSON patch format"})


def already_crawling(request: httpx.Request) -> httpx.Response:
    message = "Document must be in 'ready' or 'error' state to recrawl, current status: processing"
    return httpx.Response(409, json={"error": message})


def recrawl_cooldown(request: httpx.Request) -> httpx.Response:
    message = "Recrawl cooldown: please wait 45 minutes before recrawling this document."
    return httpx.Response(429, json={"error": message})


def document_not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"message": "Document not found"})
