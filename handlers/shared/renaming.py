"""`/tavus <noun> rename <id> <new name>`: the owner or an admin renames it in Tavus."""

from __future__ import annotations

import logging

from bot.blocks.text import code, escape, truncate
from bot.events.base import REFRESH_PARENT
from handlers.shared.families import CommandRequest
from handlers.shared.permissions import refusal

logger = logging.getLogger(__name__)


async def handle_rename(request: CommandRequest) -> None:
    family = request.family
    assert family is not None and family.renaming is not None
    tavus_id, name = request.command.words[0], request.command.text.strip()
    if not name:
        await request.say_privately(
            f"Give the new name after the id: `/tavus {family.kind} rename {tavus_id} New name`."
        )
        return
    if len(name) > family.renaming.max_length:
        await request.say_privately(f"Keep the name under {family.renaming.max_length} characters.")
        return
    services = request.services
    refused = await refusal(
        services, kind=family.kind, tavus_id=tavus_id, user_id=request.user_id, verb="rename"
    )
    if refused:
        await request.say_privately(refused)
        return
    await family.renaming.rename(services, tavus_id, name)
    resource = await services.store.get_resource(kind=family.kind, tavus_id=tavus_id)
    if resource is not None:
        await services.store.update_resource(resource_id=resource.id, name=name)
        await services.store.enqueue(resource_id=resource.id, drafts=[REFRESH_PARENT])
        services.notifier.wake()
    logger.info("user %s renamed %s %s", request.user_id, family.kind, tavus_id)
    await request.say_privately(
        f":pencil2: Renamed {family.kind} {code(tavus_id)} to *{escape(truncate(name, 200))}*."
    )
