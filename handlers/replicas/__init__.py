"""Replicas: train them from Slack, list, show, rename and delete them; the stock voices."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import train_modal as modal
from bot.blocks.replicas import VOICES_MORE_ACTION
from bot.domain import replicas as domain
from handlers.replicas import manage, train, voices
from handlers.shared.deletion import ask_delete
from handlers.shared.families import Family
from handlers.shared.listing import handle_list
from handlers.shared.renaming import handle_rename


def register(app: AsyncApp) -> None:
    app.view(modal.CALLBACK_ID)(train.handle_train_submission)
    app.options(modal.VOICE_ACTION)(train.handle_voice_options)
    app.action(VOICES_MORE_ACTION)(voices.handle_voices_more)


FAMILY = Family(
    kind=domain.KIND,
    verbs={
        "list": handle_list,
        "show": manage.handle_show,
        "train": train.handle_train,
        "new": train.handle_train,
        "rename": handle_rename,
        "delete": ask_delete,
    },
    actions={"voices": voices.handle_voices},
    listing=manage.LISTING,
    deletion=manage.DELETION,
    renaming=manage.RENAMING,
    register=register,
)
