"""Build and sign request bodies the way Slack sends them to the app's HTTP route."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0001"
USER_ID = "U123"
CHANNEL_ID = "C123"
API_APP_ID = "A0001"
TRIGGER_ID = "tr.1"
_triggers = itertools.count(1)


def new_trigger_id() -> str:
    """Slack gives every request its own trigger_id; the app runs a repeated one once."""
    return f"{next(_triggers)}.{time.time_ns()}.trigger"


RESPONSE_URL = "https://hooks.slack.com/commands/T0001/1/abc"
MESSAGE_TS = "1700000000.000100"


def signed_headers(
    secret: str,
    body: str,
    *,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


def slash_command_body(
    text: str,
    *,
    command: str = "/tavus",
    user_id: str = USER_ID,
    channel_id: str = CHANNEL_ID,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str = RESPONSE_URL,
) -> str:
    return urlencode(
        {
            "token": "verification-token",
            "team_id": team_id,
            "team_domain": "fake",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": f"user-{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def event_body(event: dict[str, Any], *, team_id: str = TEAM_ID) -> str:
    """An Events API delivery (JSON, unlike commands and interactions)."""
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": team_id,
            "api_app_id": API_APP_ID,
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": event,
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": f"user-{user_id.lower()}", "team_id": team_id}


def block_action_payload(
    action_id: str,
    *,
    value: str = "",
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    message_ts: str = MESSAGE_TS,
    trigger_id: str | None = None,
    response_url: str = RESPONSE_URL,
    view: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A `block_actions` payload: a click in a message, or in `view` (a modal) when given."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "team": {"id": team_id, "domain": "fake"},
        "api_app_id": API_APP_ID,
        "trigger_id": trigger_id or new_trigger_id(),
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "type": action_type,
                "action_ts": message_ts,
            }
        ],
        "response_url": response_url,
    }
    if view is not None:
        for key in ("channel", "message", "response_url"):
            del payload[key]
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = view
    return payload


def view_submission_payload(
    callback_id: str,
    *,
    values: dict[str, dict[str, dict[str, Any]]] | None = None,
    private_metadata: str = "",
    view_id: str = "V00000001",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A `view_submission` payload; `values` is `{block_id: {action_id: {type, value...}}}`."""
    return {
        "type": "view_submission",
        "user": _user(user_id, team_id),
        "team": {"id": team_id, "domain": "fake"},
        "api_app_id": API_APP_ID,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values or {}},
            "hash": "1700000000.hash",
        },
        "response_urls": [],
    }
