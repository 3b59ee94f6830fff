"""/v2/replicas: create (simulated training + callback), list, get, rename, delete.

Training comes from `train_video_url` (optionally with `consent_video_url`) or from
`train_image_url` with a stock `voice_name` (see `voices.py`), never both. It takes
`training_delay` seconds, `training_progress` stepping meanwhile (`jobs.py`); then GET says
`completed` and the callback says `ready`, or both say `error` with `error_message`.
Deleting a replica (soft or `hard=true`) removes it and stops its training; conversations
that used it stay. System replicas cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.errors import (
    bad_request,
    optional_bool,
    optional_object,
    optional_str,
    optional_url,
    query_flag,
    read_object,
)
from bot.sandbox.jobs import CDN, advance, error_for, progress, url_marked
from bot.sandbox.pagination import paginate
from bot.sandbox.state import SandboxState, iso_now, new_id

MODELS = ("phoenix-2", "phoenix-3", "phoenix-4")
DEFAULT_MODEL = "phoenix-4"
REPLICA_TYPES = ("user", "system")
NO_SOURCE = "Either train_video_url or train_image_url must be provided."
BOTH_SOURCES = "Only one of train_video_url or train_image_url may be provided."
VOICE_REQUIRED = "voice_name is required when train_image_url is provided."
TRAINING_ERROR = "The training video does not meet the minimum duration requirement for training"
IMAGE_ERROR = "The training image does not meet the image requirements"
# Inputs Tavus keeps but never shows.
PRIVATE_FIELDS = frozenset(
    {"callback_url", "train_video_url", "train_image_url", "consent_video_url", "voice_name"}
)


def add_routes(app: web.Application, state: SandboxState) -> None:
    handlers = _ReplicaHandlers(state)
    app.router.add_post("/v2/replicas", handlers.create)
    app.router.add_get("/v2/replicas", handlers.index)
    app.router.add_get("/v2/replicas/{replica_id}", handlers.show)
    app.router.add_patch("/v2/replicas/{replica_id}/name", handlers.rename)
    app.router.add_delete("/v2/replicas/{replica_id}", handlers.delete)


def _to_api(replica: dict[str, Any], *, verbose: bool) -> dict[str, Any]:
    hidden = PRIVATE_FIELDS | (set() if verbose else {"replica_type"})
    return {k: v for k, v in replica.items() if k not in hidden}


# Validation


def _sources(body: dict[str, Any]) -> tuple[str | None, str | None]:
    video, image = optional_url(body, "train_video_url"), optional_url(body, "train_image_url")
    if video and image:
        raise bad_request(BOTH_SOURCES)
    if not video and not image:
        raise bad_request(NO_SOURCE)
    return video, image


def _voice(state: SandboxState, body: dict[str, Any], *, required: bool) -> str | None:
    name = optional_str(body, "voice_name")
    if not name:
        if required:
            raise bad_request(VOICE_REQUIRED)
        return None
    if name.lower() not in state.voices:
        raise bad_request("Invalid voice_name")
    return name.lower()


def _model(body: dict[str, Any]) -> str:
    model = optional_str(body, "model_name") or DEFAULT_MODEL
    if model not in MODELS:
        raise bad_request(f"model_name must be one of: {', '.join(MODELS)}")
    return model


def _check_extras(body: dict[str, Any]) -> None:
    optional_bool(body, "auto_fix_training_image")
    properties = optional_object(body, "properties")
    if not isinstance(properties.get("background_green_screen", False), bool):
        raise bad_request("properties.background_green_screen must be a boolean")


def _new_replica(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    video, image = _sources(body)
    voice_name = _voice(state, body, required=image is not None)
    consent_url = optional_url(body, "consent_video_url")
    callback_url = optional_url(body, "callback_url")
    name = optional_str(body, "replica_name")
    model = _model(body)
    _check_extras(body)
    replica_id, now = new_id("r"), iso_now()
    return {
        "replica_id": replica_id,
        "replica_name": name or f"Replica {replica_id}",
        "thumbnail_video_url": None,
        "training_progress": progress(0),
        "status": "started",
        "created_at": now,
        "updated_at": now,
        "error_message": None,
        "replica_type": "user",
        "model_name": model,
        "callback_url": callback_url,
        "train_video_url": video,
        "train_image_url": image,
        "consent_video_url": consent_url,
        "voice_name": voice_name,
    }


# Training


def _planned_error(state: SandboxState, replica: dict[str, Any]) -> str | None:
    inputs = (replica["train_video_url"], replica["train_image_url"], replica["consent_video_url"])
    default = TRAINING_ERROR if replica["train_video_url"] else IMAGE_ERROR
    return error_for(state.replica_error, default, url_marked(*inputs))


async def _train(state: SandboxState, replica: dict[str, Any], error: str | None) -> None:
    def step(percent: int) -> None:
        replica.update(training_progress=progress(percent), updated_at=iso_now())

    await advance(state.training_delay, step, failing=error is not None)
    payload: dict[str, Any] = {"replica_id": replica["replica_id"], "status": "ready"}
    if error is None:
        thumbnail = f"{CDN}/{replica['replica_id']}/thumbnail.mp4"
        replica.update(status="completed", training_progress=progress(100))
        replica.update(thumbnail_video_url=thumbnail, updated_at=iso_now())
    else:
        replica.update(status="error", training_progress=progress(0), error_message=error)
        replica.update(updated_at=iso_now())
        payload.update(status="error", error_message=error)
    if replica["callback_url"]:
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
        replica = _new_replica(self.state, await read_object(request))
        replica_id = replica["replica_id"]
        self.state.replicas[replica_id] = replica
        error = _planned_error(self.state, replica)
        self.state.start_job(replica_id, _train(self.state, replica, error))
        return web.json_response({"replica_id": replica_id, "status": "started"})

    async def index(self, request: web.Request) -> web.Response:
        kind, model = request.query.get("replica_type"), request.query.get("model_name")
        if kind not in (None, *REPLICA_TYPES):
            raise bad_request("replica_type must be one of: user, system")
        wanted = set(filter(None, request.query.get("replica_ids", "").split(",")))
        verbose = query_flag(request, "verbose")
        replicas = [
            _to_api(r, verbose=verbose)
            for r in reversed(self.state.replicas.values())
            if kind in (None, r["replica_type"])
            and model in (None, r["model_name"])
            and (not wanted or r["replica_id"] in wanted)
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
        # `hard=true` also deletes the training footage, which the sandbox never kept: both
        # kinds remove the replica and leave its conversations alone, as Tavus does.
        replica = self._find(request)
        if replica["replica_type"] == "system":
            raise bad_request("System replicas cannot be deleted")
        self.state.stop_job(replica["replica_id"])
        del self.state.replicas[replica["replica_id"]]
        return web.Response(status=204)
