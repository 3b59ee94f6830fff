"""What a Slack user is told when Tavus fails, for one command of every family.

The real app runs between the fake Slack and the Tavus sandbox; the sandbox's fault injection
answers the family's requests with an error, or drops them. Faults that the client retries
carry `Retry-After: 0` here, so the retries cost no time; the backoff without one is tested
once (`test_a_rate_limit_without_retry_after_is_retried_with_backoff_then_told`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID, Fault
from bot.tavus._constants import DEFAULT_MAX_RETRIES
from tests.harness import Harness, Sandbox, app_world

ATTEMPTS = DEFAULT_MAX_RETRIES + 1


@dataclass(frozen=True)
class Family:
    listing: str  # the command that lists the family
    path: str  # the Tavus route it reads


FAMILIES = (
    Family("conversations", "/v2/conversations"),
    Family("personas", "/v2/personas"),
    Family("replicas", "/v2/replicas"),
    Family("videos", "/v2/videos"),
    Family("voices", "/v2/voices"),
    Family("lipsyncs", "/v2/lipsync"),
    Family("objectives", "/v2/objectives"),
    Family("guardrails", "/v2/guardrails"),
    Family("documents", "/v2/documents"),
    Family("dictionaries", "/v2/pronunciation-dictionaries"),
)


@dataclass(frozen=True)
class Told:
    """A fault, the words the user must get, and whether the request was tried again."""

    name: str
    status: int
    words: tuple[str, ...]
    retried: bool
    retry_after: float | None = None


CREDITS = ("out of credits", "Billing page of the Tavus Developer Portal", "platform.tavus.io")
KEY = ("this app's API key", "ask whoever set up Tavus for Slack", "TAVUS_API_KEY")
TROUBLE = ("Tavus is having trouble; try again in a minute",)
FAULTS = (
    Told("402", 402, ("Insufficient credits (402)", *CREDITS), retried=False),
    Told("401", 401, ("(401)", "did not accept", *KEY), retried=False),
    Told("403", 403, ("(403)", "refused", *KEY), retried=False),
    Told("429", 429, ("(429)", "rate limiting", "wait a minute"), retried=True, retry_after=0),
    Told("500", 500, ("(500)", *TROUBLE), retried=True, retry_after=0),
    Told("502", 502, ("(502)", *TROUBLE), retried=True, retry_after=0),
    Told("503", 503, ("(503)", *TROUBLE), retried=True, retry_after=0),
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, called_back=True) as (h, sandbox):
        yield h, sandbox


async def answer_to(running: Harness, command: str) -> str:
    """The one ephemeral answer the command sends through its response_url."""
    before = len(running.slack.responses)
    response = await running.command(command)
    assert response.status_code == 200
    answers = await running.slack.wait_for_response(count=before + 1, timeout=15)
    assert len(answers) == before + 1
    return str(answers[-1]["text"])


def sent(sandbox: Sandbox, method: str, path: str) -> int:
    return sum(r.method == method and r.path.startswith(path) for r in sandbox.state.requests)


def assert_says(text: str, words: tuple[str, ...]) -> None:
    for part in words:
        assert part in text, (part, text)


@pytest.mark.parametrize("told", FAULTS, ids=[t.name for t in FAULTS])
async def test_every_family_listing_says_what_a_fault_means(
    world: tuple[Harness, Sandbox], told: Told
) -> None:
    running, sandbox = world
    for family in FAMILIES:
        sandbox.state.faults.add(
            Fault("GET", family.path, told.status, retry_after=told.retry_after, times=None)
        )
        sandbox.state.requests.clear()

        text = await answer_to(running, family.listing)

        assert text.startswith(":warning: Tavus says:"), (family.listing, text)
        assert_says(text, told.words)
        assert sent(sandbox, "GET", family.path) == (ATTEMPTS if told.retried else 1)
        sandbox.state.faults.clear()
    running.slack.assert_nothing_rejected()


async def test_an_outage_that_passes_within_the_retries_is_not_seen(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.fail("GET", "/v2/personas", 503, retry_after=0, times=DEFAULT_MAX_RETRIES)

    text = await answer_to(running, "personas")

    assert text.startswith("*Tavus personas*"), text
    assert sent(sandbox, "GET", "/v2/personas") == ATTEMPTS


async def test_a_dropped_connection_on_a_listing_is_retried_then_told(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.drop("GET", "/v2/voices", times=None)

    text = await answer_to(running, "voices")

    assert_says(text, ("Could not reach Tavus (the connection dropped)", "having trouble"))
    assert "Try again in a minute" in text
    assert sent(sandbox, "GET", "/v2/voices") == ATTEMPTS


async def test_a_rate_limit_without_retry_after_is_retried_with_backoff_then_told(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.fail("GET", "/v2/documents", 429, times=None)

    text = await answer_to(running, "documents")

    assert_says(text, ("(429)", "rate limiting", "wait a minute and try again"))
    assert sent(sandbox, "GET", "/v2/documents") == ATTEMPTS


async def test_a_long_retry_after_is_not_waited_out_but_told(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.fail("GET", "/v2/replicas", 429, retry_after=600, times=None)

    text = await answer_to(running, "replicas")

    assert_says(text, ("rate limiting", "wait about 10 minutes"))
    assert sent(sandbox, "GET", "/v2/replicas") == 1


# -- creates: never sent twice; refused, or outcome unknown ---------------------------------


@dataclass(frozen=True)
class Create:
    name: str
    command: str
    path: str
    fault: Fault
    words: tuple[str, ...]


UNKNOWN = ("may have started anyway", "before trying again")
CREATES = (
    Create(
        "call, 503",
        f"call {SEED_PERSONA_ID}",
        "/v2/conversations",
        Fault("POST", "/v2/conversations", 503, retry_after=0, times=None),
        ("(503)", *TROUBLE),
    ),
    Create(
        "call, 429",
        f"call {SEED_PERSONA_ID}",
        "/v2/conversations",
        Fault("POST", "/v2/conversations", 429, retry_after=0, times=None),
        ("(429)", "rate limiting", "wait a minute"),
    ),
    Create(
        "video, dropped",
        f"video {SEED_REPLICA_ID} Hello there",
        "/v2/videos",
        Fault("POST", "/v2/videos", drop="before", times=None),
        (*UNKNOWN, "`/tavus videos`"),
    ),
    Create(
        "lipsync, 401",
        "lipsync https://example.com/v.mp4 https://example.com/a.mp3",
        "/v2/lipsync",
        Fault("POST", "/v2/lipsync", 401, times=None),
        ("(401)", *KEY),
    ),
    Create(
        "document, 402",
        "document add https://example.com/handbook.pdf",
        "/v2/documents",
        Fault("POST", "/v2/documents", 402, times=None),
        ("(402)", *CREDITS),
    ),
    Create(
        "document, 502",
        "document add https://example.com/handbook.pdf",
        "/v2/documents",
        Fault("POST", "/v2/documents", 502, retry_after=0, times=None),
        (*UNKNOWN, "`/tavus documents`"),
    ),
)


@pytest.mark.parametrize("create", CREATES, ids=[c.name for c in CREATES])
async def test_a_failed_create_is_sent_once_and_told(
    world: tuple[Harness, Sandbox], create: Create
) -> None:
    running, sandbox = world
    sandbox.state.faults.add(create.fault)

    text = await answer_to(running, create.command)

    assert text.startswith(":warning:"), text
    assert_says(text, create.words)
    assert sent(sandbox, "POST", create.path) == 1
    assert running.slack.messages() == []  # no card for a job that did not start
