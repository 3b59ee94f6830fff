"""Slack listeners, wired in one place.

Each resource family (``handlers/conversations``...) is a ``Family``: its `/tavus` verbs and
actions, its listing and deletion, and its own buttons and modals. The shared listeners
(the router, More, Delete) find a family through ``FAMILIES``.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import listing
from bot.services import Services
from handlers import (
    commands,
    conversations,
    guards,
    home,
    lipsyncs,
    replicas,
    shortcuts,
    videos,
)
from handlers.shared.deletion import handle_delete_button
from handlers.shared.families import Families
from handlers.shared.listing import handle_list_more

FAMILIES = Families.of(conversations.FAMILY, replicas.FAMILY, videos.FAMILY, lipsyncs.FAMILY)


def register_all(app: AsyncApp, services: Services) -> None:
    guards.register(app, services, FAMILIES)
    app.command(commands.COMMAND)(commands.handle_tavus_command)
    app.action(listing.MORE_ACTION)(handle_list_more)
    app.action(listing.DELETE_ACTION)(handle_delete_button)
    for family in FAMILIES.by_kind.values():
        if family.register is not None:
            family.register(app)
    home.register(app)
    shortcuts.register(app)
