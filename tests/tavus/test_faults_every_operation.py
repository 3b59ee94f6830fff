"""Every public client operation against every kind of Tavus fault.

One table names each operation with whether it may be sent twice. The client is introspected,
so an operation added without a row here fails `test_every_operation_has_a_row`. For each
operation and fault: how many requests went out (idempotent calls are retried within the
backoff budget, creates never), the error class, whether a create's outcome is unknown, and
the words the user would be given.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot.tavus import (
    PaymentRequired,
    RateLimited,
    ServerError,
    TavusClient,
    TavusConnectionError,
    TavusError,
    Unauthorized,
)
from bot.tavus._constants import DEFAULT_MAX_RETRIES, MAX_RETRY_DELAY, MAX_RETRY_WAIT
from bot.tavus._http import APIResource
from bot.tavus.patch import add, remove, replace

from .conftest import MakeTavus, RecordingSleep
from .mock_api import Handler, Recorder

Call = Callable[[TavusClient], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    """One way of calling an operation: ``retried`` when a repeat is known to be harmless."""

    operation: str
    call: Call
    retried: bool
    variant: str = ""
    # Words of its own for a fault that means something else here (fault name -> words).
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.operation}[{self.variant}]" if self.variant else self.operation


async def drain(items: AsyncIterator[Any]) -> None:
    async for _ in items:
        pass


OBJECTIVE = {"objective_name": "goodbye", "objective_prompt": "Say goodbye."}
GUARDRAIL = {"guardrail_name": "no_prices", "guardrail_prompt": "Never quote prices."}
RULE = {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}
# Tavus's 429 on a recrawl is its one-hour cooldown, not a rate limit.
COOLDOWN = ("recrawled less than an hour ago", "wait an hour")

CASES: tuple[Case, ...] = (
    # conversations
    Case("conversations.create", lambda t: t.conversations.create(replica_id="r1"), False),
    Case("conversations.get", lambda t: t.conversations.get("c1"), True),
    Case("conversations.list", lambda t: t.conversations.list(), True),
    Case("conversations.iter_all", lambda t: drain(t.conversations.iter_all()), True),
    Case("conversations.end", lambda t: t.conversations.end("c1"), True),
    Case("conversations.delete", lambda t: t.conversations.delete("c1", hard=True), True),
    # personas
    Case(
        "personas.create",
        lambda t: t.personas.create(persona_name="P", system_prompt="Be brief."),
        False,
    ),
    Case("personas.get", lambda t: t.personas.get("p1"), True),
    Case("personas.list", lambda t: t.personas.list(), True),
    Case("personas.iter_all", lambda t: drain(t.personas.iter_all()), True),
    Case(
        "personas.patch",
        lambda t: t.personas.patch("p1", [replace("/persona_name", "Q")]),
        True,
        "replace",
    ),
    Case(
        "personas.patch",
        lambda t: t.personas.patch("p1", [add("/document_ids/-", "d1")]),
        False,
        "append",
    ),
    Case(
        "personas.patch",
        lambda t: t.personas.patch("p1", [remove("/context")]),
        False,
        "remove",
    ),
    Case("personas.delete", lambda t: t.personas.delete("p1"), True),
    # replicas
    Case(
        "replicas.create",
        lambda t: t.replicas.create(train_video_url="https://example.com/train.mp4"),
        False,
    ),
    Case("replicas.get", lambda t: t.replicas.get("r1", verbose=True), True),
    Case("replicas.list", lambda t: t.replicas.list(), True),
    Case("replicas.iter_all", lambda t: drain(t.replicas.iter_all()), True),
    Case("replicas.rename", lambda t: t.replicas.rename("r1", "Anna"), True),
    Case("replicas.delete", lambda t: t.replicas.delete("r1"), True),
    # videos
    Case("videos.generate", lambda t: t.videos.generate(replica_id="r1", script="Hi"), False),
    Case("videos.get", lambda t: t.videos.get("v1"), True),
    Case("videos.list", lambda t: t.videos.list(), True),
    Case("videos.iter_all", lambda t: drain(t.videos.iter_all()), True),
    Case("videos.rename", lambda t: t.videos.rename("v1", "Demo"), True),
    Case("videos.delete", lambda t: t.videos.delete("v1"), True),
    # lipsync
    Case(
        "lipsync.create",
        lambda t: t.lipsync.create(
            original_video_url="https://example.com/v.mp4",
            source_audio_url="https://example.com/a.mp3",
        ),
        False,
    ),
    Case("lipsync.get", lambda t: t.lipsync.get("l1"), True),
    Case("lipsync.list", lambda t: t.lipsync.list(), True),
    Case("lipsync.iter_all", lambda t: drain(t.lipsync.iter_all()), True),
    Case("lipsync.delete", lambda t: t.lipsync.delete("l1"), True),
    # voices
    Case("voices.list", lambda t: t.voices.list(search="anna"), True),
    Case("voices.iter_all", lambda t: drain(t.voices.iter_all()), True),
    # objectives
    Case("objectives.create", lambda t: t.objectives.create([OBJECTIVE]), False),  # type: ignore[list-item]
    Case("objectives.get", lambda t: t.objectives.get("o1"), True),
    Case("objectives.list", lambda t: t.objectives.list(), True),
    Case("objectives.iter_all", lambda t: drain(t.objectives.iter_all()), True),
    Case(
        "objectives.patch",
        lambda t: t.objectives.patch("o1", [replace("/data/0/objective_prompt", "Bye.")]),
        True,
    ),
    Case("objectives.delete", lambda t: t.objectives.delete("o1"), True),
    # guardrails
    Case(
        "guardrails.create",
        lambda t: t.guardrails.create(name="Sales", guardrails=[GUARDRAIL]),  # type: ignore[list-item]
        False,
    ),
    Case("guardrails.get", lambda t: t.guardrails.get("g1"), True),
    Case("guardrails.list", lambda t: t.guardrails.list(), True),
    Case("guardrails.iter_all", lambda t: drain(t.guardrails.iter_all()), True),
    Case(
        "guardrails.patch",
        lambda t: t.guardrails.patch("g1", [replace("/data/0/guardrail_prompt", "No.")]),
        True,
    ),
    Case("guardrails.delete", lambda t: t.guardrails.delete("g1"), True),
    # documents
    Case(
        "documents.create",
        lambda t: t.documents.create(document_url="https://example.com/handbook.pdf"),
        False,
    ),
    Case("documents.get", lambda t: t.documents.get("d1"), True),
    Case("documents.list", lambda t: t.documents.list(tags=["hr"]), True),
    Case("documents.iter_all", lambda t: drain(t.documents.iter_all()), True),
    Case("documents.update", lambda t: t.documents.update("d1", tags=["hr"]), True),
    Case(
        "documents.recrawl",
        lambda t: t.documents.recrawl("d1"),
        False,
        words=dict.fromkeys(("429", "429 with Retry-After"), COOLDOWN),
    ),
    Case("documents.delete", lambda t: t.documents.delete("d1"), True),
    # pronunciation dictionaries
    Case(
        "dictionaries.create",
        lambda t: t.dictionaries.create(name="Brand", rules=[RULE]),  # type: ignore[list-item]
        False,
    ),
    Case("dictionaries.get", lambda t: t.dictionaries.get("pd1"), True),
    Case("dictionaries.list", lambda t: t.dictionaries.list(), True),
    Case("dictionaries.iter_all", lambda t: drain(t.dictionaries.iter_all()), True),
    Case("dictionaries.update", lambda t: t.dictionaries.update("pd1", name="Brand 2"), True),
    Case(
        "dictionaries.patch",
        lambda t: t.dictionaries.patch("pd1", [replace("/name", "Brand 2")]),
        True,
    ),
    Case("dictionaries.delete", lambda t: t.dictionaries.delete("pd1"), True),
)


def client_operations() -> set[str]:
    """`group.method` for every public method of every resource group the client has."""
    client = TavusClient(api_key="introspection", transport=httpx.MockTransport(_never))
    found = set()
    for group_name, group in vars(client).items():
        if not isinstance(group, APIResource):
            continue
        for name, _ in inspect.getmembers(type(group), inspect.isfunction):
            if not name.startswith("_"):
                found.add(f"{group_name}.{name}")
    return found


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("introspection sends nothing")


def test_every_operation_has_a_row() -> None:
    operations = client_operations()
    assert len(operations) > 50  # the introspection itself found the client's groups
    assert {case.operation for case in CASES} == operations


# -- the faults -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    answer: Handler
    error: type[TavusError]
    retryable: bool  # worth another attempt, for a call that may be repeated
    create_outcome_unknown: bool  # Tavus may have acted on a create anyway
    words: tuple[str, ...]  # what the user is told, in part
    retry_after: float | None = None


def _status(code: int, body: dict[str, str], headers: dict[str, str] | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, json=body, headers=headers)

    return handler


def _raise(error: type[httpx.RequestError], text: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error(text, request=request)

    return handler


TROUBLE = ("Tavus is having trouble", "try again")
UNREACHABLE = ("Could not reach Tavus", "having trouble", "Try again")
KEY = ("API key", "TAVUS_API_KEY", "ask whoever set up")

FAULTS: tuple[Fault, ...] = (
    Fault(
        "500",
        _status(500, {"error": "Internal server error"}),
        ServerError,
        retryable=True,
        create_outcome_unknown=False,
        words=("(500)", *TROUBLE),
    ),
    Fault(
        "502",
        _status(502, {"error": "Bad gateway"}),
        ServerError,
        retryable=True,
        create_outcome_unknown=True,  # a gateway error hides whether Tavus acted
        words=("(502)", *TROUBLE),
    ),
    Fault(
        "503",
        _status(503, {"error": "Service unavailable"}),
        ServerError,
        retryable=True,
        create_outcome_unknown=False,
        words=("(503)", *TROUBLE),
    ),
    Fault(
        "timeout",
        _raise(httpx.ReadTimeout, "read timed out"),
        TavusConnectionError,
        retryable=True,
        create_outcome_unknown=True,
        words=("timed out", *UNREACHABLE),
    ),
    Fault(
        "dropped",
        _raise(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
        TavusConnectionError,
        retryable=True,
        create_outcome_unknown=True,
        words=("connection dropped", *UNREACHABLE),
    ),
    Fault(
        "refused",
        _raise(httpx.ConnectError, "connection refused"),
        TavusConnectionError,
        retryable=True,
        create_outcome_unknown=False,  # nothing reached Tavus
        words=("could not connect", *UNREACHABLE),
    ),
    Fault(
        "429 with Retry-After",
        _status(429, {"message": "Too many requests"}, {"Retry-After": "2"}),
        RateLimited,
        retryable=True,
        create_outcome_unknown=False,
        words=("rate limiting", "wait a minute and try again"),
        retry_after=2.0,
    ),
    Fault(
        "429",
        _status(429, {"message": "Too many requests"}),
        RateLimited,
        retryable=True,
        create_outcome_unknown=False,
        words=("rate limiting", "wait a minute and try again"),
    ),
    Fault(
        "402",
        _status(402, {"message": "Insufficient credits"}),
        PaymentRequired,
        retryable=False,
        create_outcome_unknown=False,
        words=("out of credits", "Billing", "https://platform.tavus.io"),
    ),
    Fault(
        "401",
        _status(401, {"message": "Invalid access token"}),
        Unauthorized,
        retryable=False,
        create_outcome_unknown=False,
        words=("did not accept", *KEY),
    ),
    Fault(
        "403",
        _status(403, {"error": "Forbidden"}),
        Unauthorized,
        retryable=False,
        create_outcome_unknown=False,
        words=("refused this app's API key", *KEY),
    ),
)


def _expected_requests(case: Case, fault: Fault) -> int:
    return DEFAULT_MAX_RETRIES + 1 if case.retried and fault.retryable else 1


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_fault_on_operation(
    make_tavus: MakeTavus, sleep: RecordingSleep, case: Case, fault: Fault
) -> None:
    recorder = Recorder(fault.answer)

    with pytest.raises(fault.error) as caught:
        await case.call(make_tavus(recorder))

    error = caught.value
    assert len(recorder.requests) == _expected_requests(case, fault)
    retries = len(recorder.requests) - 1
    assert len(sleep.delays) == retries
    if fault.retry_after is not None:
        assert sleep.delays == [fault.retry_after] * retries  # Tavus's wait, honoured
    else:
        assert all(0 < delay <= MAX_RETRY_DELAY for delay in sleep.delays)
    assert sum(sleep.delays) <= MAX_RETRY_WAIT
    if not case.retried:
        assert error.outcome_unknown is fault.create_outcome_unknown
    for words in case.words.get(fault.name, fault.words):
        assert words in error.user_message, (words, error.user_message)


@pytest.mark.parametrize("case", [c for c in CASES if c.retried], ids=lambda c: c.id)
async def test_the_repeat_of_a_retried_operation_is_the_same_request(
    make_tavus: MakeTavus, case: Case
) -> None:
    """A retry sends the very request that failed: same method, URL and body."""
    recorder = Recorder(_status(503, {"error": "Service unavailable"}), _refuse_after_repeat)

    with pytest.raises(_Repeated):
        await case.call(make_tavus(recorder))

    first, again = recorder.requests[:2]
    assert (again.method, again.url, again.content) == (first.method, first.url, first.content)


class _Repeated(Exception):
    """The repeat reached Tavus: what it got back is another test's business."""


def _refuse_after_repeat(request: httpx.Request) -> httpx.Response:
    raise _Repeated
