"""The registry of resource kinds: one row per family, read by every shared worker.

Ingest, the notifier's cards, the poller and the grammar look a kind up here instead of
branching on its name: a new family (videos, replicas, documents...) adds a row, not an ``if``.
Its Slack commands are registered the same way, per noun, in ``handlers/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import conversations as conversation_blocks
from bot.domain import conversations as conversation_domain
from bot.domain.lifecycle import Lifecycle
from bot.domain.nouns import BY_KIND, Noun
from bot.events import conversations as conversation_events
from bot.events.base import Interpretation, Polled
from bot.tavus import TavusClient
from storage import Resource

Interpreter = Callable[[Resource, Mapping[str, Any]], Interpretation]
CardRenderer = Callable[[Resource], tuple[str, list[dict[str, Any]]]]
PollFunction = Callable[[TavusClient, Resource], Awaitable[Polled]]
FinishedTest = Callable[[Resource, frozenset[str], Polled | None, float], bool]


@dataclass(frozen=True)
class ResourceKind:
    noun: Noun  # the words and id shape `/tavus` knows it by
    id_key: str  # the key that names it in a callback body ("conversation_id")
    lifecycle: Lifecycle
    interpret: Interpreter  # a callback body (or a polled event) -> what to store and post
    render_card: CardRenderer  # the parent message its thread hangs under
    poll: PollFunction | None  # None: callbacks only
    finished: FinishedTest  # nothing more will come: stop polling it

    @property
    def name(self) -> str:
        return self.noun.kind


CONVERSATION = ResourceKind(
    noun=BY_KIND[conversation_domain.KIND],
    id_key=conversation_domain.ID_KEY,
    lifecycle=conversation_domain.LIFECYCLE,
    interpret=conversation_events.interpret_conversation,
    render_card=conversation_blocks.render_card,
    poll=conversation_events.poll_conversation,
    finished=conversation_events.conversation_finished,
)

KINDS: dict[str, ResourceKind] = {kind.name: kind for kind in (CONVERSATION,)}


class UnknownKind(LookupError):
    pass


def kind_of(resource: Resource) -> ResourceKind:
    try:
        return KINDS[resource.kind]
    except KeyError:
        raise UnknownKind(f"no resource kind {resource.kind!r} is registered") from None


def render_card(resource: Resource) -> tuple[str, list[dict[str, Any]]]:
    """Any resource's parent card, for the notifier."""
    return kind_of(resource).render_card(resource)
