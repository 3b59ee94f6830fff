"""Replicas: the states a training goes through, in our words and in Tavus's.

Tavus's GET says `started`, `completed` or `error`; its training callback says `ready` for
`completed` (tavus-notes.md). Both mean the same state here, so a callback and a poll of it
are one event.
"""

from __future__ import annotations

from bot.domain.lifecycle import Lifecycle

KIND = "replica"
ID_KEY = "replica_id"  # the key naming a replica in callback bodies

TRAINING = "training"
READY = "ready"
ERROR = "error"
DELETED = "deleted"
LIFECYCLE = Lifecycle.of(TRAINING, (READY, ERROR), DELETED)
FINISHED = frozenset({READY, ERROR, DELETED})

# Event types are the state that was reported ("replica.ready"); bodies without a status, or
# with one Tavus added since, are stored under UNKNOWN and posted nowhere.
EVENT_PREFIX = "replica."
UNKNOWN = "replica.unknown"

# Tavus's words for each state (callbacks and GET differ for "ready").
_FROM_TAVUS = {"started": TRAINING, "completed": READY, "ready": READY, "error": ERROR}

# Where replicas come from (`/tavus replicas user|system`).
TYPES = ("user", "system")

# The start modal's replica picker keeps ready replicas a few seconds (bot/choices.py).
READY_CHOICES_KEY = "ready-replicas"

CONSENT_STATEMENT = (
    "I, [FULL NAME], am currently speaking and consent Tavus to create an AI clone of me by "
    "using the audio and video samples I provide. I understand that this AI clone can be used "
    "to create videos that look and sound like me."
)


def status_of(tavus_status: object) -> str | None:
    """Our status for Tavus's word, or None for a word we do not know."""
    if not isinstance(tavus_status, str):
        return None
    return _FROM_TAVUS.get(tavus_status.strip().lower())
