from __future__ import annotations

import asyncio

from bot.sandbox import SEED_REPLICA_ID
from tests.sandbox.conftest import Receiver, Sandbox

TRAIN = {"train_video_url": "https://bucket.example/train.mp4", "replica_name": "Rio"}


async def test_training_calls_back_ready_and_get_says_completed(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    created = await sandbox.client.post(
        "/v2/replicas", json={**TRAIN, "callback_url": receiver.url}
    )
    replica_id = created.json()["replica_id"]
    during = (await sandbox.client.get(f"/v2/replicas/{replica_id}")).json()

    [payload] = await receiver.wait_for(1)
    after = (await sandbox.client.get(f"/v2/replicas/{replica_id}")).json()

    assert created.json() == {"replica_id": replica_id, "status": "started"}
    assert replica_id.startswith("r") and len(replica_id) == 13
    assert (during["status"], during["training_progress"]) == ("started", "0/100")
    assert payload == {"replica_id": replica_id, "status": "ready"}
    assert (after["status"], after["training_progress"]) == ("completed", "100/100")
    assert sandbox.state.callbacks_sent == [(receiver.url, payload, 200)]


async def test_failed_training_calls_back_error(sandbox: Sandbox, receiver: Receiver) -> None:
    body = {"train_video_url": "https://bucket.example/fail.mp4", "callback_url": receiver.url}
    replica_id = (await sandbox.client.post("/v2/replicas", json=body)).json()["replica_id"]

    [payload] = await receiver.wait_for(1)

    assert payload["status"] == "error"
    assert "minimum duration" in payload["error_message"]
    assert sandbox.state.replicas[replica_id]["status"] == "error"


async def test_create_without_training_url_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.post("/v2/replicas", json={"replica_name": "Rio"})

    assert response.status_code == 400
    assert "train_video_url" in response.json()["error"]


async def test_training_without_callback_url_still_completes(sandbox: Sandbox) -> None:
    replica_id = (await sandbox.client.post("/v2/replicas", json=TRAIN)).json()["replica_id"]
    await asyncio.sleep(0.15)

    assert sandbox.state.replicas[replica_id]["status"] == "completed"
    assert sandbox.state.callbacks_sent == []


async def test_replica_type_shows_only_when_verbose(sandbox: Sandbox) -> None:
    plain = (await sandbox.client.get(f"/v2/replicas/{SEED_REPLICA_ID}")).json()
    verbose = await sandbox.client.get(f"/v2/replicas/{SEED_REPLICA_ID}?verbose=true")

    assert plain["replica_name"] == "Anna"
    assert "replica_type" not in plain
    assert verbose.json()["replica_type"] == "system"


async def test_list_filters_and_counts(sandbox: Sandbox) -> None:
    replica_id = (await sandbox.client.post("/v2/replicas", json=TRAIN)).json()["replica_id"]

    everything = (await sandbox.client.get("/v2/replicas", params={"limit": 1})).json()
    users = (
        await sandbox.client.get("/v2/replicas", params={"replica_type": "user", "verbose": "true"})
    ).json()

    assert everything["total_count"] == 4
    assert len(everything["data"]) == 1
    assert users["total_count"] == 1
    assert users["data"][0]["replica_id"] == replica_id
    assert users["data"][0]["replica_type"] == "user"


async def test_rename(sandbox: Sandbox) -> None:
    replica_id = (await sandbox.client.post("/v2/replicas", json=TRAIN)).json()["replica_id"]

    response = await sandbox.client.patch(
        f"/v2/replicas/{replica_id}/name", json={"replica_name": "Ria"}
    )

    assert response.status_code == 200
    assert sandbox.state.replicas[replica_id]["replica_name"] == "Ria"


async def test_delete_is_204_and_unknown_is_400(sandbox: Sandbox) -> None:
    replica_id = (await sandbox.client.post("/v2/replicas", json=TRAIN)).json()["replica_id"]

    deleted = await sandbox.client.delete(f"/v2/replicas/{replica_id}")
    again = await sandbox.client.delete(f"/v2/replicas/{replica_id}")

    assert deleted.status_code == 204
    assert again.status_code == 400
    assert again.json() == {"error": "Invalid replica_id"}
