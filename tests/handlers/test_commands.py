"""The /tavus router: every advertised verb routes, and every refusal says what to do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.slack import FakeSlack
from tests.harness import Harness, app_settings, harness, tavus_sandbox


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as h:
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


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("documents", "Managing documents from Slack is not available"),
        ("personas", "Managing personas from Slack is not available"),
        ("defaults", "Choosing your defaults from Slack is not available"),
    ],
)
async def test_what_is_not_built_yet_says_so(running: Harness, text: str, words: str) -> None:
    assert words in (await running.command(text)).json()["text"]


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
