from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.signing import (
    block_action_payload,
    interaction_body,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)
from tests.fakes.slack import FakeSlack

TOKEN = "xoxb-test-token"
BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "*hi*"}}
]
MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "start_conversation",
    "title": {"type": "plain_text", "text": "Start"},
    "blocks": BLOCKS,
    "private_metadata": "C123",
}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=slack.api_url)


async def test_api_url_has_trailing_slash(slack: FakeSlack) -> None:
    assert slack.api_url.startswith("http://127.0.0.1:")
    assert slack.api_url.endswith("/api/")


async def test_auth_test(slack: FakeSlack, client: AsyncWebClient) -> None:
    response = await client.auth_test()

    assert response["team_id"] == "T0001"
    assert response["user_id"] == "UBOT"
    assert response["bot_id"]
    assert slack.calls_to("auth.test")[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_wrong_token_is_invalid_auth(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "invalid_auth"
    assert slack.calls[0].failed
    assert slack.messages() == []


async def test_post_message_with_blocks(slack: FakeSlack, client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel="C1", text="hello", blocks=BLOCKS)
    second = await client.chat_postMessage(channel="C1", text="again")

    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert abs(float(first["ts"]) - time.time()) < 60  # a ts is the time of posting
    assert float(second["ts"]) > float(first["ts"])
    assert slack.calls_to("chat.postMessage")[0].args["blocks"] == BLOCKS
    assert slack.messages(channel="C1")[0] == {
        "channel": "C1",
        "ts": first["ts"],
        "text": "hello",
        "blocks": BLOCKS,
        "thread_ts": None,
        "user": "UBOT",
    }


async def test_form_post_decodes_json_blocks(slack: FakeSlack, client: AsyncWebClient) -> None:
    data = {"channel": "C1", "text": "form", "blocks": json.dumps(BLOCKS)}

    await client.api_call("chat.postMessage", data=data)

    assert slack.calls[0].headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert slack.messages()[0]["blocks"] == BLOCKS


async def test_thread_replies(slack: FakeSlack, client: AsyncWebClient) -> None:
    root = await client.chat_postMessage(channel="C1", text="root")
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=root["ts"])
    await client.chat_postMessage(channel="C2", text="elsewhere")

    replies = await client.conversations_replies(channel="C1", ts=root["ts"])

    assert [m["text"] for m in replies["messages"]] == ["root", "reply"]
    assert [m["text"] for m in slack.messages(thread_ts=root["ts"])] == ["reply"]
    assert len(slack.messages(channel="C1")) == 2


async def test_channel_errors() -> None:
    async with FakeSlack(bot_channels={"C1"}) as slack:
        client = AsyncWebClient(token=TOKEN, base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="ok")

        for channel, error in (("C2", "not_in_channel"), ("X9", "channel_not_found")):
            with pytest.raises(SlackApiError) as raised:
                await client.chat_postMessage(channel=channel, text="no")
            assert raised.value.response["error"] == error

        info = await client.conversations_info(channel="C2")
        assert info["channel"]["is_member"] is False
        assert [m["channel"] for m in slack.messages()] == ["C1"]


async def test_update_and_delete(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=BLOCKS)

    updated = await client.chat_update(channel="C1", ts=posted["ts"], text="v2", blocks=[])

    assert updated["text"] == "v2"
    assert slack.messages() == [
        {
            "channel": "C1",
            "ts": posted["ts"],
            "text": "v2",
            "blocks": [],
            "thread_ts": None,
            "user": "UBOT",
        }
    ]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C1", ts="1.2", text="x")
    await client.chat_delete(channel="C1", ts=posted["ts"])
    assert slack.messages() == []


async def test_post_ephemeral(slack: FakeSlack, client: AsyncWebClient) -> None:
    response = await client.chat_postEphemeral(channel="C1", user="U123", text="psst")

    assert response["message_ts"]
    assert slack.calls_to("chat.postEphemeral")[0].args["user"] == "U123"
    assert slack.messages() == []


async def test_views(slack: FakeSlack, client: AsyncWebClient) -> None:
    opened = await client.views_open(trigger_id="tr.1", view=MODAL)
    updated = await client.views_update(view_id=opened["view"]["id"], view=MODAL)
    pushed = await client.views_push(trigger_id="tr.2", view=MODAL)
    home = await client.views_publish(user_id="U123", view={"type": "home", "blocks": []})

    view = opened["view"]
    assert view["id"].startswith("V")
    assert view["callback_id"] == "start_conversation"
    assert view["private_metadata"] == "C123"
    assert view["hash"]
    assert updated["view"]["id"] == view["id"]
    assert len({view["id"], pushed["view"]["id"], home["view"]["id"]}) == 3
    assert slack.calls_to("views.open")[0].args["view"] == MODAL
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V404", view=MODAL)


async def test_users_info(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.set_user("U999", is_admin=True)

    user = (await client.users_info(user="U123"))["user"]
    admin = (await client.users_info(user="U999"))["user"]

    assert user["id"] == "U123"
    assert user["name"] and user["real_name"] and user["profile"]["display_name"]
    assert user["is_admin"] is False
    assert user["tz"]
    assert admin["is_admin"] is True


async def test_files_upload_v2(slack: FakeSlack, client: AsyncWebClient) -> None:
    root = await client.chat_postMessage(channel="C1", text="root")

    response = await client.files_upload_v2(
        content="transcript text",
        channel="C1",
        thread_ts=root["ts"],
        filename="transcript.txt",
        title="Transcript",
        initial_comment="here it is",
    )

    assert response["file"]["title"] == "Transcript"
    (uploaded,) = slack.uploaded_files
    assert uploaded["id"] == response["file"]["id"]
    assert uploaded["content"] == b"transcript text"
    assert uploaded["filename"] == "transcript.txt"
    assert uploaded["title"] == "Transcript"
    assert uploaded["channel_id"] == "C1"
    assert uploaded["thread_ts"] == root["ts"]
    assert uploaded["initial_comment"] == "here it is"


async def test_multipart_upload(slack: FakeSlack, client: AsyncWebClient) -> None:
    url = await client.files_getUploadURLExternal(filename="a.bin", length=3)
    form = aiohttp.FormData()
    form.add_field("file", b"\x00\x01\x02", filename="a.bin")

    async with aiohttp.ClientSession() as session, session.post(url["upload_url"], data=form) as r:
        assert await r.text() == "OK - 3"
    await client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="C1")

    assert slack.uploaded_files[0]["content"] == b"\x00\x01\x02"
    assert slack.uploaded_files[0]["title"] == "a.bin"


async def test_unknown_method(slack: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("nope.never")

    assert slack.calls_to("nope.never")[0].failed


async def test_rate_limit_is_retried(slack: FakeSlack) -> None:
    retry = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
    client = AsyncWebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[retry])
    slack.fail_next("chat.postMessage", status=429, retry_after=1)

    await client.chat_postMessage(channel="C1", text="eventually")

    first, second = slack.calls_to("chat.postMessage")
    assert (first.failed, first.error, second.failed) == (True, "ratelimited", False)
    assert [m["text"] for m in slack.messages()] == ["eventually"]


async def test_rate_limit_without_retry(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="x")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


async def test_fail_next_ok_false(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("views.open", status=200, error="expired_trigger_id", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            await client.views_open(trigger_id="tr.1", view=MODAL)
    await client.views_open(trigger_id="tr.1", view=MODAL)

    assert [c.failed for c in slack.calls_to("views.open")] == [True, True, False]


async def test_wait_for_delayed_call(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.delay("chat.postMessage", 0.2)
    task = asyncio.create_task(client.chat_postMessage(channel="C1", text="slow"))

    (call,) = await slack.wait_for("chat.postMessage", timeout=2.0)

    assert call.args["text"] == "slow"
    assert slack.messages()[0]["text"] == "slow"
    await task


async def test_wait_for_predicate_and_failed(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("chat.postMessage", status=200, error="fatal_error")
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text="a")
    await client.chat_postMessage(channel="C1", text="b")

    found = await slack.wait_for("chat.postMessage", predicate=lambda c: c.args["text"] == "b")
    everything = await slack.wait_for("chat.postMessage", count=2, include_failed=True)

    assert [c.args["text"] for c in found] == ["b"]
    assert len(everything) == 2


async def test_wait_for_timeout_lists_calls(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.update.*auth\.test"):
        await slack.wait_for("chat.update", timeout=0.05)


async def test_storm_rate_limits_its_channels_until_it_ends(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    storm = slack.storm("chat.postMessage", retry_after=3, channels={"C1"})

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="C1", text="stormed")
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "3"
    await client.chat_postMessage(channel="C2", text="calm")
    storm.end()
    await client.chat_postMessage(channel="C1", text="after")

    assert storm.hits == 2
    assert not storm.active
    assert [m["text"] for m in slack.messages()] == ["calm", "after"]


async def test_storm_answers_any_status_and_error(slack: FakeSlack, client: AsyncWebClient) -> None:
    storm = slack.storm("chat.update", status=500, error="internal_error")
    posted = await client.chat_postMessage(channel="C1", text="card")

    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel="C1", ts=posted["ts"], text="new card")

    assert (raised.value.response.status_code, raised.value.response["error"]) == (
        500,
        "internal_error",
    )
    assert "Retry-After" not in raised.value.response.headers
    assert slack.messages()[0]["text"] == "card"
    await storm.wait_hits(1)


async def test_hanging_storm_takes_the_call_and_answers_when_it_ends(slack: FakeSlack) -> None:
    impatient = AsyncWebClient(token=TOKEN, base_url=slack.api_url, timeout=0.2)
    storm = slack.storm("chat.postMessage", hang=True)

    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel="C1", text="in, unanswered")

    assert [m["text"] for m in slack.messages()] == ["in, unanswered"]
    assert slack.in_flight("chat.postMessage")
    assert not slack.calls_to("chat.postMessage")  # not answered yet
    storm.end()
    await slack.wait_for("chat.postMessage")
    assert storm.hits == 1


async def test_storm_does_not_relax_slacks_checks(slack: FakeSlack, client: AsyncWebClient) -> None:
    storm = slack.storm("chat.postMessage", hang=True, channels={"C1"})
    empty = asyncio.create_task(client.api_call("chat.postMessage", json={"channel": "C1"}))
    await storm.wait_hits(1)

    assert slack.messages() == []
    storm.end()
    with pytest.raises(SlackApiError, match="no_text"):
        await empty


async def test_replies_carry_metadata_and_shared_files(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel="C1", text="card")
    meta = {"event_type": "tavus_outbox", "event_payload": {"outbox_id": 7}}
    await client.chat_postMessage(channel="C1", thread_ts=parent["ts"], text="r", metadata=meta)
    await client.files_upload_v2(
        channel="C1", thread_ts=parent["ts"], content="text", filename="a.txt"
    )

    reply, shared = slack.replies("C1", parent["ts"])

    assert (reply["text"], reply["metadata"]) == ("r", meta)
    assert shared["files"][0]["title"] == "a.txt"
    assert slack.replies("C1", "1.000000") == []


def test_signed_headers_verify() -> None:
    body = slash_command_body("start demo")
    headers = signed_headers("s3cret", body)

    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert SignatureVerifier("s3cret").is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)


def test_signed_headers_fixed_timestamp() -> None:
    stale = int(time.time()) - 3600
    headers = signed_headers("s3cret", "{}", timestamp=stale, content_type="application/json")

    assert headers["X-Slack-Request-Timestamp"] == str(stale)
    assert headers["Content-Type"] == "application/json"
    assert not SignatureVerifier("s3cret").is_valid_request("{}", headers)


def test_slash_command_body() -> None:
    fields = parse_qs(slash_command_body("start demo", user_id="U9", trigger_id="tr.9"))

    assert fields["command"] == ["/tavus"]
    assert fields["text"] == ["start demo"]
    assert fields["user_id"] == ["U9"]
    assert fields["trigger_id"] == ["tr.9"]
    assert fields["response_url"][0].startswith("https://")


def test_interaction_body_round_trips() -> None:
    payload = block_action_payload("end_conversation", value="c123")

    (raw,) = parse_qs(interaction_body(payload))["payload"]

    assert json.loads(raw) == payload
    assert payload["actions"][0]["action_id"] == "end_conversation"
    assert payload["container"]["type"] == "message"


def test_block_action_in_view() -> None:
    view = {"id": "V1", "callback_id": "cb", "private_metadata": "", "state": {"values": {}}}

    payload = block_action_payload("pick", view=view)

    assert payload["container"] == {"type": "view", "view_id": "V1"}
    assert payload["view"] == view
    assert "channel" not in payload


def test_view_submission_payload() -> None:
    values = {"persona": {"persona_select": {"type": "static_select", "selected_option": None}}}

    payload = view_submission_payload("start_conversation", values=values, private_metadata="C1")

    assert payload["type"] == "view_submission"
    assert payload["view"]["callback_id"] == "start_conversation"
    assert payload["view"]["state"]["values"] == values
    assert payload["view"]["private_metadata"] == "C1"
    assert payload["user"]["id"] == "U123"
