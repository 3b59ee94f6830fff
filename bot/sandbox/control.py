"""`/_sandbox/...`: drive the sandbox over HTTP (same `x-api-key` as the API).

- `GET /_sandbox/faults`, `POST /_sandbox/faults` (one `Fault` as JSON), `DELETE` clears.
- `GET /_sandbox/settings`, `PATCH /_sandbox/settings` (any options, all or none applied).
- `GET /_sandbox/requests` (the request log, `recording.py`), `DELETE` clears it.
Participant join/leave lives with the conversations (`conversations.py`).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request, read_object
from bot.sandbox.faults import CONTROL_PREFIX, Fault
from bot.sandbox.state import SandboxState

FAULT_FIELDS = frozenset(f.name for f in fields(Fault))


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _ControlHandlers(state)
    app.router.add_get(CONTROL_PREFIX + "faults", handlers.list_faults)
    app.router.add_post(CONTROL_PREFIX + "faults", handlers.add_fault)
    app.router.add_delete(CONTROL_PREFIX + "faults", handlers.clear_faults)
    app.router.add_get(CONTROL_PREFIX + "settings", handlers.settings)
    app.router.add_patch(CONTROL_PREFIX + "settings", handlers.configure)
    app.router.add_get(CONTROL_PREFIX + "requests", handlers.list_requests)
    app.router.add_delete(CONTROL_PREFIX + "requests", handlers.clear_requests)


def _fault_from(body: dict[str, Any]) -> Fault:
    unknown = set(body) - FAULT_FIELDS
    if unknown:
        raise bad_request(f"Unknown fault fields: {', '.join(sorted(unknown))}")
    try:
        return Fault(**body)
    except ValueError as exc:
        raise bad_request(f"Invalid fault: {exc}") from exc


class _ControlHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def list_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"data": [f.to_api() for f in self.state.faults.pending]})

    async def add_fault(self, request: web.Request) -> web.Response:
        fault = self.state.faults.add(_fault_from(await read_object(request)))
        return web.json_response(fault.to_api(), status=201)

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.state.faults.clear()
        return web.Response(status=204)

    async def list_requests(self, request: web.Request) -> web.Response:
        return web.json_response({"data": [entry.to_api() for entry in self.state.requests]})

    async def clear_requests(self, request: web.Request) -> web.Response:
        self.state.requests.clear()
        return web.Response(status=204)

    async def settings(self, request: web.Request) -> web.Response:
        return web.json_response(self.state.options())

    async def configure(self, request: web.Request) -> web.Response:
        try:
            options = self.state.configure(**await read_object(request))
        except ValueError as exc:
            raise bad_request(str(exc)) from exc
        return web.json_response(options)
