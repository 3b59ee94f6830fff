"""Filling in the "Train a replica" modal the way Slack submits it, for the handler tests."""

from __future__ import annotations

from typing import Any

from bot.blocks import train_modal as modal
from tests.fakes.signing import API_APP_ID, TEAM_ID, USER_ID, view_submission_payload
from tests.harness import Harness

VIDEO_URL = "https://example.com/training.mp4"
IMAGE_URL = "https://example.com/portrait.png"


def train_values(
    *,
    video: str | None = VIDEO_URL,
    image: str | None = None,
    voice: str | None = None,
    consent: str | None = None,
    name: str | None = "Rio",
    model: str | None = "phoenix-4",
    options: tuple[str, ...] = (),
    channel: str | None = "C123",
) -> dict[str, dict[str, Any]]:
    """`view.state.values` as Slack sends them; None is a field left empty."""

    def typed(block: str, value: str | None) -> dict[str, Any]:
        return {block: {"type": "plain_text_input", "value": value}}

    def chosen(value: str | None) -> dict[str, Any] | None:
        return None if value is None else {"text": {"type": "plain_text"}, "value": value}

    return {
        modal.B_VIDEO: typed(modal.B_VIDEO, video),
        modal.B_IMAGE: typed(modal.B_IMAGE, image),
        modal.B_VOICE: {
            modal.VOICE_ACTION: {"type": "external_select", "selected_option": chosen(voice)}
        },
        modal.B_CONSENT: typed(modal.B_CONSENT, consent),
        modal.B_NAME: typed(modal.B_NAME, name),
        modal.B_MODEL: {modal.B_MODEL: {"type": "static_select", "selected_option": chosen(model)}},
        modal.B_OPTIONS: {
            modal.B_OPTIONS: {
                "type": "checkboxes",
                "selected_options": [{"value": option} for option in options],
            }
        },
        modal.B_CHANNEL: {
            modal.B_CHANNEL: {"type": "conversations_select", "selected_conversation": channel}
        },
    }


async def open_view(running: Harness, channel_id: str | None = "C123") -> str:
    """A modal open in the fake Slack, as `/tavus replica train` leaves one."""
    view = modal.train_modal(channel_id=channel_id)
    opened = await running.app.services.slack.views_open(trigger_id="tr.train", view=view)
    return str(opened["view"]["id"])


async def submit(running: Harness, **fields: Any) -> dict[str, Any]:
    """Submits the form (opened first); returns the ack Slack got."""
    view_id = await open_view(running)
    payload = view_submission_payload(
        modal.CALLBACK_ID, values=train_values(**fields), view_id=view_id
    )
    response = await running.interact(payload)
    assert response.status_code == 200
    return dict(response.json()) if response.content else {}


def suggestion(action_id: str, typed: str, callback_id: str = modal.CALLBACK_ID) -> dict[str, Any]:
    """What Slack sends when a user types in an external select."""
    return {
        "type": "block_suggestion",
        "user": {"id": USER_ID, "team_id": TEAM_ID},
        "team": {"id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "action_id": action_id,
        "block_id": "picker",
        "value": typed,
        "view": {"id": "V1", "callback_id": callback_id, "type": "modal"},
    }
