"""/v2/replicas: create (simulated training + callback), list, get, rename, delete.

Training takes `training_delay` seconds, then GET says `completed` and the callback says
`ready`. A `train_video_url` containing "fail" ends training in `error` instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request, query_flag, read_object
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState, iso_now, new_id

DEFAULT_MODEL = "phoenix-4"
TRAINING_ERROR = "The training video does not meet the minimum duration requirement for training"


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _ReplicaHandlers(state)
    app.router.add_post("/v2/replicas", handlers.create)
    app.router.add_get("/v2/replicas", handlers.index)
    app.router.add_get("/v2/replicas/{replica_id}", handlers.show)
    app.router.add_patch("/v2/replicas/{replica_id}/name", handlers.rename)
    app.router.add_delete("/v2/replicas/{replica_id}", handlers.delete)


def _to_api(replica: dict[str, Any], *, verbose: bool) -> dict[str, Any]:
    hidden = {"callback_url", "train_video_url"} | (set() if verbose else {"replica_type"})
    return {k: v for k, v in replica.items() if k not in hidden}


async def _train(state: SandboxState, replica: dict[str, Any]) -> None:
    await asyncio.sleep(state.training_delay)
    failed = "fail" in replica["train_video_url"]
    replica.update(
        status="error" if failed else "completed",
        training_progress="0/100" if failed else "100/100",
        error_message=TRAINING_ERROR if failed else None,
        updated_at=iso_now(),
    )
    if replica["callback_url"]:
        payload: dict[str, Any] = {"replica_id": replica["replica_id"], "status": "ready"}
        if failed:
            payload.update(status="error", error_message=TRAINING_ERROR)
        state.send_callbacks(replica["callback_url"], [payload], key=replica["replica_id"])


class _ReplicaHandlers:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _find(self, request: web.Request) -> dict[str, Any]:
        replica = self.state.replicas.get(request.match_info["replica_id"])
        if replica is None:
            raise bad_request("Invalid replica_id")
        return replica

    async def create(self, request: web.Request) -> web.Response:
        body = await read_object(request)
        train_url = body.get("train_video_url") or body.get("train_image_url")
        if not isinstance(train_url, str):
            raise bad_request("Either train_video_url or train_image_url must be provided.")
        callback_url = body.get("callback_url")
        if callback_url is not None and not isinstance(callback_url, str):
            raise bad_request("Invalid callback_url")
        now = iso_now()
        replica_id = new_id("r")
        replica: dict[str, Any] = {
            "replica_id": replica_id,
            "replica_name": body.get("replica_name") or f"Replica {replica_id}",
            "thumbnail_video_url": None,
            "training_progress": "0/100",
            "status": "started",
            "created_at": now,
            "updated_at": now,
            "error_message": None,
            "replica_type": "user",
            "model_name": body.get("model_name") or DEFAULT_MODEL,
            "callback_url": callback_url,
            "train_video_url": train_url,
        }
        self.state.replicas[replica_id] = replica
        self.state.spawn(_train(self.state, replica))
        return web.json_response({"replica_id": replica_id, "status": "started"})

    async def index(self, request: web.Request) -> web.Response:
        kind = request.query.get("replica_type")
        if kind not in (None, "user", "system"):
            raise bad_request("replica_type must be one of: user, system")
        wanted = set(filter(None, request.query.get("replica_ids", "").split(",")))
        replicas = [
            _to_api(r, verbose=query_flag(request, "verbose"))
            for r in reversed(self.state.replicas.values())
            if kind in (None, r["replica_type"]) and (not wanted or r["replica_id"] in wanted)
        ]
        return web.json_response(paginate(request, replicas))

    async def show(self, request: web.Request) -> web.Response:
        replica = self._find(request)
        return web.json_response(_to_api(replica, verbose=query_flag(request, "verbose")))

    async def rename(self, request: web.Request) -> web.Response:
        replica = self._find(request)
        name = (await read_object(request)).get("replica_name")
        if not isinstance(name, str) or not name.strip():
            raise bad_request("replica_name is required")
        replica.update(replica_name=name, updated_at=iso_now())
        return web.Response(status=200)

    async def delete(self, request: web.Request) -> web.Response:
        replica = self._find(request)
        if replica["replica_type"] == "system":
            raise bad_request("System replicas cannot be deleted")
        del self.state.replicas[replica["replica_id"]]
        return web.Response(status=204)
