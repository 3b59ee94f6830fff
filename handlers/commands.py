"""The ``/tavus`` router: acks at once, parses the text, hands over to a resource module."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.text import escape
from bot.grammar import USAGE, Command, UsageError, parse
from bot.services import Services
from bot.tavus import TavusError

logger = logging.getLogger(__name__)

COMMAND = "/tavus"


@dataclass(frozen=True)
class CommandRequest:
    command: Command
    body: Mapping[str, Any]
    respond: AsyncRespond
    services: Services

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    @property
    def team_id(self) -> str:
        return str(self.body.get("team_id") or "")

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id") or "")

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id") or "")

    async def say_privately(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        await self.respond(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )


Route = Callable[[CommandRequest], Awaitable[None]]


def route_key(command: Command) -> str:
    return f"{command.action}:{command.noun}" if command.action == "manage" else command.action


def register(app: AsyncApp, services: Services, routes: Mapping[str, Route]) -> None:
    async def handle_tavus_command(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        parsed = parse(str(body.get("text") or ""))
        if isinstance(parsed, Command) and parsed.action == "help":
            await ack(text=USAGE, response_type="ephemeral")
            return
        if isinstance(parsed, UsageError):
            await ack(text=parsed.render(), response_type="ephemeral")
            return
        route = routes.get(route_key(parsed))
        if route is None:
            await ack(text=_not_here_yet(parsed), response_type="ephemeral")
            return
        await ack()
        request = CommandRequest(command=parsed, body=body, respond=respond, services=services)
        await run_route(route, request)

    app.command(COMMAND)(handle_tavus_command)


async def run_route(route: Route, request: CommandRequest) -> None:
    """Tavus errors are the user's to know about; anything else goes to the app's error handler."""
    try:
        await route(request)
    except TavusError as exc:
        logger.info("Tavus refused %s: %s", route_key(request.command), exc)
        await request.say_privately(f":warning: {escape(exc.user_message)}")


def _not_here_yet(command: Command) -> str:
    what = _UNAVAILABLE.get(command.action, f"Managing {command.noun}s")
    return (
        f"{what} from Slack is not available in this version yet. "
        f"Meanwhile you can use the Tavus dashboard.\n\n{USAGE}"
    )


_UNAVAILABLE = {"video": "Generating videos", "defaults": "Choosing your defaults"}
