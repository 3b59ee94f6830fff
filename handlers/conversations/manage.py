"""End, list, show and delete conversations: commands and their buttons."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import conversation_lists as lists
from bot.blocks.conversations import END_CALL_ACTION, JOIN_ACTION
from bot.blocks.text import code, escape
from bot.services import Services
from bot.tavus import Conversation, TavusError
from handlers.commands import CommandRequest

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
STATUS_FILTERS = ("active", "ended")


async def refusal(services: Services, conversation_id: str, user_id: str, verb: str) -> str | None:
    """None when the user may act; otherwise the polite sentence saying who can."""
    resource = await services.store.get_resource(kind="conversation", tavus_id=conversation_id)
    if services.may_modify(resource, user_id):
        return None
    if resource is None:
        return (
            f"Only a Tavus admin can {verb} {code(conversation_id)}: it was not started from Slack."
        )
    owner = f"<@{resource.owner_user_id}>"
    return f"Only {owner} (who started it) or a Tavus admin can {verb} this conversation."


async def end_conversation(services: Services, conversation_id: str, user_id: str) -> str:
    refused = await refusal(services, conversation_id, user_id, "end")
    if refused:
        return refused
    await services.tavus.conversations.end(conversation_id)
    logger.info("user %s ended conversation %s", user_id, conversation_id)
    return f":stop_sign: Ending {code(conversation_id)}. The card updates when Tavus confirms."


async def handle_end(request: CommandRequest) -> None:
    conversation_id = request.command.words[0]
    await request.say_privately(
        await end_conversation(request.services, conversation_id, request.user_id)
    )


async def handle_manage(request: CommandRequest) -> None:
    verb, words = request.command.verb, request.command.words
    if verb == "list":
        await _list(request, words)
    elif verb in ("show", "delete", "end") and len(words) == 1:
        await {"show": _show, "delete": _ask_delete, "end": handle_end}[verb](request)
    elif verb in ("show", "delete"):
        await request.say_privately(f"`/tavus conversation {verb}` needs one conversation id.")
    else:
        await request.say_privately(
            f"Conversations cannot be {verb}ed from Slack. Try `/tavus conversations list`, "
            "`show <id>`, `delete <id>` or `/tavus call`."
        )


async def _list(request: CommandRequest, words: tuple[str, ...]) -> None:
    status = words[0].lower() if words else None
    if status is not None and status not in STATUS_FILTERS:
        await request.say_privately("Filter conversations by `active` or `ended`.")
        return
    services = request.services
    page = await services.tavus.conversations.list(page=1, limit=PAGE_SIZE, status=status)
    joinable = await _joinable(services, page.items, request.user_id)
    text, blocks = lists.conversation_page(page, status=status, joinable=joinable)
    await request.say_privately(text, blocks)


async def _show(request: CommandRequest) -> None:
    conversation = await request.services.tavus.conversations.get(request.command.words[0])
    joinable = await _joinable(request.services, [conversation], request.user_id)
    text, blocks = lists.conversation_details(
        conversation, joinable=conversation.conversation_id in joinable
    )
    await request.say_privately(text, blocks)


async def _joinable(
    services: Services, conversations: Sequence[Conversation], user_id: str
) -> frozenset[str]:
    """Join links go only to whoever may act on the call: its owner, or an admin."""
    allowed = set()
    for conversation in conversations:
        resource = await services.store.get_resource(
            kind="conversation", tavus_id=conversation.conversation_id
        )
        if services.may_modify(resource, user_id):
            allowed.add(conversation.conversation_id)
    return frozenset(allowed)


async def _ask_delete(request: CommandRequest) -> None:
    conversation_id = request.command.words[0]
    refused = await refusal(request.services, conversation_id, request.user_id, "delete")
    if refused:
        await request.say_privately(refused)
        return
    text, blocks = lists.delete_confirmation(conversation_id)
    await request.say_privately(text, blocks)


def register(app: AsyncApp, services: Services) -> None:
    async def handle_end_button(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        conversation_id = body["actions"][0]["value"]
        await _answer(
            respond, lambda: end_conversation(services, conversation_id, body["user"]["id"])
        )

    async def handle_delete_button(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        conversation_id, user_id = body["actions"][0]["value"], body["user"]["id"]

        async def delete() -> str:
            refused = await refusal(services, conversation_id, user_id, "delete")
            if refused:
                return refused
            await services.tavus.conversations.delete(conversation_id)
            resource = await services.store.get_resource(
                kind="conversation", tavus_id=conversation_id
            )
            if resource is not None:
                await services.store.update_resource(
                    resource_id=resource.id, status="deleted", finished=True
                )
            return f":wastebasket: Deleted conversation {code(conversation_id)}."

        await _answer(respond, delete, replace=True)

    async def handle_more(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        page_number, _, status = body["actions"][0]["value"].partition(":")
        try:
            page = await services.tavus.conversations.list(
                page=int(page_number), limit=PAGE_SIZE, status=status or None
            )
        except TavusError as exc:
            text = f":warning: {escape(exc.user_message)}"
            await respond(text=text, response_type="ephemeral", replace_original=False)
            return
        joinable = await _joinable(services, page.items, body["user"]["id"])
        text, blocks = lists.conversation_page(page, status=status or None, joinable=joinable)
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    async def handle_join_click(ack: AsyncAck) -> None:
        await ack()  # the button opens its URL in the browser; Slack still wants an ack

    app.action(END_CALL_ACTION)(handle_end_button)
    app.action(lists.DELETE_ACTION)(handle_delete_button)
    app.action(lists.MORE_ACTION)(handle_more)
    app.action(JOIN_ACTION)(handle_join_click)


async def _answer(respond: AsyncRespond, work: Any, *, replace: bool = False) -> None:
    try:
        text = await work()
    except TavusError as exc:
        text = f":warning: {escape(exc.user_message)}"
    await respond(text=text, response_type="ephemeral", replace_original=replace)
