"""Slack listeners, wired in one place.

Each resource family (``handlers/conversations``...) is a ``Family``: its `/tavus` verbs and
actions, its listing and deletion, and its own buttons and modals. The shared listeners
(the router, More, Delete) find a family through ``FAMILIES``.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import listing, settings_modal
from bot.services import Services
from handlers import (
    commands,
    conversations,
    defaults,
    dictionaries,
    documents,
    guardrails,
    guards,
    home,
    lipsyncs,
    objectives,
    personas,
    replicas,
    settings,
    shortcuts,
    unfurls,
    videos,
)
from handlers.shared.deletion import handle_delete_button
from handlers.shared.families import Families
from handlers.shared.listing import handle_list_more
from handlers.shared.pickers import register_pickers

FAMILIES = Families.of(
    conversations.FAMILY,
    replicas.FAMILY,
    videos.FAMILY,
    lipsyncs.FAMILY,
    documents.FAMILY,
    dictionaries.FAMILY,
    objectives.FAMILY,
    guardrails.FAMILY,
    personas.FAMILY,
    actions={"settings": settings.handle_settings, "defaults": defaults.handle_defaults},
)


def register_all(app: AsyncApp, services: Services) -> None:
    guards.register(app, services, FAMILIES)
    app.command(commands.COMMAND)(commands.handle_tavus_command)
    app.action(listing.MORE_ACTION)(handle_list_more)
    app.action(listing.DELETE_ACTION)(handle_delete_button)
    register_pickers(app)  # every type-ahead picker, for every family's modals
    for family in FAMILIES.by_kind.values():
        if family.register is not None:
            family.register(app)
    home.register(app)
    defaults.register(app)
    shortcuts.register(app)
    app.view(settings_modal.CALLBACK_ID)(settings.handle_settings_submission)
    app.event("link_shared")(unfurls.handle_link_shared)
