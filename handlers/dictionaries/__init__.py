"""Pronunciation dictionaries: list, show, create and edit them in a form (rules as
`word -> pronunciation` lines), rename and delete them. No cards: Tavus makes one at once."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import dictionary_modal as modal
from handlers.dictionaries import edit, manage
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list
from handlers.shared.renaming import handle_rename


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(edit.handle_dictionary_submission)


FAMILY = Family(
    kind=manage.KIND,
    verbs={
        "list": handle_list,
        "show": manage.handle_show,
        "new": edit.handle_new,
        "edit": edit.handle_edit,
        "rename": handle_rename,
        "delete": ask_delete,
    },
    listing=manage.LISTING,
    deletion=manage.DELETION,
    renaming=manage.RENAMING,
    register=register,
)
