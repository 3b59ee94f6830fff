"""A channel's settings: where Tavus's updates go, how many, and what may be used there.

Kept in the store's preferences (scope "channel"); a channel nobody configured behaves as the
defaults say: updates in the card's thread, every update, private listings, every command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage import Store

# Where updates go.
THREAD = "thread"
THREAD_AND_CHANNEL = "thread_and_channel"  # the thread, and the channel too (reply_broadcast)
CHANNEL = "channel"  # straight into the channel, no thread
DELIVERIES = (THREAD, THREAD_AND_CHANNEL, CHANNEL)
# How many.
EVERYTHING = "all"
RESULTS = "results"  # transcripts, recordings, videos ready, errors: not "joined", "ended"
VERBOSITIES = (EVERYTHING, RESULTS)
# Who sees listings (`list`, `show`).
PRIVATE = "private"
PUBLIC = "channel"
LISTINGS = (PRIVATE, PUBLIC)
# What a channel may limit: the first word of `/tavus ...` (help and settings always work).
SUBCOMMANDS = (
    "call",
    "end",
    "conversations",
    "video",
    "videos",
    "lipsync",
    "lipsyncs",
    "replicas",
    "voices",
    "personas",
    "objectives",
    "guardrails",
    "documents",
    "dictionaries",
    "defaults",
)
ALWAYS_ALLOWED = frozenset({"help", "settings"})
# The word that allows a job to be started from a channel (its card and results post there),
# whichever way it is started (command, form, shortcut, App Home).
JOB_SUBCOMMANDS = {
    "conversation": "call",
    "video": "video",
    "lipsync": "lipsync",
    "replica": "replicas",
    "document": "documents",
    "objective": "objectives",
    "guardrail": "guardrails",
}
NOT_HERE = (
    "`/tavus {subcommand}` is not allowed in this channel. The channel's creator or an admin "
    "can change that with `/tavus settings`."
)

_KEYS = ("delivery", "verbosity", "listings", "allowed")


@dataclass(frozen=True)
class ChannelSettings:
    delivery: str = THREAD
    verbosity: str = EVERYTHING
    listings: str = PRIVATE
    allowed: frozenset[str] | None = None  # None: everything

    def allows(self, subcommand: str) -> bool:
        return subcommand in ALWAYS_ALLOWED or self.allowed is None or subcommand in self.allowed

    @classmethod
    def from_preferences(cls, prefs: Mapping[str, str]) -> ChannelSettings:
        """Anything unreadable (an old or hand-edited value) reads as its default."""
        allowed = prefs.get("allowed")
        return cls(
            delivery=_one_of(prefs.get("delivery"), DELIVERIES),
            verbosity=_one_of(prefs.get("verbosity"), VERBOSITIES),
            listings=_one_of(prefs.get("listings"), LISTINGS),
            allowed=None
            if allowed is None
            else frozenset(w for w in allowed.split(",") if w in SUBCOMMANDS),
        )

    def to_preferences(self) -> dict[str, str | None]:
        """None removes a key: a default is not stored."""
        default = ChannelSettings()
        return {
            "delivery": None if self.delivery == default.delivery else self.delivery,
            "verbosity": None if self.verbosity == default.verbosity else self.verbosity,
            "listings": None if self.listings == default.listings else self.listings,
            "allowed": None if self.allowed is None else ",".join(sorted(self.allowed)),
        }


def _one_of(value: str | None, choices: tuple[str, ...]) -> str:
    return value if value in choices else choices[0]


async def load(store: Store, *, team_id: str, channel_id: str) -> ChannelSettings:
    prefs = await store.get_preferences(team_id=team_id, scope="channel", scope_id=channel_id)
    return ChannelSettings.from_preferences({k: v for k, v in prefs.items() if k in _KEYS})


async def save(store: Store, *, team_id: str, channel_id: str, settings: ChannelSettings) -> None:
    for key, value in settings.to_preferences().items():
        await store.set_preference(
            team_id=team_id, scope="channel", scope_id=channel_id, key=key, value=value
        )
