"""Videos: generate them from a script or an audio file, list, show, rename and delete them."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import video_modal as modal
from handlers.conversations.start import handle_replica_options
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list
from handlers.shared.renaming import handle_rename
from handlers.videos import manage, start


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(start.handle_video_submission)
    # The same ready replicas the call modal offers, from the same short cache.
    app.options(modal.REPLICA_ACTION)(handle_replica_options)


FAMILY = Family(
    kind=manage.KIND,
    verbs={
        "list": handle_list,
        "new": start.handle_video,  # with nothing after it: the form
        "show": manage.handle_show,
        "rename": handle_rename,
        "delete": ask_delete,
    },
    actions={"video": start.handle_video},
    listing=manage.LISTING,
    deletion=manage.DELETION,
    renaming=manage.RENAMING,
    register=register,
)
