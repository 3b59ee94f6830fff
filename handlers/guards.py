"""What every Slack request passes before a listener sees it.

- The services (and the families, for the shared listeners) go into Bolt's context, so
  listeners take ``services`` like any other argument.
- A payload missing what every listener relies on (who sent it, which button) is logged and
  answered 200 before Bolt touches it (``GuardedApp``): Slack gets its ack, nobody a traceback.
- A replayed request (the same ``trigger_id`` or ``event_id``, e.g. Slack's retry after a
  slow ack) runs once: a second `/tavus call` must not start a second, billed call.
- A guest (or someone Slack cannot confirm just now) may look but not act: a button that
  changes something, a shortcut, or a submitted form is refused here, with the reason (a
  form shows it in its own place, the way Slack lets a form be answered).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.blocks.conversations import JOIN_ACTION
from bot.blocks.listing import MORE_ACTION
from bot.blocks.start_modal import message_view
from bot.blocks.text import as_text
from bot.services import Services
from handlers.shared.families import Families
from handlers.shared.replies import CANNOT_SAVE
from storage import is_storage_fault

logger = logging.getLogger(__name__)

# What a guest may still click: it changes nothing.
READ_ONLY_ACTIONS = frozenset({MORE_ACTION, JOIN_ACTION})
_FROM_A_USER = ("block_actions", "view_submission", "view_closed", "shortcut", "message_action")
# Slack retries for about half an hour at most; a day covers every replay worth refusing.
REPLAY_WINDOW_SECONDS = 24 * 3600


class GuardedApp(AsyncApp):
    """Bolt's own argument builders index into a payload before any middleware can look
    (``body["actions"][0]``), so the shape check runs before Bolt dispatches at all, in HTTP
    and Socket Mode alike."""

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        problem = shape_problem(req.body)
        if problem is not None:
            logger.warning("ignored a Slack request: %s", problem)
            return BoltResponse(status=200, body="")
        req.body = valid_unicode(req.body)
        return await super().async_dispatch(req)


def register(app: AsyncApp, services: Services, families: Families) -> None:
    async def guard(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        context["services"] = services
        context["families"] = families
        return await guard_request(body, services, next)

    app.middleware(guard)


async def guard_request(
    body: Mapping[str, Any], services: Services, next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    key = replay_key(body)
    try:
        first = key is None or await services.store.first_sighting(
            key=key, keep_seconds=REPLAY_WINDOW_SECONDS
        )
    except Exception as exc:
        if not is_storage_fault(exc):
            raise
        # Without the replay record a retry could run twice: nothing runs. An event is
        # answered 503 so that Slack sends it again; a person is told (the store logged why).
        logger.info("refused a Slack request during a storage fault")
        if body.get("type") == "event_callback":
            return BoltResponse(status=503, body="")
        return await _refuse(body, services, CANNOT_SAVE)
    if not first:
        assert key is not None
        logger.info("ignored a replayed Slack request (%s)", key.split(":", 1)[0])
        return BoltResponse(status=200, body="")
    refused = await _refusal_to_act(body, services)
    if refused is not None:
        return await _refuse(body, services, refused)
    await next()
    return None


async def _refusal_to_act(body: Mapping[str, Any], services: Services) -> str | None:
    """Guests may look (More, Join) but not act (buttons that change things, shortcuts, and
    forms: each one creates or changes something)."""
    kind = body.get("type")
    if kind == "block_actions":
        if str(body["actions"][0].get("action_id")) in READ_ONLY_ACTIONS:
            return None
    elif kind not in ("shortcut", "message_action", "view_submission"):
        return None
    return await services.access.refusal_to_act(str(body["user"]["id"]))


async def _refuse(body: Mapping[str, Any], services: Services, words: str) -> BoltResponse:
    """Slack's answer to a request that will not run: a submitted form is replaced by a view
    saying why (its answer is the only place for it); anything else is acked and told."""
    logger.info("refused a %s: %s", body.get("type"), words[:40])
    if body.get("type") == "view_submission":
        answer = {"response_action": "update", "view": message_view("Tavus", words)}
        headers: dict[str, str | Sequence[str]] = {"content-type": "application/json"}
        return BoltResponse(status=200, body=json.dumps(answer), headers=headers)
    await _tell(body, services, words)
    return BoltResponse(status=200, body="")


async def _tell(body: Mapping[str, Any], services: Services, refusal: str) -> None:
    response_url = body.get("response_url")
    trigger_id = body.get("trigger_id")
    try:
        if isinstance(response_url, str) and response_url:
            await AsyncWebhookClient(response_url).send(
                text=refusal, response_type="ephemeral", replace_original=False
            )
        elif isinstance(trigger_id, str) and trigger_id:
            view = message_view("Tavus", refusal)
            await services.slack.views_open(trigger_id=trigger_id, view=view)
    except Exception as exc:  # noqa: BLE001 - the refusal stands; only its telling failed
        logger.warning("could not say why: %r", exc)


def shape_problem(body: Mapping[str, Any]) -> str | None:
    """Why no listener could act on this body, or None when it has what they need."""
    if "command" in body:
        return None if _text(body.get("user_id")) else "a slash command without user_id"
    kind = body.get("type")
    if kind in _FROM_A_USER and not _text(_mapping(body.get("user")).get("id")):
        return f"a {kind} payload without user.id"
    if kind == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else None
        if not isinstance(first, Mapping) or not _text(first.get("action_id")):
            return "a block_actions payload without an action"
    view = _mapping(body.get("view"))
    if kind == "view_submission" and not (
        isinstance(_mapping(view.get("state")).get("values"), Mapping) and _text(view.get("type"))
    ):
        return "a view_submission payload without view.type or view.state.values"
    if kind == "event_callback" and not isinstance(body.get("event"), Mapping):
        return "an event_callback without its event"
    for key in ("team_id", "trigger_id"):
        if key in body and not isinstance(body[key], str):
            return f"a payload whose {key} is not text"
    return None


def valid_unicode(value: Any) -> Any:
    """The payload with unpaired surrogates replaced: JSON's "\\ud800" decodes to text that
    UTF-8 cannot encode, and a listener passing typed text on to Tavus would fail on it."""
    if isinstance(value, str):
        return as_text(value)
    if isinstance(value, dict):
        return {valid_unicode(key): valid_unicode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [valid_unicode(item) for item in value]
    return value


def replay_key(body: Mapping[str, Any]) -> str | None:
    """What makes this request the same request when it comes again."""
    if body.get("type") == "event_callback" and _text(body.get("event_id")):
        return f"event:{body['event_id']}"
    trigger = body.get("trigger_id")
    if _text(trigger) and body.get("type") != "block_suggestion":
        return f"trigger:{trigger}"
    return None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
