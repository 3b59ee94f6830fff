"""Saving an edit form of a set (objectives, guardrails) so that its problems show inline.

Whether the edit may be sent depends on the set as Tavus has it now (it must not have changed
since the form opened), so the set is read before Slack is answered: within
``ANSWER_WITHIN`` seconds (Slack waits three for a submission's answer), a refusal comes back
as an inline error under the form's field, the form and what was typed still there. When
Tavus is slower, Slack is answered with "Saving…" and the outcome is said in the modal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.tavus import TavusError

logger = logging.getLogger(__name__)

ANSWER_WITHIN = 2.0  # seconds; Slack drops an answer after three
SOMETHING_BROKE = "Something went wrong on our side, so nothing was sent; try again."

T = TypeVar("T")
View = dict[str, Any]
Errors = dict[str, str]
Send = Callable[[], Awaitable[View]]  # sends the edit; the view saying how it went


@dataclass(frozen=True)
class _Step:
    """What a submission comes to once the set is read: exactly one is set."""

    errors: Errors | None = None  # inline, under the form's fields
    view: View | None = None  # why nothing is sent
    send: Send | None = None


async def submit_edit(
    ack: AsyncAck,
    client: AsyncWebClient,
    view: Mapping[str, Any],
    *,
    read: Awaitable[T],
    prepare: Callable[[T], Errors | Send],
    saving: View,
    failed: Callable[[str], View],
    within: float = ANSWER_WITHIN,
) -> None:
    """``read``: the set as Tavus has it now; ``prepare``: inline errors by block id (never
    none: return ``send`` then), or what sends the edit; ``failed``: the view that says why
    nothing was saved; ``within``: how long Slack's answer waits for Tavus."""
    reading = asyncio.ensure_future(read)
    done, _ = await asyncio.wait({reading}, timeout=within)
    if not done:  # Slack is answered now; the modal says the rest
        await ack(response_action="update", view=saving)
    step = await _step(reading, prepare, failed)
    if done:
        if step.errors is not None and set(step.errors) <= set(_values(view)):
            await ack(response_action="errors", errors=step.errors)
            return
        if step.errors is not None:  # Slack shows errors only under inputs the form has
            step = _Step(view=failed(next(iter(step.errors.values()))))
        await ack(response_action="update", view=step.view or saving)
        if step.send is None:
            return
    await client.views_update(view_id=str(view["id"]), view=await _outcome(step, failed))


async def _step(
    reading: asyncio.Future[T], prepare: Callable[[T], Errors | Send], failed: Callable[[str], View]
) -> _Step:
    try:
        prepared = prepare(await reading)
    except TavusError as exc:
        return _Step(view=failed(exc.user_message))
    except Exception:
        logger.exception("reading a set to save its edit failed")
        return _Step(view=failed(SOMETHING_BROKE))
    return _Step(errors=prepared) if isinstance(prepared, dict) else _Step(send=prepared)


async def _outcome(step: _Step, failed: Callable[[str], View]) -> View:
    """The view that ends the modal, when Slack was answered with "Saving…"."""
    if step.errors:  # no form left to show them under: the first one says it
        return failed(next(iter(step.errors.values())))
    if step.send is None:
        return step.view or failed(SOMETHING_BROKE)
    try:
        return await step.send()
    except Exception:
        logger.exception("saving an edit of a set failed")
        return failed(SOMETHING_BROKE)


def _values(view: Mapping[str, Any]) -> Mapping[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def first_input(view: Mapping[str, Any]) -> str:
    """The block id of the form's first input, where an error about the whole form goes
    (in the order the form shows them, which Slack's submitted values keep)."""
    blocks = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    present = _values(view)
    return next((str(b) for b in (*blocks, *present) if b in present), "")
