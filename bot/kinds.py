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
from bot.blocks import documents as document_blocks
from bot.blocks import guardrails as guardrail_blocks
from bot.blocks import lipsyncs as lipsync_blocks
from bot.blocks import objectives as objective_blocks
from bot.blocks import replicas as replica_blocks
from bot.blocks import videos as video_blocks
from bot.domain import conversations as conversation_domain
from bot.domain import documents as document_domain
from bot.domain import guardrails as guardrail_domain
from bot.domain import lipsyncs as lipsync_domain
from bot.domain import objectives as objective_domain
from bot.domain import replicas as replica_domain
from bot.domain import videos as video_domain
from bot.domain.lifecycle import Lifecycle
from bot.domain.nouns import BY_KIND, Noun
from bot.events import conversations as conversation_events
from bot.events import documents as document_events
from bot.events import guardrails as guardrail_events
from bot.events import lipsyncs as lipsync_events
from bot.events import objectives as objective_events
from bot.events import replicas as replica_events
from bot.events import videos as video_events
from bot.events.base import Interpretation, Polled
from bot.tavus import TavusClient
from storage import Resource

Interpreter = Callable[[Resource, Mapping[str, Any]], Interpretation]
CardRenderer = Callable[[Resource], tuple[str, list[dict[str, Any]]]]
PollFunction = Callable[[TavusClient, Resource], Awaitable[Polled]]
FinishedTest = Callable[[Resource, frozenset[str], Polled | None, float], bool]


@dataclass(frozen=True)
class PollSpacing:
    """A long job is asked about less often as it ages: a poll at most every ``fraction`` of
    its age, and at least every ``cap_seconds`` (never faster than the poller's interval)."""

    fraction: float
    cap_seconds: float

    def gap(self, age_seconds: float) -> float:
        return min(self.cap_seconds, max(0.0, age_seconds * self.fraction))


@dataclass(frozen=True)
class ResourceKind:
    noun: Noun  # the words and id shape `/tavus` knows it by
    id_key: str  # the key that names it in a callback body ("conversation_id")
    lifecycle: Lifecycle
    interpret: Interpreter  # a callback body (or a polled event) -> what to store and post
    render_card: CardRenderer  # the parent message its thread hangs under
    poll: PollFunction | None  # None: callbacks only
    finished: FinishedTest  # nothing more will come: stop polling it
    poll_spacing: PollSpacing | None = None  # None: polled at every pass
    older_id_keys: tuple[str, ...] = ()  # what older bodies name it by, besides ``id_key``
    # Outcomes after which news that does not move it on changes nothing (``bot.ingest``).
    final: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.noun.kind

    @property
    def id_keys(self) -> tuple[str, ...]:
        return (self.id_key, *self.older_id_keys)


CONVERSATION = ResourceKind(
    noun=BY_KIND[conversation_domain.KIND],
    id_key=conversation_domain.ID_KEY,
    lifecycle=conversation_domain.LIFECYCLE,
    interpret=conversation_events.interpret_conversation,
    render_card=conversation_blocks.render_card,
    poll=conversation_events.poll_conversation,
    finished=conversation_events.conversation_finished,
)

REPLICA = ResourceKind(
    noun=BY_KIND[replica_domain.KIND],
    id_key=replica_domain.ID_KEY,
    lifecycle=replica_domain.LIFECYCLE,
    interpret=replica_events.interpret_replica,
    render_card=replica_blocks.render_card,
    poll=replica_events.poll_replica,
    finished=replica_events.replica_finished,
    # Training takes hours: every 10% of its age, and at least every five minutes.
    poll_spacing=PollSpacing(fraction=0.1, cap_seconds=300.0),
    final=replica_domain.FINISHED,
)

VIDEO = ResourceKind(
    noun=BY_KIND[video_domain.KIND],
    id_key=video_domain.ID_KEY,
    lifecycle=video_domain.LIFECYCLE,
    interpret=video_events.interpret_video,
    render_card=video_blocks.render_card,
    poll=video_events.poll_video,
    finished=video_events.video_finished,
    final=video_domain.FINAL,
)

LIPSYNC = ResourceKind(
    noun=BY_KIND[lipsync_domain.KIND],
    id_key=lipsync_domain.ID_KEY,
    lifecycle=lipsync_domain.LIFECYCLE,
    interpret=lipsync_events.interpret_lipsync,
    render_card=lipsync_blocks.render_card,
    poll=lipsync_events.poll_lipsync,
    finished=lipsync_events.lipsync_finished,
    older_id_keys=lipsync_domain.OLDER_ID_KEYS,
    final=lipsync_domain.FINAL,
)

DOCUMENT = ResourceKind(
    noun=BY_KIND[document_domain.KIND],
    id_key=document_domain.ID_KEY,
    lifecycle=document_domain.LIFECYCLE,
    interpret=document_events.interpret_document,
    render_card=document_blocks.render_card,
    poll=document_events.poll_document,
    finished=document_events.document_finished,
    older_id_keys=document_domain.OLDER_ID_KEYS,
    # Only a deletion: a result has generations (recrawls), which the interpreter keeps apart.
    final=frozenset({document_domain.DELETED}),
)

# Objectives and guardrails: sets with no card and nothing to poll; each event names the
# call it happened in, and goes to that call's thread.
OBJECTIVE = ResourceKind(
    noun=BY_KIND[objective_domain.KIND],
    id_key=objective_domain.ID_KEY,
    lifecycle=objective_domain.LIFECYCLE,
    interpret=objective_events.interpret_objective,
    render_card=objective_blocks.render_card,
    poll=None,
    finished=objective_events.objective_finished,
)

GUARDRAIL = ResourceKind(
    noun=BY_KIND[guardrail_domain.KIND],
    id_key=guardrail_domain.ID_KEY,
    lifecycle=guardrail_domain.LIFECYCLE,
    interpret=guardrail_events.interpret_guardrail,
    render_card=guardrail_blocks.render_card,
    poll=None,
    finished=guardrail_events.guardrail_finished,
)

KINDS: dict[str, ResourceKind] = {
    kind.name: kind
    for kind in (CONVERSATION, REPLICA, VIDEO, LIPSYNC, DOCUMENT, OBJECTIVE, GUARDRAIL)
}


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
