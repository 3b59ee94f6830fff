"""List, show, rename and delete replicas: the verbs, and what the shared pieces need."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.blocks import replicas as blocks
from bot.domain import replicas as domain
from bot.events.base import REFRESH_PARENT
from bot.services import Services
from bot.tavus import NotFound, Page, Replica
from handlers.shared.families import CommandRequest, Deletion, Listing, Renaming

logger = logging.getLogger(__name__)


async def handle_show(request: CommandRequest) -> None:
    replica = await request.services.tavus.replicas.get(request.command.words[0], verbose=True)
    text, details = blocks.replica_details(replica)
    await request.say_listing(text, details)


async def fetch_page(
    services: Services, number: int, size: int, replica_type: str | None
) -> Page[Replica]:
    # verbose: the answer then says which replicas are stock ones
    return await services.tavus.replicas.list(
        page=number, limit=size, verbose=True, replica_type=replica_type
    )


async def page_lines(
    services: Services, replicas: Sequence[Replica], viewer: str | None
) -> list[str]:
    return [blocks.replica_line(replica) for replica in replicas]


async def rename_replica(services: Services, replica_id: str, name: str) -> None:
    await services.tavus.replicas.rename(replica_id, name)
    services.choices.forget(domain.READY_CHOICES_KEY)


async def delete_replica(services: Services, replica_id: str, hard: bool) -> None:
    try:
        await services.tavus.replicas.delete(replica_id, hard=hard)
    except NotFound:
        await _forget(services, replica_id)
        raise
    await _forget(services, replica_id)


async def _forget(services: Services, replica_id: str) -> None:
    """Gone from the pickers, and a card still saying "training" says "deleted"."""
    services.choices.forget(domain.READY_CHOICES_KEY)
    store = services.store
    resource = await store.get_resource(kind=domain.KIND, tavus_id=replica_id)
    if resource is None:
        return
    await store.update_resource(resource_id=resource.id, status=domain.DELETED, finished=True)
    await store.enqueue(resource_id=resource.id, drafts=[REFRESH_PARENT])
    services.notifier.wake()


LISTING = Listing(fetch=fetch_page, lines=page_lines, filters=domain.TYPES)
DELETION = Deletion(
    delete=delete_replica,
    consequence="It can no longer be used in conversations.",
    hard_consequence=(
        "Its training footage and other assets are destroyed for good too "
        "(conversations that used it are kept)."
    ),
)
RENAMING = Renaming(rename=rename_replica)
