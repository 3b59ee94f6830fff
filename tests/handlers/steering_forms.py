"""The objectives and guardrails forms driven the way Slack drives them, for handler tests."""

from __future__ import annotations

from typing import Any

from tests.blocks.form_values import submitted
from tests.fakes.signing import block_action_payload, view_submission_payload
from tests.harness import Harness

View = dict[str, Any]


async def form_opened_by(
    running: Harness, text: str, *, filled_later: bool = False, **fields: Any
) -> tuple[str, View]:
    """Runs `/tavus <text>`, and keeps the form it opened open in the fake Slack (under an
    id of its own): (view id, view). ``filled_later``: the form opens as a loading view that
    an update fills in (an edit form waits for Tavus)."""
    opens = len(running.slack.calls_to("views.open"))
    updates = len(running.slack.calls_to("views.update"))
    await running.command(text, **fields)
    calls = await running.slack.wait_for("views.open", count=opens + 1)
    if filled_later:
        calls = await running.slack.wait_for("views.update", count=updates + 1)
    view = calls[-1].args["view"]
    opened = await running.app.services.slack.views_open(trigger_id="tr.form", view=view)
    return str(opened["view"]["id"]), view


async def click_add(
    running: Harness, view_id: str, view: View, action_id: str, **typed: str | None
) -> View:
    """Clicks "Add ..." in the form after typing ``typed``; returns the form redrawn."""
    before = len(running.slack.calls_to("views.update"))
    state = {"values": submitted(view, **typed)}
    shown = {**view, "id": view_id, "hash": "h", "state": state}
    payload = block_action_payload(action_id, value="1", view=shown)
    response = await running.interact(payload)
    assert response.status_code == 200
    calls = await running.slack.wait_for("views.update", count=before + 1)
    return dict(calls[-1].args["view"])


async def submit_form(
    running: Harness, view_id: str, view: View, *, user_id: str = "U123", **typed: str | None
) -> dict[str, Any]:
    """Submits the form as shown, with ``typed`` typed into it; returns Slack's ack."""
    payload = view_submission_payload(
        view["callback_id"],
        values=submitted(view, **typed),
        private_metadata=view.get("private_metadata", ""),
        view_id=view_id,
        user_id=user_id,
    )
    response = await running.interact(payload)
    assert response.status_code == 200
    return dict(response.json()) if response.content else {}
