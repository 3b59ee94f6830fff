from __future__ import annotations

import pytest

from bot.tavus import (
    BadRequest,
    Conflict,
    NotFound,
    PaymentRequired,
    RateLimited,
    ServerError,
    TavusConnectionError,
    TavusError,
    TavusStatusError,
    Unauthorized,
)
from bot.tavus.errors import status_error

from .conftest import MakeTavus
from .mock_api import (
    invalid_conversation,
    invalid_token,
    not_found,
    ok,
    out_of_credits,
    rate_limited,
    timed_out,
    unavailable,
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (422, BadRequest),
        (401, Unauthorized),
        (403, Unauthorized),
        (402, PaymentRequired),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (418, TavusStatusError),
    ],
)
def test_status_codes_map_to_classes(status: int, cls: type[TavusStatusError]) -> None:
    error = status_error(status, "nope")

    assert type(error) is cls
    assert isinstance(error, TavusError)
    assert error.status_code == status


async def test_400_invalid_conversation_id_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound) as caught:
        await make_tavus(invalid_conversation).conversations.get("c404")

    assert (caught.value.status_code, caught.value.message) == (400, "Invalid conversation_id")
    assert caught.value.body == {"error": "Invalid conversation_id"}


async def test_message_read_from_message_key(make_tavus: MakeTavus) -> None:
    with pytest.raises(Unauthorized) as caught:
        await make_tavus(invalid_token).conversations.get("c123")

    assert caught.value.message == "Invalid access token"


async def test_message_falls_back_to_reason_phrase(make_tavus: MakeTavus) -> None:
    with pytest.raises(ServerError) as caught:
        await make_tavus(unavailable, max_retries=0).conversations.get("c123")

    assert caught.value.message == "Service Unavailable"
    assert caught.value.body == "<html>upstream unavailable</html>"


async def test_402_is_payment_required(make_tavus: MakeTavus) -> None:
    with pytest.raises(PaymentRequired):
        await make_tavus(out_of_credits).conversations.get("c123")


async def test_404_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound):
        await make_tavus(not_found).replicas.get("r123")


async def test_rate_limited_carries_retry_after(make_tavus: MakeTavus) -> None:
    with pytest.raises(RateLimited) as caught:
        await make_tavus(rate_limited, max_retries=0).personas.list()

    assert caught.value.retry_after == 2.0


async def test_error_key_wins_over_message_key(make_tavus: MakeTavus) -> None:
    both = ok({"error": "Invalid persona_id", "message": "Bad Request"}, status_code=400)
    with pytest.raises(BadRequest) as caught:
        await make_tavus(both).personas.list()

    assert caught.value.message == "Invalid persona_id"


def test_user_message_quotes_tavus() -> None:
    error = status_error(400, "Invalid replica_id")

    assert error.user_message == "Tavus says: Invalid replica_id (400)"


def test_user_message_for_401_hints_at_the_api_key() -> None:
    text = status_error(401, "Invalid access token").user_message

    assert text.startswith("Tavus says: Invalid access token (401).")
    assert "API key" in text


def test_user_message_for_402_says_out_of_credits() -> None:
    assert "out of credits" in status_error(402, "Payment Required").user_message


def test_user_message_for_429_says_rate_limited() -> None:
    assert "rate limiting" in status_error(429, "Too many requests").user_message


async def test_user_message_for_timeout(make_tavus: MakeTavus) -> None:
    with pytest.raises(TavusConnectionError) as caught:
        await make_tavus(timed_out).conversations.get("c123")

    assert caught.value.user_message == (
        "Could not reach Tavus (timed out): Tavus may be having trouble. Try again in a minute."
    )


def test_base_error_has_a_user_message() -> None:
    assert TavusError("odd").user_message == "Something went wrong talking to Tavus."
