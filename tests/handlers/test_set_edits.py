"""handlers.shared.submitting: how an edit of a set answers Slack, Tavus fast or slow."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.tavus import NotFound
from handlers.shared.submitting import Errors, Send, first_input, submit_edit

SAVING = {"type": "modal", "title": "Saving"}
FORM = {"id": "V1", "state": {"values": {"name": {}, "prompt": {}}}}


def failed(reason: str) -> dict[str, Any]:
    return {"type": "modal", "failed": reason}


class Recorder:
    """Slack's side: what the submission was answered with, and the modal's updates."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.answered = asyncio.Event()

    async def __call__(self, **answer: Any) -> None:  # the ack
        self.acks.append(answer)
        self.answered.set()

    async def views_update(self, **call: Any) -> dict[str, Any]:
        self.updates.append(call)
        return {"ok": True}


async def run(read: Any, prepare: Any, *, within: float = 2.0) -> Recorder:
    """``read``: called with Slack's side, it reads the set."""
    slack = Recorder()
    await submit_edit(
        slack,  # type: ignore[arg-type]
        slack,  # type: ignore[arg-type]
        FORM,
        read=read(slack),
        prepare=prepare,
        saving=SAVING,
        failed=failed,
        within=within,
    )
    return slack


async def the_set(slack: Recorder) -> str:
    return "the set"


async def the_set_once_slack_is_answered(slack: Recorder) -> str:
    await slack.answered.wait()  # Tavus answers only after Slack had to be
    return "the set"


def sends(view: dict[str, Any]) -> Any:
    def prepare(found: str) -> Errors | Send:
        async def send() -> dict[str, Any]:
            return {**view, "found": found}

        return send

    return prepare


async def test_a_refusal_in_time_is_an_inline_error_and_nothing_else() -> None:
    slack = await run(the_set, lambda found: {"name": "It changed in Tavus."})

    assert slack.acks == [{"response_action": "errors", "errors": {"name": "It changed in Tavus."}}]
    assert slack.updates == []


async def test_a_save_in_time_says_saving_then_the_outcome() -> None:
    slack = await run(the_set, sends({"type": "modal", "title": "Saved"}))

    assert slack.acks == [{"response_action": "update", "view": SAVING}]
    assert slack.updates == [
        {"view_id": "V1", "view": {"type": "modal", "title": "Saved", "found": "the set"}}
    ]


async def test_when_tavus_is_slow_slack_is_answered_first_and_the_modal_says_the_rest() -> None:
    slow = the_set_once_slack_is_answered
    refused = await run(slow, lambda found: {"name": "It changed."}, within=0)
    saved = await run(slow, sends({"type": "modal", "title": "Saved"}), within=0)

    for slack in (refused, saved):
        assert slack.acks == [{"response_action": "update", "view": SAVING}]
    assert refused.updates == [{"view_id": "V1", "view": failed("It changed.")}]
    assert saved.updates[0]["view"]["title"] == "Saved"


async def test_an_error_for_a_field_the_form_does_not_hold_is_said_in_the_modal() -> None:
    slack = await run(the_set, lambda found: {"branches": "No objective named x."})

    assert slack.acks == [{"response_action": "update", "view": failed("No objective named x.")}]


async def test_a_set_tavus_cannot_give_is_said_and_nothing_is_sent() -> None:
    async def gone(slack: Recorder) -> str:
        raise NotFound(404, "Objective not found")

    slack = await run(gone, sends({"type": "modal"}))

    (ack,) = slack.acks
    assert ack["response_action"] == "update" and "Objective not found" in ack["view"]["failed"]
    assert slack.updates == []


def test_an_error_about_the_whole_form_goes_under_its_first_input() -> None:
    blocks = [{"type": "context"}, {"type": "input", "block_id": "prompt"}]

    assert first_input({**FORM, "blocks": blocks}) == "prompt"
    assert first_input(FORM) == "name"  # no blocks sent: the values keep the form's order
    assert first_input({"state": {"values": {}}}) == ""
