"""Error answers shaped like Tavus's, and request-body parsing that produces them."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

# A video or a conversation with a replica still training (Tavus answers 400).
REPLICA_NOT_READY = "Replica is not ready. Wait until its training has completed."

URL_SCHEMES = ("http://", "https://")


class ApiError(Exception):
    """Raised by handlers; the app's middleware turns it into a JSON answer."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body

    def to_response(self) -> web.Response:
        return web.json_response(self.body, status=self.status)


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"error": message})


def api_message(status: int, message: str) -> ApiError:
    """The `{"message": ...}` body some routes use even for 400 and 404."""
    return ApiError(status, {"message": message})


async def read_json(request: web.Request) -> Any:
    try:
        return json.loads(await request.text())
    except ValueError as exc:
        raise bad_request("Invalid JSON body") from exc


async def read_object(request: web.Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def query_flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("true", "1", "yes")


def optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{key} must be a string")
    return value


def optional_bool(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise bad_request(f"{key} must be a boolean")
    return value


def optional_url(body: dict[str, Any], key: str) -> str | None:
    """An http(s) URL or None; an empty string counts as absent, as Tavus's clients send it."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(URL_SCHEMES):
        raise bad_request(f"Invalid {key}")
    return value


def optional_str_list(body: dict[str, Any], key: str, *, prefix: str = "") -> list[str]:
    """A list of strings (absent or null: empty); `prefix` goes before the error message."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request(f"{prefix}{key} must be a list of strings")
    return list(value)


def optional_object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"{key} must be an object")
    return value
