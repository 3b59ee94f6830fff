from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import BadRequest, ServerError, TavusConnectionError
from bot.tavus.models import DEFAULT_REPLICA_MODEL, REPLICA_MODEL_NAMES, REPLICA_STARTED

from .conftest import MakeTavus, RecordingSleep
from .mock_api import Recorder, no_content, ok, paged, server_error, unavailable, unreachable

REPLICA: dict[str, Any] = {
    "replica_id": "r783537ef5",
    "replica_name": "My Replica",
    "thumbnail_video_url": "https://example.test/thumb.mp4",
    "training_progress": "100/100",
    "status": "completed",
    "created_at": "2024-01-24T07:14:03.327Z",
    "updated_at": "2024-01-24T07:14:03.327Z",
    "error_message": None,
    "replica_type": "user",
    "model_name": "phoenix-3",
}


async def test_get_parses_a_replica(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(REPLICA))
    replica = await make_tavus(recorder).replicas.get("r783537ef5", verbose=True)

    assert recorder.last.url.path == "/v2/replicas/r783537ef5"
    assert recorder.last.url.params["verbose"] == "true"
    assert replica.training_progress == "100/100"
    assert replica.model_name == "phoenix-3"
    assert replica.is_ready


async def test_list_sends_only_given_filters(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [REPLICA], "total_count": 1}))
    await make_tavus(recorder).replicas.list()
    await make_tavus(recorder).replicas.list(verbose=True, replica_type="system")

    first, second = (dict(r.url.params) for r in recorder.requests)
    assert first == {"page": "1", "limit": "10"}
    assert second == {"page": "1", "limit": "10", "verbose": "true", "replica_type": "system"}


async def test_iter_all_walks_pages(make_tavus: MakeTavus) -> None:
    rows = [{**REPLICA, "replica_id": f"r{i}"} for i in range(5)]
    recorder = Recorder(paged(rows))
    found = [r.replica_id async for r in make_tavus(recorder).replicas.iter_all(limit=2)]

    assert found == ["r0", "r1", "r2", "r3", "r4"]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]


@pytest.mark.parametrize("bad_id", ["", "r1/name"])
async def test_get_validates_replica_id(make_tavus: MakeTavus, bad_id: str) -> None:
    recorder = Recorder(ok(REPLICA))
    with pytest.raises(ValueError, match="replica_id"):
        await make_tavus(recorder).replicas.get(bad_id)

    assert recorder.requests == []


STARTED = {"replica_id": "r90bbd427f71", "status": "started"}
TRAIN_VIDEO = "https://bucket.test/train.mp4"
TRAIN_IMAGE = "https://bucket.test/face.png"


async def test_create_from_a_video_sends_no_model_unless_given(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(STARTED))
    replica = await make_tavus(recorder).replicas.create(
        train_video_url=TRAIN_VIDEO,
        consent_video_url="https://bucket.test/consent.mp4",
        replica_name="Rio",
        callback_url="https://app.test/tavus/callbacks/tok",
    )

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/replicas")
    assert recorder.body() == {
        "train_video_url": TRAIN_VIDEO,
        "consent_video_url": "https://bucket.test/consent.mp4",
        "replica_name": "Rio",
        "callback_url": "https://app.test/tavus/callbacks/tok",
    }
    assert (replica.replica_id, replica.status) == ("r90bbd427f71", REPLICA_STARTED)
    assert not replica.is_ready
    assert replica.progress_percent is None


async def test_create_from_an_image_with_a_voice(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(STARTED))
    await make_tavus(recorder).replicas.create(
        train_image_url=TRAIN_IMAGE,
        voice_name="anna",
        auto_fix_training_image=True,
        model_name="phoenix-3",
        properties={"background_green_screen": False},
    )

    assert recorder.body() == {
        "train_image_url": TRAIN_IMAGE,
        "voice_name": "anna",
        "auto_fix_training_image": True,
        "model_name": "phoenix-3",
        "properties": {"background_green_screen": False},
    }


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({}, "exactly one"),
        ({"train_video_url": TRAIN_VIDEO, "train_image_url": TRAIN_IMAGE}, "exactly one"),
        (
            {"train_video_url": TRAIN_VIDEO, "train_image_url": TRAIN_IMAGE, "voice_name": "a"},
            "exactly one",
        ),
        ({"train_image_url": TRAIN_IMAGE}, "voice_name"),
        ({"train_image_url": TRAIN_IMAGE, "voice_name": ""}, "voice_name"),
    ],
    ids=["neither", "both", "both-with-voice", "image-without-voice", "image-blank-voice"],
)
async def test_create_refuses_bad_combinations(
    make_tavus: MakeTavus, options: dict[str, Any], match: str
) -> None:
    recorder = Recorder(ok(STARTED))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).replicas.create(**options)

    assert recorder.requests == []


