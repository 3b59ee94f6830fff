"""Personas: list, show, create, edit (previewed, then applied) and delete them."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import persona_modal as modal
from bot.blocks.personas import EDIT_ACTION
from bot.domain import personas as domain
from handlers.personas import edit, manage
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list


def register(app: AsyncApp) -> None:
    app.view(modal.NEW_CALLBACK)(edit.handle_new_submission)
    app.view(modal.EDIT_CALLBACK)(edit.handle_edit_submission)
    app.view(modal.APPLY_CALLBACK)(edit.handle_apply_submission)
    for callback_id in (modal.EDIT_CALLBACK, modal.APPLY_CALLBACK):
        app.view_closed(callback_id)(edit.handle_closed)
    app.action(EDIT_ACTION)(edit.handle_edit_button)


FAMILY = Family(
    kind=domain.KIND,
    verbs={
        "list": handle_list,
        "show": manage.handle_show,
        "new": edit.handle_new,
        "edit": edit.handle_edit,
        "delete": ask_delete,
    },
    listing=manage.LISTING,
    deletion=manage.DELETION,
    register=register,
)
