"""Conversations: start them, end them, list and delete them."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.commands import Route
from handlers.conversations import manage, start

COMMAND_ROUTES: dict[str, Route] = {
    "call": start.handle_call,
    "end": manage.handle_end,
    "manage:conversation": manage.handle_manage,
}


def register(app: AsyncApp, services: Services) -> None:
    start.register(app, services)
    manage.register(app, services)
