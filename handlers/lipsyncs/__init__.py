"""Lip-syncs: re-voice a video with new audio, list, show and delete them.

Tavus marks its lip-sync API deprecated; the help and the modal say so.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import lipsync_modal as modal
from handlers.lipsyncs import manage, start
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(start.handle_lipsync_submission)


FAMILY = Family(
    kind=manage.KIND,
    verbs={
        "list": handle_list,
        "new": start.handle_lipsync,  # with no links after it: the form
        "show": manage.handle_show,
        "delete": ask_delete,
    },
    actions={"lipsync": start.handle_lipsync},
    listing=manage.LISTING,
    deletion=manage.DELETION,
    register=register,
)
