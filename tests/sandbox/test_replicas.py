"""/v2/replicas: training from a video or an image, by polling and by callback; list, delete."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.sandbox import SEED_REPLICA_2_ID, SEED_REPLICA_ID
from bot.sandbox.replicas import (
    BOTH_SOURCES,
    IMAGE_ERROR,
    NO_SOURCE,
    TRAINING_ERROR,
    VOICE_REQUIRED,
)
from tests.sandbox.conftest import (
    OBSERVABLE_JOB_SECONDS,
    WAIT_SECONDS,
    Receiver,
    Sandbox,
    StartSandbox,
    distinct,
    percent,
    poll,
)

TRAIN = {"train_video_url": "https://bucket.example/train.mp4", "replica_name": "Rio"}
IMAGE = {"train_image_url": "https://bucket.example/face.png", "voice_name": "Anna"}
INPUTS = {"train_video_url", "train_image_url", "consent_video_url", "voice_name", "callback_url"}


async def _create(sandbox: Sandbox, **fields: Any) -> str:
    response = await sandbox.client.post("/v2/replicas", json={**TRAIN, **fields})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "started"
    replica_id: str = response.json()["replica_id"]
    return replica_id


async def _list(sandbox: Sandbox, **params: str) -> dict[str, Any]:
    response = await sandbox.client.get("/v2/replicas", params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _ended(replica: dict[str, Any]) -> bool:
    return replica["status"] in ("completed", "error")


async def test_a_new_replica_is_started_at_zero(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(training_delay=60)
    replica_id = await _create(sandbox)

    replica = (await sandbox.client.get(f"/v2/replicas/{replica_id}")).json()

    assert replica_id.startswith("r") and len(replica_id) == 13
    assert (replica["status"], replica["training_progress"]) == ("started", "0/100")
    assert (replica["replica_name"], replica["model_name"]) == ("Rio", "phoenix-4")
    assert replica["error_message"] is replica["thumbnail_video_url"] is None
    assert not INPUTS & set(replica)


async def test_polling_sees_training_progress_then_completed(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(training_delay=OBSERVABLE_JOB_SECONDS)
    replica_id = await _create(sandbox)

    polled = await poll(sandbox.client, f"/v2/replicas/{replica_id}", _ended)

    steps = [percent(replica["training_progress"]) for replica in polled]
    assert distinct([replica["status"] for replica in polled]) == ["started", "completed"]
    assert steps == sorted(steps)
    assert any(0 < step < 100 for step in steps)
    assert steps[-1] == 100
    assert polled[-1]["thumbnail_video_url"].endswith(f"/{replica_id}/thumbnail.mp4")


async def test_training_calls_back_ready_and_get_says_completed(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    replica_id = await _create(sandbox, callback_url=receiver.url)

    [payload] = await receiver.wait_for(1)
    after = (await sandbox.client.get(f"/v2/replicas/{replica_id}")).json()

    assert payload == {"replica_id": replica_id, "status": "ready"}
    assert (after["status"], after["training_progress"]) == ("completed", "100/100")
    assert sandbox.state.jobs == {}  # training is over: no other callback is to come
    assert sandbox.state.callbacks_sent == [(receiver.url, payload, 200)]


async def test_training_from_an_image_takes_a_stock_voice(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    body = {**IMAGE, "train_video_url": None, "callback_url": receiver.url}
    replica_id = await _create(sandbox, **body)

    [payload] = await receiver.wait_for(1)

    assert payload["status"] == "ready"
    assert sandbox.state.replicas[replica_id]["voice_name"] == "anna"
    assert sandbox.state.replicas[replica_id]["train_image_url"] == IMAGE["train_image_url"]


async def test_training_without_callback_url_still_completes(sandbox: Sandbox) -> None:
    replica_id = await _create(sandbox)

    await poll(sandbox.client, f"/v2/replicas/{replica_id}", _ended)

    assert sandbox.state.replicas[replica_id]["status"] == "completed"
    assert sandbox.state.callbacks_sent == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"train_video_url": None}, NO_SOURCE),
        ({"train_video_url": ""}, NO_SOURCE),
        ({"train_image_url": IMAGE["train_image_url"]}, BOTH_SOURCES),
        ({**IMAGE, "train_video_url": None, "voice_name": None}, VOICE_REQUIRED),
        ({**IMAGE, "train_video_url": None, "voice_name": "nobody"}, "Invalid voice_name"),
        ({"voice_name": "nobody"}, "Invalid voice_name"),  # validated with a video too
        ({"train_video_url": "s3://bucket/train.mp4"}, "Invalid train_video_url"),
        ({"consent_video_url": "consent.mp4"}, "Invalid consent_video_url"),
        ({"callback_url": "hooks.example"}, "Invalid callback_url"),
        ({"model_name": "phoenix-9"}, "model_name must be one of: phoenix-2, phoenix-3, phoenix-4"),
        ({"replica_name": 12}, "replica_name must be a string"),
        ({"auto_fix_training_image": "yes"}, "auto_fix_training_image must be a boolean"),
        (
            {"properties": {"background_green_screen": "no"}},
            "properties.background_green_screen must be a boolean",
        ),
    ],
)
async def test_create_validates(sandbox: Sandbox, fields: dict[str, Any], error: str) -> None:
    response = await sandbox.client.post("/v2/replicas", json={**TRAIN, **fields})

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert len(sandbox.state.replicas) == 3  # only the seeded ones


async def test_consent_video_and_older_model_are_accepted(sandbox: Sandbox) -> None:
    consent = "https://bucket.example/consent.mp4"
    replica_id = await _create(sandbox, consent_video_url=consent, model_name="phoenix-3")

    replica = (await sandbox.client.get(f"/v2/replicas/{replica_id}")).json()

    assert replica["model_name"] == "phoenix-3"
    assert sandbox.state.replicas[replica_id]["consent_video_url"] == consent


# The error path


async def test_a_training_video_containing_fail_calls_back_error(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    body = {"train_video_url": "https://bucket.example/fail.mp4", "callback_url": receiver.url}
    replica_id = await _create(sandbox, **body)

    [payload] = await receiver.wait_for(1)
    replica = (await sandbox.client.get(f"/v2/replicas/{replica_id}")).json()

    assert payload == {"replica_id": replica_id, "status": "error", "error_message": TRAINING_ERROR}
    assert (replica["status"], replica["error_message"]) == ("error", TRAINING_ERROR)
    assert replica["thumbnail_video_url"] is None


async def test_a_failing_image_says_so(sandbox: Sandbox) -> None:
    body = {**IMAGE, "train_video_url": None, "train_image_url": "https://b.example/fail.png"}
    replica_id = await _create(sandbox, **body)

    [*_, replica] = await poll(sandbox.client, f"/v2/replicas/{replica_id}", _ended)

    assert (replica["status"], replica["error_message"]) == ("error", IMAGE_ERROR)


async def test_the_replica_error_option_fails_training_with_its_text(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(replica_error="The consent statement was not found")
    replica_id = await _create(sandbox, callback_url=receiver.url)

    [payload] = await receiver.wait_for(1)

    assert payload["error_message"] == "The consent statement was not found"
    assert sandbox.state.replicas[replica_id]["status"] == "error"


async def test_polling_a_failing_training_sees_progress_then_error(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(training_delay=OBSERVABLE_JOB_SECONDS, replica_error="bad")
    replica_id = await _create(sandbox)

    polled = await poll(sandbox.client, f"/v2/replicas/{replica_id}", _ended)

    assert distinct([replica["status"] for replica in polled]) == ["started", "error"]
    assert any(0 < percent(replica["training_progress"]) < 50 for replica in polled)


# Get, list, rename, delete


async def test_replica_type_shows_only_when_verbose(sandbox: Sandbox) -> None:
    plain = (await sandbox.client.get(f"/v2/replicas/{SEED_REPLICA_ID}")).json()
    verbose = await sandbox.client.get(f"/v2/replicas/{SEED_REPLICA_ID}?verbose=true")

    assert plain["replica_name"] == "Anna"
    assert "replica_type" not in plain
    assert verbose.json()["replica_type"] == "system"


async def test_get_unknown_replica_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/replicas/r000000000000")

    assert (response.status_code, response.json()) == (400, {"error": "Invalid replica_id"})


async def test_list_filters_and_counts(sandbox: Sandbox) -> None:
    replica_id = await _create(sandbox)

    everything = await _list(sandbox, limit="1")
    users = await _list(sandbox, replica_type="user", verbose="true")

    assert everything["total_count"] == 4
    assert len(everything["data"]) == 1
    assert users["total_count"] == 1
    assert users["data"][0]["replica_id"] == replica_id
    assert users["data"][0]["replica_type"] == "user"
    assert not INPUTS & set(users["data"][0])


async def test_list_filters_by_model_and_ids(sandbox: Sandbox) -> None:
    new_id = await _create(sandbox)
    wanted = f"{SEED_REPLICA_2_ID},{new_id}"

    phoenix_3 = await _list(sandbox, model_name="phoenix-3")
    phoenix_4 = await _list(sandbox, model_name="phoenix-4")
    by_ids = await _list(sandbox, replica_ids=wanted)

    assert phoenix_3["total_count"] == 3  # the seeded stock replicas
    assert [r["replica_id"] for r in phoenix_4["data"]] == [new_id]
    assert {r["replica_id"] for r in by_ids["data"]} == {SEED_REPLICA_2_ID, new_id}


async def test_list_refuses_an_unknown_type(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/replicas", params={"replica_type": "stock"})

    assert response.status_code == 400
    assert response.json() == {"error": "replica_type must be one of: user, system"}


async def test_rename(sandbox: Sandbox) -> None:
    replica_id = await _create(sandbox)

    response = await sandbox.client.patch(
        f"/v2/replicas/{replica_id}/name", json={"replica_name": "Ria"}
    )
    empty = await sandbox.client.patch(f"/v2/replicas/{replica_id}/name", json={})

    assert response.status_code == 200
    assert sandbox.state.replicas[replica_id]["replica_name"] == "Ria"
    assert (empty.status_code, empty.json()) == (400, {"error": "replica_name is required"})


async def test_delete_is_204_and_unknown_is_400(sandbox: Sandbox) -> None:
    replica_id = await _create(sandbox)

    deleted = await sandbox.client.delete(f"/v2/replicas/{replica_id}")
    again = await sandbox.client.delete(f"/v2/replicas/{replica_id}")

    assert deleted.status_code == 204
    assert again.status_code == 400
    assert again.json() == {"error": "Invalid replica_id"}


async def test_system_replicas_cannot_be_deleted(sandbox: Sandbox) -> None:
    hard = {"hard": "true"}
    response = await sandbox.client.delete(f"/v2/replicas/{SEED_REPLICA_ID}", params=hard)

    assert response.status_code == 400
    assert response.json() == {"error": "System replicas cannot be deleted"}
    assert SEED_REPLICA_ID in sandbox.state.replicas


async def test_hard_delete_leaves_the_conversations_that_used_the_replica(
    sandbox: Sandbox,
) -> None:
    replica_id = await _create(sandbox)
    await poll(sandbox.client, f"/v2/replicas/{replica_id}", _ended)
    call = {"replica_id": replica_id, "test_mode": True}
    conversation_id = (await sandbox.client.post("/v2/conversations", json=call)).json()[
        "conversation_id"
    ]

    deleted = await sandbox.client.delete(f"/v2/replicas/{replica_id}", params={"hard": "true"})
    conversation = await sandbox.client.get(f"/v2/conversations/{conversation_id}")
    new_call = await sandbox.client.post("/v2/conversations", json=call)

    assert deleted.status_code == 204
    assert conversation.status_code == 200
    assert conversation.json()["replica_id"] == replica_id
    assert (new_call.status_code, new_call.json()) == (400, {"error": "Invalid replica_id"})


async def test_deleting_a_training_replica_stops_it_without_a_callback(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(training_delay=60)
    replica_id = await _create(sandbox, callback_url=receiver.url)
    job = sandbox.state.jobs[replica_id]

    await sandbox.client.delete(f"/v2/replicas/{replica_id}")
    await asyncio.wait([job], timeout=WAIT_SECONDS)

    assert job.cancelled()
    assert sandbox.state.jobs == {}
    assert sandbox.state.callbacks_sent == []
