"""Documents: add files and websites to the knowledge base, then list (by tag and name),
show, rename, retag, recrawl and delete them. Processing news reaches the card's thread."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import document_modal as modal
from handlers.documents import add, manage
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list
from handlers.shared.renaming import handle_rename


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(add.handle_document_submission)
    app.action(add.ADD_ANYWAY_ACTION)(add.handle_add_anyway)


FAMILY = Family(
    kind=manage.KIND,
    verbs={
        "list": handle_list,
        "add": add.handle_add,  # with no link after it: the form
        "new": add.handle_new,
        "show": manage.handle_show,
        "rename": handle_rename,
        "retag": manage.handle_retag,
        "recrawl": manage.handle_recrawl,
        "delete": ask_delete,
    },
    listing=manage.LISTING,
    deletion=manage.DELETION,
    renaming=manage.RENAMING,
    register=register,
)