@pytest.mark.parametrize("failure", [server_error, unreachable])
async def test_create_is_never_retried(
    make_tavus: MakeTavus, sleep: RecordingSleep, failure: Any
) -> None:
    recorder = Recorder(failure, ok(STARTED))
    with pytest.raises((ServerError, TavusConnectionError)):
        await make_tavus(recorder).replicas.create(train_video_url=TRAIN_VIDEO)

    assert len(recorder.requests) == 1
    assert sleep.delays == []


async def test_create_quotes_tavus_refusal(make_tavus: MakeTavus) -> None:
    refusal = ok({"error": "Either train_video_url or train_image_url must be provided."}, 400)
    with pytest.raises(BadRequest) as caught:
        await make_tavus(refusal).replicas.create(train_video_url=TRAIN_VIDEO)

    assert caught.value.message.startswith("Either train_video_url")


def test_model_names_follow_the_spec() -> None:
    assert REPLICA_MODEL_NAMES == ("phoenix-4", "phoenix-3")
    assert DEFAULT_REPLICA_MODEL == "phoenix-4"


async def test_get_reads_training_progress_as_percent(make_tavus: MakeTavus) -> None:
    training = {**REPLICA, "status": "started", "training_progress": "40/100"}
    replica = await make_tavus(ok(training)).replicas.get("r783537ef5")

    assert replica.progress_percent == 40
    assert not replica.is_ready


async def test_get_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok(REPLICA))
    await make_tavus(recorder).replicas.get("r783537ef5")

    assert len(recorder.requests) == 2


async def test_list_filters_by_ids_and_model(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [REPLICA], "total_count": 1}))
    await make_tavus(recorder).replicas.list(
        replica_ids=["r1", "r2"], model_name="phoenix-3", limit=50
    )

    assert dict(recorder.last.url.params) == {
        "page": "1",
        "limit": "50",
        "replica_ids": "r1,r2",
        "model_name": "phoenix-3",
    }


async def test_iter_all_passes_the_filters_on_every_page(make_tavus: MakeTavus) -> None:
    rows = [{**REPLICA, "replica_id": f"r{i}"} for i in range(3)]
    recorder = Recorder(paged(rows))
    tavus = make_tavus(recorder)
    found = [r async for r in tavus.replicas.iter_all(replica_ids=["r0", "r1", "r2"], limit=2)]

    assert len(found) == 3
    assert {r.url.params["replica_ids"] for r in recorder.requests} == {"r0,r1,r2"}


@pytest.mark.parametrize(
    ("replica_ids", "error"),
    [("r1,r2", TypeError), ([], ValueError), (["r1", "r2,r3"], ValueError), (["r/1"], ValueError)],
)
async def test_list_refuses_bad_replica_ids(
    make_tavus: MakeTavus, replica_ids: Any, error: type[Exception]
) -> None:
    recorder = Recorder(ok({"data": []}))
    with pytest.raises(error):
        await make_tavus(recorder).replicas.list(replica_ids=replica_ids)

    assert recorder.requests == []


async def test_rename_patches_the_name(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok())
    await make_tavus(recorder).replicas.rename("r783537ef5", "Rio")

    assert (recorder.last.method, recorder.last.url.path) == (
        "PATCH",
        "/v2/replicas/r783537ef5/name",
    )
    assert recorder.body() == {"replica_name": "Rio"}
    assert len(recorder.requests) == 2


async def test_delete_soft_then_hard_and_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(no_content)
    await make_tavus(recorder).replicas.delete("r783537ef5")
    retried = Recorder(unreachable, no_content)
    await make_tavus(retried).replicas.delete("r783537ef5", hard=True)

    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/v2/replicas/r783537ef5")
    assert recorder.last.url.query == b""
    assert retried.last.url.params["hard"] == "true"
    assert len(retried.requests) == 2


@pytest.mark.parametrize("call", ["delete", "rename"])
async def test_new_calls_validate_replica_id(make_tavus: MakeTavus, call: str) -> None:
    recorder = Recorder(ok())
    args = ("r1/x", "Rio") if call == "rename" else ("r1/x",)
    with pytest.raises(ValueError, match="replica_id"):
        await getattr(make_tavus(recorder).replicas, call)(*args)

    assert recorder.requests == []
