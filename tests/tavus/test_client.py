from __future__ import annotations

import httpx
import pytest

from bot.tavus import (
    NotFound,
    RateLimited,
    ServerError,
    TavusClient,
    TavusConnectionError,
    Unauthorized,
)
from bot.tavus._constants import DEFAULT_MAX_RETRIES, MAX_RETRY_WAIT

from .conftest import MakeTavus, RecordingSleep
from .mock_api import (
    API_KEY,
    CONVERSATION,
    Recorder,
    invalid_conversation,
    no_content,
    ok,
    rate_limited,
    rate_limited_for_an_hour,
    request_timeout,
    server_error,
    unavailable,
    unreachable,
)


async def test_sends_api_key_and_user_agent(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CONVERSATION))
    await make_tavus(recorder).conversations.get("c123")

    request = recorder.last
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["user-agent"].startswith("tavus-slack/")
    assert str(request.url) == "https://tavusapi.com/v2/conversations/c123"


async def test_base_url_is_configurable(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CONVERSATION))
    await make_tavus(recorder, base_url="https://sandbox.test").conversations.get("c123")

    assert recorder.last.url.host == "sandbox.test"


async def test_async_with_closes_the_http_client() -> None:
    async with TavusClient(api_key=API_KEY, transport=httpx.MockTransport(no_content)) as tavus:
        assert not tavus.is_closed
    assert tavus.is_closed


async def test_api_key_is_required() -> None:
    with pytest.raises(ValueError, match="TAVUS_API_KEY"):
        TavusClient(api_key="")


async def test_repr_hides_api_key(make_tavus: MakeTavus) -> None:
    assert API_KEY not in repr(make_tavus(no_content))


async def test_get_is_retried_on_503_then_succeeds(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    recorder = Recorder(unavailable, ok(CONVERSATION))
    conversation = await make_tavus(recorder).conversations.get("c123")

    assert conversation.conversation_id == "c123"
    assert len(recorder.requests) == 2
    assert len(sleep.delays) == 1
    assert 0.375 <= sleep.delays[0] <= 0.5


async def test_backoff_grows_with_jitter_and_is_capped(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    with pytest.raises(ServerError):
        await make_tavus(server_error, max_retries=6).conversations.get("c123")

    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(sleep.delays) == len(ceilings)
    for delay, ceiling in zip(sleep.delays, ceilings, strict=True):
        assert 0.75 * ceiling <= delay <= ceiling


async def test_retry_after_is_honoured(make_tavus: MakeTavus, sleep: RecordingSleep) -> None:
    recorder = Recorder(rate_limited, ok(CONVERSATION))
    await make_tavus(recorder).conversations.get("c123")

    assert sleep.delays == [2.0]


async def test_a_retry_after_longer_than_a_user_waits_is_raised_at_once(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    recorder = Recorder(rate_limited_for_an_hour, ok(CONVERSATION))
    with pytest.raises(RateLimited) as caught:
        await make_tavus(recorder).conversations.get("c123")

    assert len(recorder.requests) == 1
    assert sleep.delays == []
    assert "wait about 60 minutes" in caught.value.user_message


async def test_retries_stop_when_their_waits_would_pass_the_budget(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    def slow_down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "12"}, json={"message": "Slow down"})

    recorder = Recorder(slow_down)
    with pytest.raises(RateLimited):
        await make_tavus(recorder, max_retries=5).conversations.get("c123")

    assert sleep.delays == [12.0, 12.0]  # a third wait would pass MAX_RETRY_WAIT
    assert sum(sleep.delays) <= MAX_RETRY_WAIT < sum(sleep.delays) + 12.0
    assert len(recorder.requests) == 3


async def test_408_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(request_timeout, ok(CONVERSATION))
    await make_tavus(recorder).conversations.get("c123")

    assert len(recorder.requests) == 2


async def test_exhausted_retries_raise_server_error(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    recorder = Recorder(server_error)
    with pytest.raises(ServerError) as caught:
        await make_tavus(recorder).conversations.get("c123")

    assert caught.value.status_code == 500
    assert len(recorder.requests) == DEFAULT_MAX_RETRIES + 1
    assert len(sleep.delays) == DEFAULT_MAX_RETRIES


async def test_exhausted_rate_limit_raises_rate_limited(make_tavus: MakeTavus) -> None:
    with pytest.raises(RateLimited) as caught:
        await make_tavus(rate_limited).conversations.get("c123")

    assert caught.value.retry_after == 2.0


async def test_max_retries_zero_sends_once(make_tavus: MakeTavus) -> None:
    recorder = Recorder(server_error)
    with pytest.raises(ServerError):
        await make_tavus(recorder, max_retries=0).conversations.get("c123")

    assert len(recorder.requests) == 1


async def test_bad_request_is_not_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(invalid_conversation)
    with pytest.raises(NotFound):  # Tavus's 400 for an unknown conversation means just that
        await make_tavus(recorder).conversations.get("c123")

    assert len(recorder.requests) == 1


async def test_transport_error_becomes_connection_error(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unreachable)
    with pytest.raises(TavusConnectionError) as caught:
        await make_tavus(recorder).conversations.get("c123")

    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(recorder.requests) == DEFAULT_MAX_RETRIES + 1


@pytest.mark.parametrize("call", ["end", "delete"])
async def test_end_and_delete_are_retried(make_tavus: MakeTavus, call: str) -> None:
    recorder = Recorder(unreachable, unavailable, no_content)
    await getattr(make_tavus(recorder).conversations, call)("c123")

    assert len(recorder.requests) == 3


async def test_api_key_echoed_by_tavus_is_redacted(make_tavus: MakeTavus) -> None:
    echo = ok({"error": f"Key {API_KEY} is not allowed"}, status_code=403)
    with pytest.raises(Unauthorized) as caught:
        await make_tavus(echo).conversations.get("c123")

    error = caught.value
    for text in (str(error), repr(error.body), error.user_message):
        assert API_KEY not in text
    assert "[redacted]" in error.user_message
