"""Objectives: create and edit sets from Slack (a form), list, show and delete them."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import objective_modal as modal
from handlers.objectives import form, manage
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(form.handle_submission)
    app.action(modal.ADD_ACTION)(form.handle_add)


FAMILY = Family(
    kind=manage.KIND,
    verbs={
        "list": handle_list,
        "show": manage.handle_show,
        "new": form.handle_new,
        "edit": form.handle_edit,
        "delete": ask_delete,
    },
    listing=manage.LISTING,
    deletion=manage.DELETION,
    register=register,
)
