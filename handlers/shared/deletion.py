"""`/tavus <noun> delete <id>`: ask first, then delete on the owner's or an admin's click."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import listing as blocks
from bot.blocks.text import code
from bot.services import Services
from bot.tavus import NotFound, TavusError
from handlers.shared.families import CommandRequest, Families, Family
from handlers.shared.permissions import refusal
from handlers.shared.replies import say_privately, tavus_refused

logger = logging.getLogger(__name__)


async def ask_delete(request: CommandRequest) -> None:
    family = request.family
    assert family is not None and family.deletion is not None
    deletion = family.deletion
    tavus_id = request.command.words[0]
    hard = "--hard" in request.command.flags
    if hard and deletion.hard_consequence is None:
        await request.say_privately(f"A {family.kind} has no hard delete: leave out `--hard`.")
        return
    refused = await refusal(
        request.services,
        kind=family.kind,
        tavus_id=tavus_id,
        user_id=request.user_id,
        verb="delete",
    )
    if refused:
        await request.say_privately(refused)
        return
    consequence = deletion.consequence
    if hard:
        consequence = f"{consequence} {deletion.hard_consequence} This cannot be undone."
    text, confirm = blocks.delete_confirmation(family.kind, tavus_id, consequence, hard=hard)
    await request.say_privately(text, confirm)


async def handle_delete_button(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    services: Services,
    families: Families,
) -> None:
    await ack()
    parsed = blocks.parse_delete_value(str(body["actions"][0].get("value") or ""))
    family = families.get(parsed[0]) if parsed else None
    if parsed is None or family is None or family.deletion is None:
        logger.warning("a Delete button carried a value no family knows")
        return
    kind, tavus_id, hard = parsed
    text = await delete_as(services, family, tavus_id, hard=hard, user_id=body["user"]["id"])
    await say_privately(respond, text, replace=True)


async def delete_as(
    services: Services, family: Family, tavus_id: str, *, hard: bool, user_id: str
) -> str:
    """Deletes for ``user_id`` if they may: what happened, in words for them."""
    deletion = family.deletion
    kind = family.kind
    if deletion is None or (hard and deletion.hard_consequence is None):
        return f"A {kind} cannot be deleted that way from Slack."
    refused = await refusal(services, kind=kind, tavus_id=tavus_id, user_id=user_id, verb="delete")
    if refused:
        return refused
    try:
        await deletion.delete(services, tavus_id, hard)
    except NotFound:
        pass  # already gone: what the user wanted
    except TavusError as exc:
        return tavus_refused(exc)
    resource = await services.store.get_resource(kind=kind, tavus_id=tavus_id)
    if resource is not None:
        await services.store.update_resource(
            resource_id=resource.id, status="deleted", finished=True
        )
    logger.info("user %s deleted %s %s%s", user_id, kind, tavus_id, " (hard)" if hard else "")
    how = "Permanently deleted" if hard else "Deleted"
    return f":wastebasket: {how} {kind} {code(tavus_id)}."
