"""The handler side of the kind registry: one ``Family`` per resource kind.

A family lists its `/tavus` verbs, its top-level actions (`call`, `video`...), how it lists
and deletes, and the listeners for its own buttons and modals. The shared listeners (More,
Delete, the router) find a family here, so a new kind adds a ``Family``, not a branch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.grammar import Command
from bot.services import Services
from bot.tavus import Page
from handlers.shared.replies import say_privately


@dataclass(frozen=True)
class CommandRequest:
    command: Command
    body: Mapping[str, Any]
    respond: AsyncRespond
    services: Services
    family: Family | None = None
    # The channel wants `list` and `show` answered for everyone (its settings).
    public_listings: bool = False

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    @property
    def team_id(self) -> str:
        return str(self.body.get("team_id") or "")

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id") or "")

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id") or "")

    async def say_privately(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        await say_privately(self.respond, text, blocks)

    async def say_listing(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """A list or details: privately, unless the channel asked for listings in it."""
        await say_privately(self.respond, text, blocks, public=self.public_listings)

    @property
    def viewer(self) -> str | None:
        """Whose eyes a listing is for: None when the whole channel reads it (so nothing
        meant for one person, like a join link, goes in)."""
        return None if self.public_listings else self.user_id


Route = Callable[[CommandRequest], Awaitable[None]]


@dataclass(frozen=True)
class Listing:
    """How `/tavus <noun> list` fetches a page and writes one line per item."""

    fetch: Callable[[Services, int, int, str | None], Awaitable[Page[Any]]]
    # (services, items, viewer): viewer None when the whole channel reads the listing.
    lines: Callable[[Services, Sequence[Any], str | None], Awaitable[list[str]]]
    filters: tuple[str, ...] = ()
    page_size: int = 10
    # The words after the noun search the list (`/tavus documents #pricing onboarding`): the
    # text, as typed, is handed to ``fetch`` instead of a filter word.
    search: bool = False


@dataclass(frozen=True)
class Deletion:
    """How a kind is deleted in Tavus, and what the user loses.

    ``delete(services, tavus_id, hard)``; ``hard_consequence`` is what `--hard` destroys on
    top (None: the kind has no hard delete)."""

    delete: Callable[[Services, str, bool], Awaitable[None]]
    consequence: str
    hard_consequence: str | None = None


@dataclass(frozen=True)
class Renaming:
    """How a kind is renamed in Tavus."""

    rename: Callable[[Services, str, str], Awaitable[None]]
    max_length: int = 200


@dataclass(frozen=True)
class Family:
    kind: str
    verbs: Mapping[str, Route] = field(default_factory=dict)
    actions: Mapping[str, Route] = field(default_factory=dict)
    listing: Listing | None = None
    deletion: Deletion | None = None
    renaming: Renaming | None = None
    register: Callable[[AsyncApp], None] | None = None


@dataclass(frozen=True)
class Families:
    by_kind: Mapping[str, Family]
    # Actions that belong to no resource family: `/tavus settings`, `/tavus defaults`.
    actions: Mapping[str, Route] = field(default_factory=dict)

    @classmethod
    def of(cls, *families: Family, actions: Mapping[str, Route] | None = None) -> Families:
        return cls({family.kind: family for family in families}, dict(actions or {}))

    def get(self, kind: str | None) -> Family | None:
        return None if kind is None else self.by_kind.get(kind)

    def action(self, name: str) -> tuple[Family | None, Route] | None:
        for family in self.by_kind.values():
            if name in family.actions:
                return family, family.actions[name]
        route = self.actions.get(name)
        return None if route is None else (None, route)
