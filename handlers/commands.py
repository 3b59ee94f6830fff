"""The ``/tavus`` router: acks at once, parses the text, hands over to a family's route."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot import channel_settings
from bot.domain.nouns import BY_KIND
from bot.grammar import USAGE, Command, UsageError, parse
from bot.jobs import NotAllowedHere, OutcomeUnknown
from bot.services import Services
from bot.tavus import TavusError
from handlers.shared.families import CommandRequest, Families, Family, Route
from handlers.shared.replies import say_privately, tavus_refused

logger = logging.getLogger(__name__)

COMMAND = "/tavus"
READ_ONLY_VERBS = frozenset({"list", "show"})
_PARTICIPLES = {
    "list": "listed",
    "show": "shown",
    "new": "created",
    "edit": "edited",
    "rename": "renamed",
    "delete": "deleted",
    "end": "ended",
    "add": "added",
    "train": "trained",
    "recrawl": "recrawled",
}


async def handle_tavus_command(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    services: Services,
    families: Families,
) -> None:
    parsed = parse(str(body.get("text") or ""))
    if isinstance(parsed, UsageError):
        await ack(text=parsed.render(), response_type="ephemeral")
        return
    if parsed.action == "help":
        await ack(text=USAGE, response_type="ephemeral")
        return
    found = resolve(parsed, families)
    if isinstance(found, str):
        await ack(text=found, response_type="ephemeral")
        return
    here = await channel_settings.load(
        services.store,
        team_id=str(body.get("team_id") or ""),
        channel_id=str(body.get("channel_id") or ""),
    )
    subcommand = subcommand_of(parsed)
    if not here.allows(subcommand):
        await ack(
            text=channel_settings.NOT_HERE.format(subcommand=subcommand), response_type="ephemeral"
        )
        return
    await ack()  # before asking Slack who the user is: that may take longer than Slack waits
    if not read_only(parsed):
        refused = await services.access.refusal_to_act(str(body["user_id"]))
        if refused is not None:
            await say_privately(respond, refused)
            return
    family, route = found
    request = CommandRequest(
        command=parsed,
        body=body,
        respond=respond,
        services=services,
        family=family,
        public_listings=here.listings == channel_settings.PUBLIC,
    )
    await run_route(route, request)


def subcommand_of(command: Command) -> str:
    """The word a channel's settings allow or not: `call`, `end`, `videos`..."""
    if command.action != "manage":
        return command.action
    if command.verb == "end":
        return "end"
    return BY_KIND[command.noun or ""].plural


def read_only(command: Command) -> bool:
    """What a guest may do: look."""
    if command.action == "manage":
        return command.verb in READ_ONLY_VERBS
    return command.action in ("help", "voices")


def resolve(command: Command, families: Families) -> tuple[Family | None, Route] | str:
    """The family and route for a command, or why there is none."""
    if command.action != "manage":
        found = families.action(command.action)
        return found if found is not None else _not_here_yet(command)
    family = families.get(command.noun)
    if family is None:
        return _not_here_yet(command)
    route = family.verbs.get(command.verb or "list")
    if route is None:
        return _cannot(family, command.verb or "list")
    return family, route


async def run_route(route: Route, request: CommandRequest) -> None:
    """Tavus errors are the user's to know about; anything else goes to the app's error handler."""
    try:
        await route(request)
    except (TavusError, OutcomeUnknown, NotAllowedHere) as exc:
        logger.info("%s %s: %s", request.command.action, request.command.verb or "", exc)
        if isinstance(exc, TavusError):
            await request.say_privately(tavus_refused(exc))
        else:
            await request.say_privately(f":warning: {exc.user_message}")


def _cannot(family: Family, verb: str) -> str:
    noun = BY_KIND[family.kind]
    can = ", ".join(f"`/tavus {noun.kind} {v}`" for v in family.verbs)
    done = _PARTICIPLES.get(verb, verb)
    return f"{noun.plural.capitalize()} cannot be {done} from Slack. You can use {can}."


def _not_here_yet(command: Command) -> str:
    noun = BY_KIND.get(command.noun or "")
    what = f"Managing {noun.plural if noun else 'that'}"
    return (
        f"{what} from Slack is not available in this version yet. "
        f"Meanwhile you can use the Tavus dashboard.\n\n{USAGE}"
    )
