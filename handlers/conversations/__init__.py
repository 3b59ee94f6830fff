"""Conversations: start them, end them, list and delete them."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import start_modal as modal
from bot.blocks.conversations import END_CALL_ACTION, JOIN_ACTION
from handlers.conversations import manage, start
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(start.handle_start_submission)
    app.action(END_CALL_ACTION)(manage.handle_end_button)
    app.action(JOIN_ACTION)(manage.handle_join_click)


FAMILY = Family(
    kind=manage.KIND,
    verbs={
        "list": handle_list,
        "new": start.handle_new,
        "show": manage.handle_show,
        "end": manage.handle_end,
        "delete": ask_delete,
    },
    actions={"call": start.handle_call},
    listing=manage.LISTING,
    deletion=manage.DELETION,
    register=register,
)
