"""The App Home tab: the user's live calls and recent work with their buttons, shortcuts to
start more, a getting-started text for newcomers, and for admins the whole team's live calls.

Each part is a row of ``SHELVES`` (which resources of one kind it shows, and how): a family
that wants a place on the home tab adds a row, not a branch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import conversations as conversation_blocks
from bot.blocks import documents as document_blocks
from bot.blocks import kit
from bot.blocks import replicas as replica_blocks
from bot.blocks import videos as video_blocks
from bot.blocks.conversations import (
    JOIN_ACTION,
    channel_mention,
    end_button,
    join_url,
    one_line,
    shown_id,
    user_mention,
)
from bot.blocks.listing import delete_button
from bot.domain import conversations as conversation_domain
from bot.domain import replicas as replica_domain
from bot.domain.nouns import BY_KIND
from storage import Resource

Block = dict[str, Any]

START_ACTION = "home_start_conversation"
VIDEO_ACTION = "home_generate_video"
TRAIN_ACTION = "home_train_replica"
DOCUMENT_ACTION = "home_add_document"
DEFAULTS_ACTION = "home_defaults"
END_ACTION = "home_end_conversation"
DELETE_ACTION = "home_delete"

SHELF_LIMIT = 5  # per part: the tab stays short, and far inside Slack's 100 blocks
TEAM_LIMIT = 10

_GETTING_STARTED = (
    "*Getting started*\n"
    "1. *Start a call*: a Tavus replica joins a video call; the join link is posted where "
    "you choose, and the transcript and recording follow in its thread.\n"
    "2. *Generate a video*: write a script, pick a replica, and the finished video comes back "
    "in the thread.\n"
    "3. *Train a replica* from a short video of someone talking, or *add a document* for your "
    "personas to know.\n"
    "Everything here works as `/tavus` commands too: type `/tavus help` in any channel."
)


@dataclass(frozen=True)
class Shelf:
    """One part of the home tab: the user's resources of one kind that ``keeps`` accepts."""

    kind: str
    title: str
    keeps: Callable[[Resource], bool]
    status: Callable[[Resource], str]
    buttons: Callable[[Resource], list[Block]]  # under each item
    unfinished_only: bool = False


def _live(resource: Resource) -> bool:
    return resource.status not in conversation_domain.TAVUS_OVER


def _training(resource: Resource) -> bool:
    return resource.status not in (replica_domain.READY, replica_domain.DELETED)


def _not_deleted(resource: Resource) -> bool:
    return resource.status != "deleted"


def _call_buttons(resource: Resource) -> list[Block]:
    buttons = []
    url = join_url(resource.details.get("conversation_url"))
    if url is not None:
        buttons.append(kit.button("Join", action_id=JOIN_ACTION, url=url, style="primary"))
    if tavus_id := _actionable_id(resource):
        buttons.append(end_button(tavus_id, action_id=END_ACTION))
    return buttons


def _delete_buttons(resource: Resource) -> list[Block]:
    tavus_id = _actionable_id(resource)
    return [delete_button(resource.kind, tavus_id, "", action_id=DELETE_ACTION)] if tavus_id else []


def _actionable_id(resource: Resource) -> str | None:
    """The id a button may carry: one of its kind's shape (a handler would refuse the rest)."""
    tavus_id = resource.tavus_id
    if isinstance(tavus_id, str) and BY_KIND[resource.kind].is_id(tavus_id):
        return tavus_id
    return None


SHELVES: tuple[Shelf, ...] = (
    Shelf(
        kind="conversation",
        title="Your live conversations",
        keeps=_live,
        status=lambda r: conversation_blocks.status_line(r.status, r.details),
        buttons=_call_buttons,
        unfinished_only=True,
    ),
    Shelf(
        kind="video",
        title="Your recent videos",
        keeps=_not_deleted,
        status=lambda r: video_blocks.status_line(r.status, r.details),
        buttons=_delete_buttons,
    ),
    Shelf(
        kind="replica",
        title="Your replicas in training",
        keeps=_training,
        status=lambda r: replica_blocks.status_line(r.tavus_id or "", r.status, r.details),
        buttons=_delete_buttons,
        unfinished_only=True,
    ),
    Shelf(
        kind="document",
        title="Your recent documents",
        keeps=_not_deleted,
        status=lambda r: document_blocks.status_line(r.status, r.details),
        buttons=_delete_buttons,
    ),
)


@dataclass(frozen=True)
class TeamView:
    """What an admin sees of everyone: the live calls and how many jobs of each kind run."""

    live_calls: Sequence[Resource]
    running: Mapping[str, int]


@dataclass(frozen=True)
class HomeContent:
    user_id: str
    # One list per shelf, in SHELVES order.
    shelves: Sequence[Sequence[Resource]]
    # Whether the user has ever started anything here (else: the getting-started text).
    has_history: bool
    team: TeamView | None = None
    # A line about the user's last click ("Ending c123…"), shown at the top.
    notice: str | None = None


def home_view(content: HomeContent) -> Block:
    blocks: list[Block] = [kit.header("Tavus for Slack")]
    if content.notice:
        blocks.append(kit.context(content.notice))  # our own words, already escaped
    blocks.append(_start_buttons())
    if not content.has_history:
        blocks += [kit.divider(), *kit.sections(_GETTING_STARTED)]
    for shelf, items in zip(SHELVES, content.shelves, strict=True):
        if items:
            blocks += [kit.divider(), kit.section(f"*{shelf.title}*")]
            blocks += [b for item in items[:SHELF_LIMIT] for b in _item(shelf, item)]
    if content.team is not None:
        blocks += _team(content.team)
    return kit.home(blocks)


def _start_buttons() -> Block:
    return kit.actions(
        kit.button("Start a call", action_id=START_ACTION, style="primary"),
        kit.button("Generate a video", action_id=VIDEO_ACTION),
        kit.button("Train a replica", action_id=TRAIN_ACTION),
        kit.button("Add a document", action_id=DOCUMENT_ACTION),
        kit.button("My defaults", action_id=DEFAULTS_ACTION),
    )


def _item(shelf: Shelf, resource: Resource) -> list[Block]:
    noun = BY_KIND[shelf.kind]
    title = one_line(resource.name or f"Untitled {noun.kind}")
    where = channel_mention(resource.channel_id)
    facts = f"*{title}* · {shown_id(resource.tavus_id)}" + (f" · in {where}" if where else "")
    blocks = [kit.section(f"{facts}\n{shelf.status(resource)}")]
    buttons = shelf.buttons(resource)
    if buttons:
        blocks.append(kit.actions(*buttons))
    return blocks


def _team(team: TeamView) -> list[Block]:
    running = [
        f"{count} {BY_KIND[kind].kind if count == 1 else BY_KIND[kind].plural}"
        for kind, count in sorted(team.running.items())
        if kind in BY_KIND and count
    ]
    lines = [_team_line(call) for call in team.live_calls[:TEAM_LIMIT]]
    summary = "Running now: " + (", ".join(running) if running else "nothing")
    return [
        kit.divider(),
        kit.section("*Your team* (you see this as an admin)"),
        kit.context(summary),
        *kit.sections("\n".join(lines) if lines else "_No live conversations in the team._"),
    ]


def _team_line(call: Resource) -> str:
    title = one_line(call.name or "Untitled conversation")
    line = f"{shown_id(call.tavus_id)} *{title}* · {user_mention(call.owner_user_id)}"
    where = channel_mention(call.channel_id)
    return f"{line} · in {where}" if where else line
