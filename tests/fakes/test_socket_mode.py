"""The fake Socket Mode server, driven by slack_sdk's own aiohttp Socket Mode client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.signing import block_action_payload, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.fakes.socket_mode import APP_TOKEN, AckTimeout, FakeSocketMode, slash_command_payload

# Short, so the retry and timeout tests do not wait Slack's full 3 seconds.
ACK_DEADLINE = 0.3
HOME_OPENED = {"type": "app_home_opened", "user": "U123", "channel": "D123", "tab": "home"}


@pytest.fixture
async def server(slack: FakeSlack) -> AsyncIterator[FakeSocketMode]:
    async with FakeSocketMode(ack_deadline=ACK_DEADLINE) as fake:
        slack.attach_socket_mode(fake)
        yield fake


@pytest.fixture
async def client(slack: FakeSlack, server: FakeSocketMode) -> AsyncIterator[SocketModeClient]:
    sdk_client = SocketModeClient(
        app_token=server.app_token, web_client=AsyncWebClient(base_url=slack.api_url)
    )
    try:
        yield sdk_client
    finally:
        await sdk_client.close()


def acking(
    received: list[SocketModeRequest],
    answer: Callable[[SocketModeRequest], dict[str, Any] | None] = lambda _: None,
) -> Callable[[AsyncBaseSocketModeClient, SocketModeRequest], Any]:
    """A request listener that records each request and acks it with `answer(request)`."""

    async def listener(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        response = SocketModeResponse(envelope_id=request.envelope_id, payload=answer(request))
        await client.send_socket_mode_response(response)

    return listener


async def eventually(condition: Callable[[], bool]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while not condition():
        assert loop.time() < deadline, "the client never got there"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("token", "error"),
    [("xoxb-test-token", "not_allowed_token_type"), ("xapp-1-other", "invalid_auth")],
)
async def test_connections_open_refuses_other_tokens(
    slack: FakeSlack, server: FakeSocketMode, token: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await AsyncWebClient(base_url=slack.api_url).apps_connections_open(app_token=token)
    assert raised.value.response["error"] == error


async def test_connections_open_takes_the_app_token(
    slack: FakeSlack, server: FakeSocketMode
) -> None:
    web = AsyncWebClient(base_url=slack.api_url)

    opened = await web.apps_connections_open(app_token=APP_TOKEN)

    assert opened["url"].startswith("ws://127.0.0.1:")
    assert slack.calls_to("apps.connections.open")[-1].headers["Authorization"] == (
        f"Bearer {APP_TOKEN}"
    )


async def test_without_a_socket_mode_server_the_app_token_is_refused(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await AsyncWebClient(base_url=slack.api_url).apps_connections_open(app_token=APP_TOKEN)
    assert raised.value.response["error"] == "invalid_auth"


async def test_client_connects_and_is_greeted(
    server: FakeSocketMode, client: SocketModeClient
) -> None:
    messages: list[dict[str, Any]] = []

    async def record(_: AsyncBaseSocketModeClient, message: dict[str, Any], raw: Any) -> None:
        messages.append(message)

    client.message_listeners.append(record)
    assert not server.connected

    await client.connect()
    await server.wait_connected()

    await eventually(lambda: bool(messages))
    (hello,) = messages
    assert hello["type"] == "hello"
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": server.app_id}


async def test_slash_command_ack_carries_the_response(
    server: FakeSocketMode, client: SocketModeClient
) -> None:
    received: list[SocketModeRequest] = []
    reply = {"text": "Hello", "response_type": "ephemeral"}
    client.socket_mode_request_listeners.append(acking(received, lambda _: reply))
    await client.connect()

    ack = await server.send_slash_command(slash_command_payload("help"))

    (request,) = received
    assert ack == {"envelope_id": request.envelope_id, "payload": reply}
    assert request.type == "slash_commands"
    assert request.accepts_response_payload
    assert request.payload["command"] == "/tavus"
    assert request.payload["text"] == "help"
    assert server.acks == [ack]


async def test_interactive_envelopes_say_whether_the_ack_may_answer(
    server: FakeSocketMode, client: SocketModeClient
) -> None:
    received: list[SocketModeRequest] = []
    client.socket_mode_request_listeners.append(acking(received))
    await client.connect()

    click = await server.send_interactive(block_action_payload("conversation_end", value="c1"))
    submit = await server.send_interactive(view_submission_payload("start_conversation"))

    assert [r.type for r in received] == ["interactive", "interactive"]
    assert [r.accepts_response_payload for r in received] == [False, True]
    assert click == {"envelope_id": received[0].envelope_id}
    assert submit == {"envelope_id": received[1].envelope_id}
    assert received[0].payload["actions"][0]["value"] == "c1"


async def test_unacked_event_is_delivered_again_as_a_retry(
    server: FakeSocketMode, client: SocketModeClient
) -> None:
    seen: list[SocketModeRequest] = []
    acked: list[SocketModeRequest] = []
    ack_retries = acking(acked)

    async def ignore_first(sdk: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        seen.append(request)
        if request.retry_attempt:
            await ack_retries(sdk, request)

    client.socket_mode_request_listeners.append(ignore_first)
    await client.connect()

    ack = await server.send_event(HOME_OPENED)

    assert [(r.retry_attempt, r.retry_reason) for r in seen] == [(0, ""), (1, "timeout")]
    assert seen[0].envelope_id == seen[1].envelope_id == ack["envelope_id"]
    assert seen[0].payload == seen[1].payload
    assert seen[0].payload["type"] == "event_callback"
    assert seen[0].payload["event"] == HOME_OPENED
    assert len(server.envelopes) == 2
    assert server.acks_for(ack["envelope_id"]) == [ack]


async def test_unacked_command_is_not_retried_and_times_out(
    server: FakeSocketMode, client: SocketModeClient
) -> None:
    received: list[SocketModeRequest] = []

    async def never_ack(_: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)

    client.socket_mode_request_listeners.append(never_ack)
    await client.connect()

    with pytest.raises(AckTimeout):
        await server.send_slash_command(slash_command_payload("call"))

    assert len(received) == 1
    assert server.acks == []


@pytest.mark.parametrize("how", ["refresh_requested", "warning", "dropped"])
async def test_client_reconnects_when_told_or_dropped(
    slack: FakeSlack, server: FakeSocketMode, client: SocketModeClient, how: str
) -> None:
    received: list[SocketModeRequest] = []
    client.socket_mode_request_listeners.append(acking(received))
    await client.connect()
    await server.wait_connected()

    await (server.drop_connections() if how == "dropped" else server.disconnect(how))
    await server.wait_connected(connections=2)

    assert len(slack.calls_to("apps.connections.open")) == 2
    ack = await server.send_slash_command(slash_command_payload("help"))
    assert ack == {"envelope_id": received[0].envelope_id}


async def test_a_connection_url_works_once(server: FakeSocketMode) -> None:
    url = server.open_url()
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            hello = await ws.receive_json()
            await ws.send_str("not an ack")
            await eventually(lambda: bool(server.unexpected))
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await session.ws_connect(url)

    assert hello["type"] == "hello"
    assert raised.value.status == 401
    assert server.unexpected == ["not an ack"]
