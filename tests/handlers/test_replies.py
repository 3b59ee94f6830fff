"""Answers through response_url: refused blocks fall back to text; failures are logged."""

from __future__ import annotations

import pytest
from slack_bolt.context.respond.async_respond import AsyncRespond

from handlers.shared.replies import say_privately
from tests.fakes.slack import FakeSlack


async def test_blocks_slack_refuses_are_sent_again_as_text(slack: FakeSlack) -> None:
    respond = AsyncRespond(response_url=slack.response_url)
    hostile = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]

    await say_privately(respond, "the answer", hostile)

    (answer,) = slack.responses
    assert answer["text"] == "the answer" and not answer.get("blocks")


async def test_a_long_answer_is_split_to_fit(slack: FakeSlack) -> None:
    respond = AsyncRespond(response_url=slack.response_url)
    from bot.blocks import kit

    await say_privately(respond, "long", kit.sections("word " * 5000))

    (answer,) = slack.responses
    slack.assert_nothing_rejected()
    assert len(answer["blocks"]) > 1


async def test_an_unreachable_response_url_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    respond = AsyncRespond(response_url="http://127.0.0.1:9/response/1")

    await say_privately(respond, "nobody hears this")

    assert "could not answer the user" in caplog.text
