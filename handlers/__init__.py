"""Slack listeners. Each module exposes ``register(app, services)``; this wires them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers import commands, conversations, home


def register_all(app: AsyncApp, services: Services) -> None:
    routes = {**conversations.COMMAND_ROUTES}
    commands.register(app, services, routes)
    conversations.register(app, services)
    home.register(app, services)
