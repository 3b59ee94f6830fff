"""The /tavus router: every advertised verb routes, and every refusal says what to do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channel_settings import ALWAYS_ALLOWED, SUBCOMMANDS
from bot.domain.nouns import BY_KIND, NOUNS
from bot.grammar import ACTIONS, Command, parse
from handlers import FAMILIES
from handlers.commands import resolve, subcommand_of
from tests.harness import Harness, app_world


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    async with app_world(tmp_path) as (h, sandbox):
        yield h


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("conversation rename c123456 New name", "Conversations cannot be renamed from Slack"),
        ("conversation edit c123456", "Conversations cannot be edited from Slack"),
    ],
)
async def test_a_verb_a_noun_does_not_have_says_which_it_has(
    running: Harness, text: str, words: str
) -> None:
    answer = (await running.command(text)).json()["text"]
    assert words in answer
    assert "`/tavus conversation end`" in answer


@pytest.mark.parametrize("noun", [noun.kind for noun in NOUNS])
def test_every_noun_the_grammar_knows_has_a_family(noun: str) -> None:
    parsed = parse(BY_KIND[noun].plural)
    assert isinstance(parsed, Command)
    assert not isinstance(resolve(parsed, FAMILIES), str)


@pytest.mark.parametrize(
    "text",
    [
        *[BY_KIND[noun.kind].plural for noun in NOUNS],
        *[f"{noun.kind} show {noun.id_example}" for noun in NOUNS],
        *[a for a in ACTIONS if a != "end"],
        "end c123456",
    ],
)
def test_every_command_is_one_a_channel_can_allow(text: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Command)
    assert subcommand_of(parsed) in SUBCOMMANDS + tuple(ALWAYS_ALLOWED)


@pytest.mark.parametrize("action", [a for a in ACTIONS if a not in ("help", "end")])
def test_every_action_the_grammar_knows_is_routed(action: str) -> None:
    parsed = parse(action)
    assert isinstance(parsed, Command)
    assert not isinstance(resolve(parsed, FAMILIES), str)


async def test_conversations_end_routes_like_end(running: Harness) -> None:
    await running.command("conversations end c123456")
    (answer,) = await running.slack.wait_for_response()
    assert "Only an admin can end `c123456`" in answer["text"]


async def test_a_malformed_id_gets_usage_not_a_stack_trace(
    running: Harness, caplog: object
) -> None:
    response = await running.command("end c/../../etc")
    assert response.status_code == 200
    assert "is not a conversation id" in response.json()["text"]


@pytest.mark.parametrize("noun", ["conversation", "video", "lipsync"])
async def test_new_opens_the_form(running: Harness, noun: str) -> None:
    await running.command(f"{noun} new")
    (opened,) = await running.slack.wait_for("views.open")
    assert opened.args["view"]["type"] == "modal"
